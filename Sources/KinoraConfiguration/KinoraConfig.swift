/// The daemon's configuration (`kinora.toml`). Every key has a default, so an absent file
/// means "embedded defaults": a newcomer runs `kinora serve` and gets a working server.
public struct KinoraConfig: Sendable {
    public enum LogFormat: String, Sendable { case text, json }
    public enum MetricsAccess: String, Sendable { case `public`, admin }
    public enum SignupMode: String, Sendable { case open, invite, closed }

    /// The file it came from, or nil for embedded defaults.
    public var file: String?
    public var listenHost = "127.0.0.1"
    public var listenPort = 8420
    public var publicURL: String?
    public var trustedProxies: [String] = []
    public var dataDir = "./kinora-data"
    public var logFormat = LogFormat.text
    public var logLevel = "info"
    public var pluginFolders: [String] = []
    public var pluginWorkerThreads = 8
    public var mediaStorage = "media"
    public var metricsAccess = MetricsAccess.public
    public var secretFolders: [String] = []
    /// Largest accepted upload, enforced while the bytes arrive.
    public var uploadMaxBytes: Int64 = 20 << 30
    /// Uploads and transcodes are refused (507) when less than this would remain free.
    public var minFreeBytes: Int64 = 1 << 30
    /// Text fields a multipart upload may carry, and their bytes in all: they are held in
    /// memory, unlike the file, so they are bounded as they arrive.
    public var uploadMaxFormFields = 64
    public var uploadMaxFormBytes = 256 << 10
    /// tus uploads not completed this many hours after creation are deleted (file and state).
    public var tusExpiryHours: Double = 24
    /// Where partial tus files live; nil: `uploads/tus` in the data folder. Several API nodes
    /// that share it (NFS, CephFS) let a client resume an upload on any of them.
    public var tusDirectory: String?
    public var defaultVisibility = "public"
    /// Channel handles (and sign-up usernames, which become handles) only admins may take;
    /// lower case. `[channels] reserved_handles` replaces the defaults.
    public var reservedHandles: Set<String> = KinoraConfig.defaultReservedHandles
    /// Transcode jobs run at once (each already uses every core for its encoders).
    public var transcodeConcurrency = 1
    /// Copy a qualifying source's H.264 into the top rung instead of re-encoding it.
    public var transcodePassthrough = true
    /// Tries a transcode job gets before it and its video fail (later tries wait 30 s × attempt).
    public var transcodeMaxAttempts = 3
    /// Seconds per media segment (HLS and DASH share them): 4, or 6 as Apple suggests.
    public var transcodeSegmentSeconds: Double = 4
    /// Seconds between IDR frames (Apple's HLS Authoring Specification 1.13: 2); divides the
    /// segment duration.
    public var transcodeKeyframeSeconds: Double = 2
    /// Audio streams of a source kept as their own renditions (the first ones, in file order).
    public var transcodeMaxAudioTracks = 8
    /// Also keep a 5.1 (AAC, 6 channels) rendition of each source audio stream with 6 or more
    /// channels, beside its stereo one.
    public var transcodeSurround = true
    /// Origins allowed to fetch /streams/ from a player on another site; empty: no CORS headers.
    public var streamCORSOrigins = ["*"]
    /// Memory for hot stream files (manifests, init and media segments up to 16 MiB each).
    public var streamCacheBytes = 128 << 20
    /// `[catalog] page_cache`: public listing pages kept in memory until the catalog changes
    /// (SQLite; PostgreSQL keeps none whatever this says).
    public var catalogPageCache = true
    /// Lifetime of a JWT access token.
    public var accessTokenSeconds = 900
    /// Lifetime of a refresh token (each refresh issues a new one with a fresh lifetime).
    public var refreshTokenDays: Double = 30
    /// Bodies of requests other than uploads larger than this are refused before they are read.
    public var maxBodyBytes: Int64 = 8 << 20
    /// A new connection that has not sent a whole request head by then is closed (slowloris).
    public var headerTimeoutSeconds: Double = 10
    /// A kept-alive connection with no request (or a request body that stalls) this long is closed.
    public var idleTimeoutSeconds: Double = 30
    /// Open connections one client address may hold; more are closed at once. Players open a
    /// few, load tests and NAT gateways many: the default leaves room for them.
    public var maxConnectionsPerAddress = 256
    /// Token buckets per client and route class (`[rate_limit]`).
    public var rateLimit = RateLimitConfig()
    /// Who may create an account through POST /api/v1/auth/signup.
    public var signupMode = SignupMode.invite
    /// The role of accounts made by sign-up without an invitation that names one.
    public var signupRole = "creator"
    /// Sign-up attempts allowed per client address and hour.
    public var signupAttemptsPerHour = 10
    /// Single sign-on providers (`[oidc.NAME]` tables), by name.
    public var oidcProviders: [OIDCProviderConfig] = []
    /// A browser session unused for this long ends (a week).
    public var sessionIdleMinutes: Double = 7 * 24 * 60
    /// A browser session ends this long after login, however busy.
    public var sessionDays: Double = 30
    /// Mark the session cookie Secure always (it is anyway when a trusted proxy says https).
    public var cookieSecure = false
    /// Wrong passwords (or codes) for one account from one address before that pair is refused.
    public var loginLockFailures = 5
    /// The window every login count runs over.
    public var loginWindowMinutes: Double = 15
    /// Wrong passwords from one address over every account before the address is refused.
    public var loginAddressFailures = 50
    /// Wrong passwords for one account from anywhere before each further try (from an address
    /// that failed on it) waits `loginDelaySeconds`, doubling with each failure.
    public var loginDelayAfter = 5
    /// The first of those waits.
    public var loginDelaySeconds: Double = 2
    /// The cap of that growing wait.
    public var loginDelayMaxSeconds: Double = 60
    /// `[database]`: SQLite in the data folder unless a PostgreSQL URL is set.
    public var database = DatabaseConfig()
    /// `[node]`: the roles of this node (both by default).
    public var node = NodeConfig()
    /// `[moderation]`: classifiers and the comment policy.
    public var moderation = ModerationConfig()
    /// `[notifications]`: defaults per event and the outbox's retries.
    public var notifications = NotificationConfig()

    public init() {}

    /// The folder of `plugins.d/`: beside the config file.
    public var pluginsDirectory: String? {
        guard let file else { return nil }
        let folder = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (folder.isEmpty ? "." : folder) + "/plugins.d"
    }

    /// The JSON Schema of kinora.toml; the same validator as plugin settings, so errors read alike.
    static let schema = JSONSchema.embedded(
        #"""
        {"type":"object","additionalProperties":false,"properties":{
          "server":{"type":"object","additionalProperties":false,"properties":{
            "listen":{"type":"string","pattern":"^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$"},
            "public_url":{"type":"string","pattern":"^https?://[^/]+"},
            "trusted_proxies":{"type":"array","items":{"type":"string","minLength":1}},
            "max_body_bytes":{"type":"integer","minimum":1024},
            "header_timeout_seconds":{"type":"number","exclusiveMinimum":0,"maximum":3600},
            "idle_timeout_seconds":{"type":"number","exclusiveMinimum":0,"maximum":3600},
            "max_connections_per_address":{"type":"integer","minimum":1,"maximum":1000000}}},
          "data":{"type":"object","additionalProperties":false,"properties":{
            "dir":{"type":"string","minLength":1}}},
          "log":{"type":"object","additionalProperties":false,"properties":{
            "format":{"enum":["text","json"]},
            "level":{"enum":["trace","debug","info","notice","warning","error","critical"]}}},
          "plugins":{"type":"object","additionalProperties":false,"properties":{
            "folders":{"type":"array","items":{"type":"string","minLength":1}},
            "worker_threads":{"type":"integer","minimum":1,"maximum":256}}},
          "media":{"type":"object","additionalProperties":false,"properties":{
            "storage":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},
            "default_visibility":{"enum":["public","unlisted","private"]}}},
          "channels":{"type":"object","additionalProperties":false,"properties":{
            "reserved_handles":{"type":"array","items":{"type":"string","minLength":1,"maxLength":64}}}},
          "transcode":{"type":"object","additionalProperties":false,"properties":{
            "concurrent_jobs":{"type":"integer","minimum":1,"maximum":64},
            "passthrough":{"type":"boolean"},
            "max_attempts":{"type":"integer","minimum":1,"maximum":10},
            "segment_seconds":{"type":"number","minimum":1,"maximum":10},
            "keyframe_seconds":{"type":"number","minimum":0.5,"maximum":10},
            "max_audio_tracks":{"type":"integer","minimum":1,"maximum":32},
            "surround":{"type":"boolean"}}},
          "catalog":{"type":"object","additionalProperties":false,"properties":{
            "page_cache":{"type":"boolean"}}},
          "streaming":{"type":"object","additionalProperties":false,"properties":{
            "cors_origins":{"type":"array","items":{"type":"string","minLength":1}},
            "cache_bytes":{"type":"integer","minimum":0}}},
          "uploads":{"type":"object","additionalProperties":false,"properties":{
            "max_bytes":{"type":"integer","minimum":1},
            "min_free_bytes":{"type":"integer","minimum":0},
            "max_form_fields":{"type":"integer","minimum":1,"maximum":10000},
            "max_form_bytes":{"type":"integer","minimum":1024,"maximum":67108864},
            "tus_expiry_hours":{"type":"number","exclusiveMinimum":0,"maximum":8760},
            "tus_dir":{"type":"string","minLength":1}}},
          "auth":{"type":"object","additionalProperties":false,"properties":{
            "access_token_seconds":{"type":"integer","minimum":1,"maximum":86400},
            "refresh_token_days":{"type":"number","exclusiveMinimum":0,"maximum":3650},
            "signup":{"enum":["open","invite","closed"]},
            "signup_role":{"enum":["creator","viewer"]},
            "signup_attempts_per_hour":{"type":"integer","minimum":1,"maximum":100000},
            "session_idle_minutes":{"type":"number","exclusiveMinimum":0,"maximum":5256000},
            "session_days":{"type":"number","exclusiveMinimum":0,"maximum":3650},
            "cookie_secure":{"type":"boolean"},
            "login_lock_failures":{"type":"integer","minimum":1,"maximum":1000},
            "login_window_minutes":{"type":"number","exclusiveMinimum":0,"maximum":1440},
            "login_address_failures":{"type":"integer","minimum":1,"maximum":100000},
            "login_delay_after":{"type":"integer","minimum":1,"maximum":1000},
            "login_delay_seconds":{"type":"number","minimum":0,"maximum":86400},
            "login_delay_max_seconds":{"type":"number","minimum":0,"maximum":86400}}},
          "metrics":{"type":"object","additionalProperties":false,"properties":{
            "access":{"enum":["public","admin"]}}},
          "rate_limit":{"type":"object","additionalProperties":false,"properties":{
            "enabled":{"type":"boolean"},
            "auth":{"type":"object","additionalProperties":false,"properties":{"per_second":{"type":"number","exclusiveMinimum":0},"burst":{"type":"number","minimum":1}}},
            "upload":{"type":"object","additionalProperties":false,"properties":{"per_second":{"type":"number","exclusiveMinimum":0},"burst":{"type":"number","minimum":1}}},
            "write":{"type":"object","additionalProperties":false,"properties":{"per_second":{"type":"number","exclusiveMinimum":0},"burst":{"type":"number","minimum":1}}},
            "read":{"type":"object","additionalProperties":false,"properties":{"per_second":{"type":"number","exclusiveMinimum":0},"burst":{"type":"number","minimum":1}}},
            "stream":{"type":"object","additionalProperties":false,"properties":{"per_second":{"type":"number","exclusiveMinimum":0},"burst":{"type":"number","minimum":1}}}}},
          "oidc":{"type":"object","additionalProperties":\#(OIDCProviderConfig.schema)},
          "database":\#(DatabaseConfig.schema),
          "node":\#(NodeConfig.schema),
          "moderation":\#(ModerationConfig.schema),
          "notifications":\#(NotificationConfig.schema),
          "secrets":{"type":"object","additionalProperties":false,"properties":{
            "folders":{"type":"array","items":{"type":"string","minLength":1}}}}}}
        """#)

    /// Reads and validates `path`; every problem is reported, each naming the file and key.
    public static func load(_ path: String) throws(ConfigErrors) -> KinoraConfig {
        let document: JSONValue
        do { document = try TOMLFile.read(path) } catch { throw ConfigErrors([error]) }
        let result = schema.validate(document)
        if !result.violations.isEmpty {
            throw ConfigErrors(result.violations.map { ConfigError(file: path, key: $0.path, $0.message) })
        }
        var config = KinoraConfig()
        config.file = path
        let v = result.value
        if let listen = v["server"]?["listen"]?.stringValue {
            guard let (host, port) = splitHostPort(listen) else {
                throw ConfigErrors([ConfigError(file: path, key: "server.listen", "expected HOST:PORT with a port from 0 to 65535")])
            }
            config.listenHost = host
            config.listenPort = port
        }
        config.publicURL = v["server"]?["public_url"]?.stringValue
        config.trustedProxies = v["server"]?["trusted_proxies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let dir = v["data"]?["dir"]?.stringValue { config.dataDir = dir }
        if let format = v["log"]?["format"]?.stringValue.flatMap(LogFormat.init(rawValue:)) { config.logFormat = format }
        if let level = v["log"]?["level"]?.stringValue { config.logLevel = level }
        config.pluginFolders = v["plugins"]?["folders"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let threads = v["plugins"]?["worker_threads"]?.intValue { config.pluginWorkerThreads = Int(threads) }
        if let storage = v["media"]?["storage"]?.stringValue { config.mediaStorage = storage }
        if let visibility = v["media"]?["default_visibility"]?.stringValue { config.defaultVisibility = visibility }
        if let reserved = v["channels"]?["reserved_handles"]?.arrayValue {
            config.reservedHandles = Set(reserved.compactMap { $0.stringValue?.lowercased() })
        }
        if let max = v["uploads"]?["max_bytes"]?.intValue { config.uploadMaxBytes = max }
        if let free = v["uploads"]?["min_free_bytes"]?.intValue { config.minFreeBytes = free }
        if let fields = v["uploads"]?["max_form_fields"]?.intValue { config.uploadMaxFormFields = Int(fields) }
        if let bytes = v["uploads"]?["max_form_bytes"]?.intValue { config.uploadMaxFormBytes = Int(bytes) }
        if let hours = v["uploads"]?["tus_expiry_hours"]?.doubleValue { config.tusExpiryHours = hours }
        config.tusDirectory = v["uploads"]?["tus_dir"]?.stringValue
        if let jobs = v["transcode"]?["concurrent_jobs"]?.intValue { config.transcodeConcurrency = Int(jobs) }
        if let copy = v["transcode"]?["passthrough"]?.boolValue { config.transcodePassthrough = copy }
        if let attempts = v["transcode"]?["max_attempts"]?.intValue { config.transcodeMaxAttempts = Int(attempts) }
        if let seconds = v["transcode"]?["segment_seconds"]?.doubleValue { config.transcodeSegmentSeconds = seconds }
        if let seconds = v["transcode"]?["keyframe_seconds"]?.doubleValue { config.transcodeKeyframeSeconds = seconds }
        if let tracks = v["transcode"]?["max_audio_tracks"]?.intValue { config.transcodeMaxAudioTracks = Int(tracks) }
        if let surround = v["transcode"]?["surround"]?.boolValue { config.transcodeSurround = surround }
        if let problem = config.transcodeTimingProblem {
            throw ConfigErrors([ConfigError(file: path, key: problem.key, problem.message)])
        }
        if let origins = v["streaming"]?["cors_origins"]?.arrayValue { config.streamCORSOrigins = origins.compactMap(\.stringValue) }
        if let bytes = v["streaming"]?["cache_bytes"]?.intValue { config.streamCacheBytes = Int(bytes) }
        if let cache = v["catalog"]?["page_cache"]?.boolValue { config.catalogPageCache = cache }
        if let access = v["metrics"]?["access"]?.stringValue.flatMap(MetricsAccess.init(rawValue:)) { config.metricsAccess = access }
        if let seconds = v["auth"]?["access_token_seconds"]?.intValue { config.accessTokenSeconds = Int(seconds) }
        if let days = v["auth"]?["refresh_token_days"]?.doubleValue { config.refreshTokenDays = days }
        if let mode = v["auth"]?["signup"]?.stringValue.flatMap(SignupMode.init(rawValue:)) { config.signupMode = mode }
        if let role = v["auth"]?["signup_role"]?.stringValue { config.signupRole = role }
        if let attempts = v["auth"]?["signup_attempts_per_hour"]?.intValue { config.signupAttemptsPerHour = Int(attempts) }
        if let minutes = v["auth"]?["session_idle_minutes"]?.doubleValue { config.sessionIdleMinutes = minutes }
        if let days = v["auth"]?["session_days"]?.doubleValue { config.sessionDays = days }
        if let secure = v["auth"]?["cookie_secure"]?.boolValue { config.cookieSecure = secure }
        if let failures = v["auth"]?["login_lock_failures"]?.intValue { config.loginLockFailures = Int(failures) }
        if let minutes = v["auth"]?["login_window_minutes"]?.doubleValue { config.loginWindowMinutes = minutes }
        if let failures = v["auth"]?["login_address_failures"]?.intValue { config.loginAddressFailures = Int(failures) }
        if let failures = v["auth"]?["login_delay_after"]?.intValue { config.loginDelayAfter = Int(failures) }
        if let seconds = v["auth"]?["login_delay_seconds"]?.doubleValue { config.loginDelaySeconds = seconds }
        if let seconds = v["auth"]?["login_delay_max_seconds"]?.doubleValue { config.loginDelayMaxSeconds = seconds }
        config.secretFolders = v["secrets"]?["folders"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let bytes = v["server"]?["max_body_bytes"]?.intValue { config.maxBodyBytes = bytes }
        if let seconds = v["server"]?["header_timeout_seconds"]?.doubleValue { config.headerTimeoutSeconds = seconds }
        if let seconds = v["server"]?["idle_timeout_seconds"]?.doubleValue { config.idleTimeoutSeconds = seconds }
        if let count = v["server"]?["max_connections_per_address"]?.intValue { config.maxConnectionsPerAddress = Int(count) }
        config.rateLimit.apply(v["rate_limit"])
        config.database.apply(v["database"])
        config.node.apply(v["node"])
        do { try config.moderation.apply(v["moderation"]) } catch { throw ConfigErrors([ConfigError(file: path, key: error.key, error.message)]) }
        do { try config.notifications.apply(v["notifications"]) } catch {
            throw ConfigErrors([ConfigError(file: path, key: error.key, error.message)])
        }
        let oidc = OIDCProviderConfig.parse(v["oidc"], file: path)
        if !oidc.errors.isEmpty { throw ConfigErrors(oidc.errors) }
        config.oidcProviders = oidc.providers
        return config
    }

    /// Why `[transcode] segment_seconds` / `keyframe_seconds` do not fit together, naming the
    /// key to change: every segment must start with an IDR frame.
    var transcodeTimingProblem: (key: String, message: String)? {
        if transcodeKeyframeSeconds > transcodeSegmentSeconds {
            return (
                "transcode.keyframe_seconds",
                "\(Self.seconds(transcodeKeyframeSeconds)) is longer than transcode.segment_seconds (\(Self.seconds(transcodeSegmentSeconds))): every segment must start with a key frame"
            )
        }
        let ratio = transcodeSegmentSeconds / transcodeKeyframeSeconds
        if abs(ratio - ratio.rounded()) > 1e-6 {
            return (
                "transcode.segment_seconds",
                "\(Self.seconds(transcodeSegmentSeconds)) is not a whole multiple of transcode.keyframe_seconds (\(Self.seconds(transcodeKeyframeSeconds))): every segment must start with a key frame"
            )
        }
        return nil
    }

    /// "4", "2.5": seconds as written in kinora.toml.
    public static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// "127.0.0.1:8420" or "[::1]:8420" → host and port.
    public static func splitHostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
