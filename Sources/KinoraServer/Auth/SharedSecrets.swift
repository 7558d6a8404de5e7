import Foundation
import KinoraCore
import KinoraStore

/// The secrets tokens depend on (the token signing key, the TOTP key, the bootstrap admin
/// token). On SQLite, one node: files in the data folder, as always. On PostgreSQL, every node
/// must hold the same ones, or a token one node issued fails on the next; so they live in the
/// database's `settings` (keys `secret.*`), made once by whichever node starts first. A node
/// that ran on SQLite before (moved by `kinora db migrate-to-postgres`) offers its files' values,
/// so tokens issued before the move stay valid.
enum SharedSecrets {
    /// A 32-byte key: the file's on SQLite, the database's on PostgreSQL.
    static func key(_ name: String, file: String, what: String, database: KinoraDatabase) throws -> [UInt8] {
        guard database.dialect == .postgres else { return try SecretFile.loadOrCreateKey(file, what: what) }
        let offered = SecretFile.readKey(file) ?? Secrets.randomBytes(32)
        let stored = try database.settings.setIfAbsent(Secrets.hex(offered), for: settingKey(name))
        guard let bytes = hexBytes(stored), bytes.count == 32 else {
            throw SetupError("the database's settings row \(settingKey(name)) does not hold \(what) (64 hex digits); delete the row to make a new one")
        }
        return bytes
    }

    /// The shared text secret `name`, offering `candidate` when there is none yet.
    static func text(_ name: String, offering candidate: String, database: KinoraDatabase) throws -> String {
        try database.settings.setIfAbsent(candidate, for: settingKey(name))
    }

    static func settingKey(_ name: String) -> String { "secret." + name }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
