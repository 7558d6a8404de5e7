/// `[database]`: which engine holds the daemon's data. Absent, SQLite in the data folder (the
/// appliance's default); with `url`, a PostgreSQL server that several nodes share.
///
/// ```toml
/// [database]
/// url = "postgres://kinora@db.internal:5432/kinora"
/// password_file = "/etc/kinora/secrets/database-password"   # or KINORA_DATABASE_PASSWORD
/// pool_size = 16
/// statement_timeout_seconds = 30
/// tls = "verify-full"
/// ca_file = "/etc/kinora/db-ca.pem"
/// ```
public struct DatabaseConfig: Sendable, Equatable {
    /// The environment variable a password may come from when no `password_file` is set.
    public static let passwordVariable = "KINORA_DATABASE_PASSWORD"

    /// `postgres://user@host:port/database`; nil for SQLite.
    public var url: String?
    /// A file holding the password (its first line), so the password stays out of kinora.toml.
    public var passwordFile: String?
    /// Connections each node opens at most.
    public var poolSize = 16
    /// The server cancels a statement running longer than this.
    public var statementTimeoutSeconds: Double = 30
    /// libpq's `sslmode`: disable, prefer (libpq's default), require, verify-ca, verify-full.
    public var tls: String?
    /// The certificate authority that signed the server's certificate (verify-ca, verify-full).
    public var caFile: String?

    public init() {}

    public var isPostgres: Bool { url != nil }

    static let schema = #"""
        {"type":"object","additionalProperties":false,"properties":{
          "url":{"type":"string","pattern":"^postgres(ql)?://[^/?#]+(/[^?#]*)?(\\?.*)?$"},
          "password_file":{"type":"string","minLength":1},
          "pool_size":{"type":"integer","minimum":1,"maximum":1000},
          "statement_timeout_seconds":{"type":"number","exclusiveMinimum":0,"maximum":86400},
          "tls":{"enum":["disable","prefer","require","verify-ca","verify-full"]},
          "ca_file":{"type":"string","minLength":1}}}
        """#

    mutating func apply(_ value: JSONValue?) {
        guard let value else { return }
        url = value["url"]?.stringValue
        passwordFile = value["password_file"]?.stringValue
        if let size = value["pool_size"]?.intValue { poolSize = Int(size) }
        if let seconds = value["statement_timeout_seconds"]?.doubleValue { statementTimeoutSeconds = seconds }
        tls = value["tls"]?.stringValue
        caFile = value["ca_file"]?.stringValue
    }

    /// The password: `password_file`'s first line, else the environment variable, else nil
    /// (libpq then tries `~/.pgpass`). An unreadable or empty file is an error naming it.
    public func password(configFile: String, environment: [String: String]) throws(ConfigError) -> String? {
        if let passwordFile {
            guard let bytes = SmallFile.read(passwordFile, limit: 4096) else {
                throw ConfigError(file: configFile, key: "database.password_file", "cannot read \(passwordFile)")
            }
            let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw ConfigError(file: configFile, key: "database.password_file", "\(passwordFile) is empty") }
            return line
        }
        if let value = environment[Self.passwordVariable], !value.isEmpty { return value }
        return nil
    }

    /// The URL without a password it may carry, for logs and `kinora doctor`.
    public var redactedURL: String? {
        guard let url else { return nil }
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// `[node]`: what this node does when several share one PostgreSQL database.
///
/// ```toml
/// [node]
/// roles = ["worker"]   # a transcode node: no API, no streaming
/// ```
public struct NodeConfig: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        /// Serves the API, the web UI and the streams.
        case api
        /// Runs transcodes and the other queued jobs.
        case worker
    }

    public var roles: Set<Role> = Set(Role.allCases)

    public init() {}

    public var servesAPI: Bool { roles.contains(.api) }
    public var runsJobs: Bool { roles.contains(.worker) }

    static let schema = #"""
        {"type":"object","additionalProperties":false,"properties":{
          "roles":{"type":"array","minItems":1,"uniqueItems":true,"items":{"enum":["api","worker"]}}}}
        """#

    mutating func apply(_ value: JSONValue?) {
        if let roles = value?["roles"]?.arrayValue { self.roles = Set(roles.compactMap { $0.stringValue.flatMap(Role.init(rawValue:)) }) }
    }
}
