import KinoraConfiguration

#if canImport(Glibc)
import Glibc
#endif

/// Secrets for plugins, kept out of config files and logs. A secret named `s3-key` is read
/// from the environment variable `KINORA_SECRET_S3_KEY`, else from the file `s3-key` in the
/// first configured folder that has it (default `/etc/kinora/secrets`). Trailing newlines of
/// files are dropped. Names are `[A-Za-z0-9._-]{1,128}` not starting with '.', so a name can
/// never reach outside the folder.
///
/// ```swift
/// let secrets = SecretStore(folders: ["/etc/kinora/secrets"])
/// let key = secrets.value(named: "s3-key")  // KINORA_SECRET_S3_KEY, else /etc/kinora/secrets/s3-key
/// let environment = HostEnvironment(logger: logger, version: kinoraVersion, secrets: secrets)
/// ```
public struct SecretStore: Sendable {
    public var folders: [String]
    let environment: [String: String]

    /// - Parameters:
    ///   - folders: Where secret files are looked up, first match wins.
    ///   - environment: The `KINORA_SECRET_*` variables to use; nil reads the process's own,
    ///     which tests replace to stay independent of the machine.
    public init(folders: [String], environment: [String: String]? = nil) {
        self.folders = folders
        var env: [String: String] = [:]
        if let environment {
            env = environment
        } else {
            var cursor = Glibc.environ
            while let entry = cursor.pointee {
                let text = String(cString: entry)
                if let eq = text.firstIndex(of: "="), text.hasPrefix("KINORA_SECRET_") {
                    env[String(text[..<eq])] = String(text[text.index(after: eq)...])
                }
                cursor += 1
            }
        }
        self.environment = env
    }

    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 128, !name.hasPrefix(".") else { return false }
        return name.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
    }

    public func value(named name: String) -> [UInt8]? {
        guard Self.isValidName(name) else { return nil }
        let variable = "KINORA_SECRET_" + String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        if let value = environment[variable] { return Array(value.utf8) }
        for folder in folders {
            guard let bytes = SmallFile.read(folder + "/" + name) else { continue }
            var trimmed = bytes[...]
            while let last = trimmed.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { trimmed = trimmed.dropLast() }
            return Array(trimmed)
        }
        return nil
    }
}
