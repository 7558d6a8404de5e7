import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `login` keeps: the server and the token pair, in
/// `$XDG_CONFIG_HOME/kinora-client/credentials.json` (`~/.config/…` without it). The refresh token
/// is a password's equal for its lifetime, so the folder is 0700 and the file 0600, written
/// under a temporary name and renamed: never readable by others, not even for an instant.
struct Credentials: Codable {
    var server: String
    var username: String
    var accessToken: String
    var refreshToken: String
    /// When the access token stops working (seconds since 1970), from `expires_in`.
    var expiresAt: Double

    enum CodingKeys: String, CodingKey {
        case server, username
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresAt = "expires_at"
    }
}

enum CredentialsFile {
    static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        // $HOME first: Foundation's NSHomeDirectory() on Linux reads the password database.
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (home + "/.config")
        return base + "/kinora-client"
    }

    static var path: String { directory + "/credentials.json" }

    static func load() throws -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(Credentials.self, from: data)
        } catch {
            throw CommandError("\(path) is not a credentials file kinora-client wrote (\(error)); run kinora-client login again")
        }
    }

    static func save(_ credentials: Credentials) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // An existing folder keeps its mode through createDirectory: tighten it.
        chmod(directory, 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(credentials)
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CommandError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError("cannot write \(path): \(reason)")
        }
    }
}
