#if canImport(Glibc)
import Glibc
import KinoraCore
#endif
import KinoraStore

/// A secret kept in the data folder (mode 0600): the admin token, the token signing key.
enum SecretFile {
    /// Writes `text` (plus a newline) to `path` unless the file exists, and returns what the
    /// file holds. link() rather than rename(): when two processes race on first start, one
    /// wins and both use its secret. `what` names the secret in errors.
    static func create(_ path: String, text: String, what: String) throws -> [UInt8] {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SetupError("\(temp): cannot create \(what): \(String(cString: strerror(errno)))") }
        let bytes = Array((text + "\n").utf8)
        let written = write(fd, bytes, bytes.count)
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temp)
            throw SetupError("\(path): cannot write \(what)")
        }
        let linked = link(temp, path) == 0
        let linkError = errno
        unlink(temp)
        if !linked, linkError != EEXIST { throw SetupError("\(path): cannot write \(what): \(String(cString: strerror(linkError)))") }
        guard let stored = BootstrapToken.readToken(path) else {
            throw SetupError("\(path) holds no valid \(what.dropFirst(4)); delete the file to make a new one")
        }
        return stored
    }
}

extension SecretFile {
    /// A 32-byte key kept hex-encoded in `path` (mode 0600), made from random bytes on first
    /// use. `what` names the key in errors.
    static func loadOrCreateKey(_ path: String, what: String) throws -> [UInt8] {
        if let existing = readKey(path) { return existing }
        let hex = Secrets.hex(Secrets.randomBytes(32))
        _ = try create(path, text: hex, what: what)
        guard let stored = readKey(path) else { throw SetupError("\(path): unreadable \(what.dropFirst(4))") }
        return stored
    }

    static func readKey(_ path: String) -> [UInt8]? {
        guard let text = BootstrapToken.readToken(path), text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < 64 {
            guard let byte = UInt8(String(decoding: text[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}

/// The key that signs access tokens: 32 random bytes written on first start to
/// `<data-dir>/jwt-secret` (mode 0600, hex), like the admin token. Deleting the file and
/// restarting invalidates every access token. On PostgreSQL every node shares one key, kept in
/// the database (``SharedSecrets``).
public enum JWTSecret {
    public static func loadOrCreate(dataDir: String, database: KinoraDatabase) throws -> [UInt8] {
        try SharedSecrets.key("jwt-signing-key", file: dataDir + "/jwt-secret", what: "the token signing key", database: database)
    }
}
