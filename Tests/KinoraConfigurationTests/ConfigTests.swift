import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Testing

@Suite struct ConfigTests {
    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func mainConfigReadsEveryKey() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(
            """
            [server]
            listen = "[::1]:9000"
            public_url = "https://video.example.com"
            trusted_proxies = ["127.0.0.1"]
            [data]
            dir = "/var/lib/kinora"
            [log]
            format = "json"
            [plugins]
            folders = ["/opt/kinora/plugins"]
            worker_threads = 3
            [media]
            storage = "s3-main"
            [channels]
            reserved_handles = ["Acme", "acme-news"]
            [metrics]
            access = "admin"
            [streaming]
            cors_origins = ["https://player.example.com"]
            cache_bytes = 0
            [catalog]
            page_cache = false
            [transcode]
            passthrough = false
            max_attempts = 1
            [auth]
            access_token_seconds = 60
            refresh_token_days = 7
            session_idle_minutes = 30
            session_days = 2
            cookie_secure = true
            login_lock_failures = 3
            login_window_minutes = 5
            login_address_failures = 20
            login_delay_after = 4
            login_delay_seconds = 1.5
            login_delay_max_seconds = 30
            """, to: dir + "/kinora.toml")
        let config = try KinoraConfig.load(dir + "/kinora.toml")
        #expect(!config.transcodePassthrough && KinoraConfig().transcodePassthrough)
        #expect(config.transcodeMaxAttempts == 1 && KinoraConfig().transcodeMaxAttempts == 3)
        #expect(config.listenHost == "::1" && config.listenPort == 9000)
        #expect(config.publicURL == "https://video.example.com")
        #expect(config.trustedProxies == ["127.0.0.1"])
        #expect(config.dataDir == "/var/lib/kinora")
        #expect(config.logFormat == .json)
        #expect(config.pluginFolders == ["/opt/kinora/plugins"] && config.pluginWorkerThreads == 3)
        #expect(config.mediaStorage == "s3-main")
        #expect(config.reservedHandles == ["acme", "acme-news"])
        #expect(["admin", "support", "kinora", "security", "official"].allSatisfy(KinoraConfig().reservedHandles.contains))
        #expect(config.metricsAccess == .admin)
        #expect(config.streamCORSOrigins == ["https://player.example.com"] && config.streamCacheBytes == 0)
        #expect(!config.catalogPageCache && KinoraConfig().catalogPageCache)
        #expect(config.pluginsDirectory == dir + "/plugins.d")
        #expect(config.accessTokenSeconds == 60 && config.refreshTokenDays == 7)
        #expect(KinoraConfig().accessTokenSeconds == 900 && KinoraConfig().refreshTokenDays == 30)
        #expect(config.sessionIdleMinutes == 30 && config.sessionDays == 2 && config.cookieSecure)
        #expect(KinoraConfig().sessionIdleMinutes == 10080 && KinoraConfig().sessionDays == 30 && !KinoraConfig().cookieSecure)
        #expect(config.loginLockFailures == 3 && config.loginWindowMinutes == 5 && config.loginAddressFailures == 20)
        #expect(config.loginDelayAfter == 4 && config.loginDelaySeconds == 1.5 && config.loginDelayMaxSeconds == 30)
        let defaults = KinoraConfig()
        #expect(defaults.loginLockFailures == 5 && defaults.loginWindowMinutes == 15 && defaults.loginAddressFailures == 50)
        #expect(defaults.loginDelayAfter == 5 && defaults.loginDelaySeconds == 2 && defaults.loginDelayMaxSeconds == 60)
    }

    @Test func mainConfigErrorsNameFileAndKey() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kinora.toml"
        try write(
            """
            [server]
            listen = 8420
            colour = "red"
            [log]
            format = "xml"
            [plugins]
            worker_threads = 0
            """, to: path)
        let errors = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        let keys = Set(errors?.errors.map { $0.key ?? "" } ?? [])
        #expect(keys == ["server.listen", "server.colour", "log.format", "plugins.worker_threads"])
        #expect(errors?.errors.allSatisfy { $0.file == path } == true)

        try write("[server\nlisten = ", to: path)
        let syntax = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        #expect(syntax?.description.hasPrefix(path + ":1:") == true, "\(syntax?.description ?? "")")

        let missing = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(dir + "/nope.toml") }
        #expect(missing?.description == dir + "/nope.toml: no such file")
    }

    @Test func instanceFilesNameTheInstanceAndCarrySettings() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"/srv/media\"\nfsync = false\n", to: dir + "/media.toml")
        try write("plugin = \"org.kinora.moderation-wordlist\"\nenabled = false\n", to: dir + "/words.toml")
        try write("plugin = \"Bad Id\"\n", to: dir + "/broken.toml")
        try write("plugin = \"org.x\"\n", to: dir + "/bad name.toml")
        try write("# not a toml file, ignored\n", to: dir + "/README")
        let (instances, errors) = InstanceConfig.loadFolder(dir)
        #expect(instances.map(\.name) == ["media", "words"])
        #expect(instances[0].settings == ["root": "/srv/media", "fsync": false])
        #expect(instances[1].enabled == false)
        #expect(errors.map(\.file).sorted() == [dir + "/bad name.toml", dir + "/broken.toml"])
        #expect(errors.first { $0.file.hasSuffix("broken.toml") }?.key == "plugin")
    }

    @Test func secretsComeFromTheEnvironmentOrFilesAndNeverEscapeTheFolder() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("secrets")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("from-file\n", to: dir + "/s3-key")
        try write("outside", to: dir + "/../kinora-outside-secret")
        defer { try? FileManager.default.removeItem(atPath: dir + "/../kinora-outside-secret") }
        let store = SecretStore(folders: [dir], environment: ["KINORA_SECRET_API_TOKEN": "from-env"])
        #expect(store.value(named: "s3-key") == Array("from-file".utf8))
        #expect(store.value(named: "api-token") == Array("from-env".utf8))
        #expect(store.value(named: "../kinora-outside-secret") == nil)
        #expect(store.value(named: "missing") == nil)
    }

    @Test func versionFileMatchesTheCompiledVersion() throws {
        let file = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/VERSION", encoding: .utf8)
        #expect(file.trimmingCharacters(in: .whitespacesAndNewlines) == kinoraVersion)
    }

    @Test func signupKeysParseAndOnlyCreatorOrViewerMaySignUp() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kinora.toml"
        try write("[auth]\nsignup = \"open\"\nsignup_role = \"viewer\"\nsignup_attempts_per_hour = 3\n", to: path)
        let config = try KinoraConfig.load(path)
        #expect(config.signupMode == .open && config.signupRole == "viewer" && config.signupAttemptsPerHour == 3)
        #expect(KinoraConfig().signupMode == .invite && KinoraConfig().signupRole == "creator")
        try write("[auth]\nsignup = \"sometimes\"\nsignup_role = \"admin\"\n", to: path)
        let errors = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        #expect(Set(errors?.errors.map { $0.key ?? "" } ?? []) == ["auth.signup", "auth.signup_role"])
    }

    @Test func connectionLimitKeysParseAndAreValidated() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kinora.toml"
        try write("[server]\nheader_timeout_seconds = 2.5\nidle_timeout_seconds = 5\nmax_connections_per_address = 20\n", to: path)
        let config = try KinoraConfig.load(path)
        #expect(config.headerTimeoutSeconds == 2.5 && config.idleTimeoutSeconds == 5 && config.maxConnectionsPerAddress == 20)
        #expect(KinoraConfig().headerTimeoutSeconds == 10 && KinoraConfig().idleTimeoutSeconds == 30)
        #expect(KinoraConfig().maxConnectionsPerAddress == 256)
        try write("[server]\nheader_timeout_seconds = 0\nidle_timeout_seconds = -1\nmax_connections_per_address = 0\n", to: path)
        let errors = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        #expect(
            Set(errors?.errors.map { $0.key ?? "" } ?? [])
                == ["server.header_timeout_seconds", "server.idle_timeout_seconds", "server.max_connections_per_address"])
    }
    @Test func transcodeTimingAndAudioKeysParseAndAreValidated() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kinora.toml"
        let defaults = KinoraConfig()
        #expect(defaults.transcodeSegmentSeconds == 4 && defaults.transcodeKeyframeSeconds == 2)
        #expect(defaults.transcodeMaxAudioTracks == 8 && defaults.transcodeSurround)
        try write("[transcode]\nsegment_seconds = 6\nkeyframe_seconds = 2\nmax_audio_tracks = 2\nsurround = false\n", to: path)
        let config = try KinoraConfig.load(path)
        #expect(config.transcodeSegmentSeconds == 6 && config.transcodeKeyframeSeconds == 2)
        #expect(config.transcodeMaxAudioTracks == 2 && !config.transcodeSurround)

        // Every segment must start with an IDR frame: the error names the file and the key.
        try write("[transcode]\nsegment_seconds = 5\n", to: path)
        let uneven = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        #expect(
            uneven?.description
                == path + ": transcode.segment_seconds: 5 is not a whole multiple of transcode.keyframe_seconds (2): every segment must start with a key frame")
        try write("[transcode]\nsegment_seconds = 4\nkeyframe_seconds = 6\n", to: path)
        let longer = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        #expect(longer?.errors.map(\.key) == ["transcode.keyframe_seconds"])
        #expect(longer?.description.contains("longer than transcode.segment_seconds (4)") == true)
        try write("[transcode]\nsegment_seconds = 0\nkeyframe_seconds = \"2\"\nmax_audio_tracks = 0\n", to: path)
        let bad = #expect(throws: ConfigErrors.self) { try KinoraConfig.load(path) }
        #expect(
            Set(bad?.errors.map { $0.key ?? "" } ?? [])
                == ["transcode.segment_seconds", "transcode.keyframe_seconds", "transcode.max_audio_tracks"])
        #expect(bad?.errors.allSatisfy { $0.file == path } == true)
    }
}
