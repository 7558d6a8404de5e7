import Foundation
import KinoraCore
import KinoraStore
import Logging

/// Whether the bootstrap token is retired: it is from the moment an enabled admin account
/// exists. The answer is cached: routes of this daemon that make an admin say so at once
/// (``retire()``), and an admin made from the shell (`kinora user add`) is noticed by a
/// database check made at most once per ``recheckInterval``, and only on requests that
/// present the bootstrap token. Once retired, it stays retired until the next start.
final class BootstrapRetirement: @unchecked Sendable {
    static let recheckInterval: Duration = .seconds(1)

    // `retired` and `checkedAt` are guarded by `lock`.
    private let lock = NSLock()
    private var retired: Bool
    private var checkedAt: ContinuousClock.Instant?
    private let adminExists: @Sendable () throws -> Bool

    init(retired: Bool, adminExists: @escaping @Sendable () throws -> Bool) {
        self.retired = retired
        self.adminExists = adminExists
    }

    var isRetired: Bool {
        let now = ContinuousClock.now
        let due = lock.withLock { () -> Bool in
            if retired { return false }
            if let checkedAt, now - checkedAt < Self.recheckInterval { return false }
            checkedAt = now
            return true
        }
        // A failed check keeps the token working: an unreadable database is no reason to lock
        // the operator out, and the next check comes a second later.
        if due, (try? adminExists()) == true { retire() }
        return lock.withLock { retired }
    }

    func retire() { lock.withLock { retired = true } }
}

extension BootstrapToken {
    /// At start: while no enabled admin account exists, the token is read or created as before.
    /// Once one exists, the token file is deleted (logged) and the token it held, kept in
    /// memory only, is answered `bootstrap-retired`.
    public static func prepare(dataDir: String, database: KinoraDatabase, logger: Logger) throws -> BootstrapToken {
        let adminExists: @Sendable () throws -> Bool = { try database.users.hasEnabledAdmin() }
        if try adminExists() {
            let path = dataDir + "/admin-token"
            let old = readToken(path) ?? (try? shared(database))
            if readToken(path) != nil || FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                logger.info("an admin account exists: the bootstrap admin token is retired and \(path) was deleted")
            }
            return BootstrapToken(path: path, value: old ?? [], retirement: BootstrapRetirement(retired: true, adminExists: adminExists))
        }
        var token = try database.dialect == .postgres ? loadOrCreateShared(dataDir: dataDir, database: database) : loadOrCreate(dataDir: dataDir)
        logger.info("bootstrap admin token is in \(token.path)")
        token.retirement = BootstrapRetirement(retired: false, adminExists: adminExists)
        return token
    }

    /// On PostgreSQL: the token every node shares (the first node to start makes it, offering
    /// the one in its data folder if it has one), written to this node's `admin-token` too so
    /// the operator finds it where the docs say, whichever node they look on.
    static func loadOrCreateShared(dataDir: String, database: KinoraDatabase) throws -> BootstrapToken {
        let path = dataDir + "/admin-token"
        let local = readToken(path)
        let offered = local.map { String(decoding: $0, as: UTF8.self) } ?? Secrets.hex(Secrets.randomBytes(32))
        let value = try SharedSecrets.text("admin-token", offering: offered, database: database)
        if local.map({ String(decoding: $0, as: UTF8.self) }) != value {
            // A stale file (this node's own token from before it joined) would mislead.
            try? FileManager.default.removeItem(atPath: path)
            _ = try SecretFile.create(path, text: value, what: "the admin token")
        }
        return BootstrapToken(path: path, value: Array(value.utf8))
    }

    private static func shared(_ database: KinoraDatabase) throws -> [UInt8]? {
        guard database.dialect == .postgres else { return nil }
        return try database.settings.value(for: SharedSecrets.settingKey("admin-token")).map { Array($0.utf8) }
    }

    /// Called when the presented token matched: refuses it once retired.
    func checkNotRetired() throws {
        guard let retirement, retirement.isRetired else { return }
        throw Refused(
            .bootstrapRetired,
            "the bootstrap admin token stopped working when an admin account was made; log in as an admin (POST /api/v1/auth/login) and use that access token"
        )
    }
}
