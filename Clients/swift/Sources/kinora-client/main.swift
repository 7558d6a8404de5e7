import Foundation
import KinoraClient

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `kinora-client`: an example of the KinoraClient SDK, and a handy uploader.
let usage = """
    usage: kinora-client login --server URL --username NAME [--totp CODE]
                               (password from $KINORA_PASSWORD, else the first line of stdin)
           kinora-client upload FILE [--title T] [--description D] [--tags a,b] [--category C] [--language L]
                                     [--license L] [--visibility V] [--channel ID] [--publish-at TIME]
                                     [--chunk-size BYTES]
           kinora-client list [--catalog] [--limit N] [--server URL]
           kinora-client play-url ID [--wait SECONDS] [--server URL]
           kinora-client logout

    Tokens are kept in $XDG_CONFIG_HOME/kinora-client/credentials.json (default ~/.config/…),
    mode 0600. --server (or $KINORA_SERVER) overrides the server saved at login.
    """

func standardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

let words = CommandLine.arguments.dropFirst()
let command = words.first ?? ""
let rest = words.dropFirst()
do {
    switch command {
    case "login": try await Login.run(rest)
    case "upload": try await Upload.run(rest)
    case "list": try await List.run(rest)
    case "play-url": try await PlayURL.run(rest)
    case "logout": try await Logout.run(rest)
    case "help", "--help", "-h":
        print(usage)
    case "":
        throw UsageError("missing command")
    default:
        throw UsageError("unknown command \"\(command)\"")
    }
} catch let error as UsageError {
    standardError("kinora-client: \(error)\n\n\(usage)")
    exit(64)
} catch {
    standardError("kinora-client: \(Session.describe(error))")
    exit(1)
}
