// swift-tools-version:6.0
import PackageDescription

// Plugins export exactly one symbol (kinora_module_entry_v1): a linker version script hides
// everything else, so two plugins can never shadow each other's helpers.
let pluginVersionScript = "\(Context.packageDirectory)/SDK/c/kinora-plugin.map"
let pluginLinkerFlags: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--version-script=\(pluginVersionScript)", "-Xlinker", "-z", "-Xlinker", "defs"])
]

let package = Package(
    name: "Kinora",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kinora", targets: ["kinora"]),
        .executable(name: "kinora-media", targets: ["kinora-media"]),
        .library(name: "kinora-storage-local", type: .dynamic, targets: ["KinoraStorageLocal"]),
        .library(name: "kinora-moderation-wordlist", type: .dynamic, targets: ["KinoraModerationWordlist"]),
        .library(name: "kinora-moderation-image", type: .dynamic, targets: ["KinoraModerationImage"]),
        .library(name: "kinora-moderation-bayes", type: .dynamic, targets: ["KinoraModerationBayes"]),
        .library(name: "kinora-storage-s3", type: .dynamic, targets: ["KinoraStorageS3"]),
        .library(name: "kinora-notify-smtp", type: .dynamic, targets: ["KinoraNotifySMTP"]),
        .library(name: "kinora-notify-webhook", type: .dynamic, targets: ["KinoraNotifyWebhook"]),
        .library(name: "kinora-notify-sms", type: .dynamic, targets: ["KinoraNotifySMS"]),
        .library(name: "kinora-notify-webpush", type: .dynamic, targets: ["KinoraNotifyWebPush"]),
        .library(name: "kinora-packager-hls", type: .dynamic, targets: ["KinoraPackagerHLS"]),
        .library(name: "kinora-packager-dash", type: .dynamic, targets: ["KinoraPackagerDASH"]),
    ],
    dependencies: [
        // The plugin SDK (plugin.h, the C and Swift kits, the conformance suites): its own package.
        .package(name: "KinoraPluginSDK", path: "SDK"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        // Already Hummingbird's; named for the HTTP part types a pipeline handler sees.
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
    ],
    targets: [
        // The typed values the media worker, the daemon and the packagers exchange (renditions,
        // probe results, thumbnails, worker lines, the presentation), the ladder, the object
        // layout and the local-file ETag: one definition for every side. Depends on nothing.
        .target(name: "KinoraMediaContract"),

        // The daemon's configuration (kinora.toml, instance and sign-on files) and the JSON value
        // and JSON Schema types it and plugin configuration are checked with.
        .target(
            name: "KinoraConfiguration",
            dependencies: [
                .product(name: "TOMLKit", package: "TOMLKit"),
                // JSONValue: the SDK's, so settings are read by the same parser as in plugins.
                .product(name: "KinoraJSON", package: "KinoraPluginSDK"),
            ]
        ),

        // Loading, checking, configuring and calling plugins.
        .target(
            name: "KinoraHost",
            dependencies: [
                "KinoraConfiguration",
                // Background plugin calls (notification sends) run at a lower CPU priority.
                "CKinoraThread",
                .product(name: "KinoraPluginABI", package: "KinoraPluginSDK"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // FFmpeg 5.1 (Debian 12) as a system library, with a shim for what Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat libavcodec libavfilter libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavfilter-dev", "libswscale-dev", "libavutil-dev"])]
        ),

        // zlib, to gzip the web UI's scripts and styles once when first served.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // Media work on the FFmpeg libraries: probe and validation (transcoding to come).
        .target(
            name: "KinoraMedia",
            dependencies: ["CFFmpeg", "KinoraMediaContract", .product(name: "Logging", package: "swift-log")]
        ),

        // The store's PostgreSQL backend: libpq (Debian's libpq5) is dlopen'ed on first use, so
        // a daemon on SQLite never maps it or its TLS, Kerberos and LDAP libraries.
        .target(
            name: "CKinoraPQ",
            cSettings: [.unsafeFlags(["-std=c11", "-Wall", "-Wextra"])]
        ),

        // SQLite through GRDB, and PostgreSQL through libpq: database, migrations, repositories.
        .target(
            name: "KinoraStore",
            dependencies: [
                "CKinoraPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Domain services, a folder per domain: plain values in, typed results and typed errors
        // (DomainError, one list of ProblemType) out. No HTTP types: the edge maps them.
        .target(
            name: "KinoraCore",
            dependencies: [
                "KinoraConfiguration",
                "KinoraHost",
                "KinoraMediaContract",
                "KinoraStore",
                .product(name: "Logging", package: "swift-log"),
                // Accounts: bcrypt for passwords, SHA-256 and HMAC for secrets and access tokens.
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // Single sign-on: RSA ID-token signatures, and the back channel to providers.
                .product(name: "_CryptoExtras", package: "swift-crypto"), "CKinoraHTTP", "CKinoraThread",
                // BlockingPools: bcrypt, stream reads and upload writes each on a pool of their own.
                .product(name: "NIOPosix", package: "swift-nio"),
                // Upload and caption services take their bytes as ByteBuffers.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // The transcode queue runs as a service of the daemon's group, stopped gracefully.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Notification messages are rendered from Mustache templates, as the web pages are.
                .product(name: "Mustache", package: "swift-mustache"),
                // How long a notification fan-out took, on /metrics.
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // A thread's own CPU priority (background work below the threads that answer requests).
        .target(name: "CKinoraThread", cSettings: [.unsafeFlags(["-std=c11", "-Wall", "-Wextra"])]),

        // The back channel of single sign-on (discovery, JWKS, token endpoint): libcurl is
        // dlopen'ed on first use, so neither it nor its TLS library is linked into the daemon.
        .target(
            name: "CKinoraHTTP",
            cSettings: [.unsafeFlags(["-std=c11", "-Wall", "-Wextra"])]
        ),

        // HTTP edge and the daemon's wiring.
        .target(
            name: "KinoraServer",
            dependencies: [
                "KinoraConfiguration",
                "KinoraCore",
                "KinoraHost",
                "KinoraMediaContract",
                "KinoraStore",
                .product(name: "KinoraPluginABI", package: "KinoraPluginSDK"),
                "CKinoraHTTP",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // Stream files go by sendfile, written past the HTTP/1 encoder (Streaming/FileBody).
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTP1Channel and ServerChildChannel: the connection limits wrap Hummingbird's channel.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The parts a pipeline handler sees (Streaming/StreamFastPathHandler).
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The listing page cache's hit and miss counters.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Reads share/openapi.yaml to render the /api/docs reference page.
                .product(name: "Yams", package: "Yams"),
                // Renders the web UI's pages from share/web/templates.
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),

        .executableTarget(
            name: "kinora",
            dependencies: [
                "KinoraConfiguration",
                "KinoraCore",
                "KinoraServer",
                "KinoraStore",
                // `kinora recs offline` and `evaluate`: the recommender's model code on a file.
                "KinoraRecommender",
                // `kinora plugin conformance` and `classify` drive instances through the SDK's suites.
                .product(name: "KinoraPluginConformance", package: "KinoraPluginSDK"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The media worker: the only program linking FFmpeg (crash isolation, lean daemon).
        .executableTarget(
            name: "kinora-media",
            dependencies: ["KinoraMedia"]
        ),

        // Bundled plugins: one dynamic library each.
        .target(
            name: "KinoraStorageLocal",
            dependencies: [.product(name: "KinoraPluginKit", package: "KinoraPluginSDK")],
            path: "Plugins/storage-local",
            linkerSettings: pluginLinkerFlags
        ),
        .target(
            name: "KinoraPackagerHLS",
            dependencies: [.product(name: "KinoraPluginKit", package: "KinoraPluginSDK")],
            path: "Plugins/packager-hls",
            exclude: ["README.md"],
            linkerSettings: pluginLinkerFlags
        ),
        .target(
            name: "KinoraPackagerDASH",
            dependencies: [.product(name: "KinoraPluginKit", package: "KinoraPluginSDK")],
            path: "Plugins/packager-dash",
            exclude: ["README.md"],
            linkerSettings: pluginLinkerFlags
        ),
        // Naive Bayes spam classifier in Swift: learns from moderators' decisions.
        .target(
            name: "KinoraModerationBayes",
            dependencies: [.product(name: "KinoraPluginKit", package: "KinoraPluginSDK")],
            path: "Plugins/moderation-bayes",
            exclude: ["README.md"],
            linkerSettings: pluginLinkerFlags
        ),
        .target(
            name: "KinoraModerationWordlist",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/examples/moderation-wordlist",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra"])],
            linkerSettings: pluginLinkerFlags
        ),

        // Image moderation in C11 and one C++17 file: an operator's ONNX model run by OpenCV's
        // DNN module (libopencv-dnn-dev; no opencv4.pc comes with it, so the paths are named),
        // JPEG decoded by libjpeg-turbo (libjpeg62-turbo-dev).
        .target(
            name: "KinoraModerationImage",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/moderation-image",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-Wall", "-Wextra"])],
            cxxSettings: [.unsafeFlags(["-fvisibility=hidden", "-Wall", "-Wextra", "-I/usr/include/opencv4"])],
            linkerSettings: pluginLinkerFlags + [.linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_core"), .linkedLibrary("jpeg"), .linkedLibrary("m")]
        ),

        // S3 storage in C11: libcurl (HTTP/HTTPS), libcrypto (SigV4, MD5), libxml2 (replies),
        // all three dlopen'ed when the first instance is made (s3_libs.h), so not linked.
        .target(
            name: "KinoraStorageS3",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/storage-s3",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra", "-I/usr/include/libxml2"])],
            linkerSettings: pluginLinkerFlags
        ),

        // Notification channels in C11 (kinora.notify/1): mail (SMTP, DKIM), signed webhooks and
        // SMS in Twilio's shape. libcurl and libcrypto are dlopen'ed by the kit (knc_curl.h)
        // when the first instance is made, as the S3 plugin does, so not linked.
        .target(
            name: "KinoraNotifySMTP",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/notify-smtp",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra"])],
            linkerSettings: pluginLinkerFlags
        ),
        .target(
            name: "KinoraNotifyWebhook",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/notify-webhook",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra"])],
            linkerSettings: pluginLinkerFlags
        ),
        .target(
            name: "KinoraNotifySMS",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/notify-sms",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra"])],
            linkerSettings: pluginLinkerFlags
        ),

        .target(
            name: "KinoraNotifyWebPush",
            dependencies: [.product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), .product(name: "KinoraPluginCKit", package: "KinoraPluginSDK")],
            path: "Plugins/notify-webpush",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra"])],
            linkerSettings: pluginLinkerFlags
        ),

        // Test helpers (the conformance suites themselves are in the SDK package).
        .target(
            name: "KinoraTestSupport",
            dependencies: [
                "KinoraConfiguration", "KinoraHost", "KinoraServer", "KinoraStore",
                // ChunkSequence makes the conformance suites' test data for the daemon's StorageClient.
                .product(name: "KinoraPluginConformance", package: "KinoraPluginSDK"),
                // InProcessDaemon drives the daemon's router in Hummingbird's router test mode.
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/KinoraTestSupport"
        ),

        .executableTarget(
            name: "kinora-bench",
            dependencies: [
                "KinoraConfiguration", "KinoraHost", .product(name: "KinoraPluginABI", package: "KinoraPluginSDK"), "KinoraServer",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                // PostgresServer: the benchmarks on PostgreSQL start a server as the tests do.
                "KinoraStore", "KinoraTestSupport",
            ],
            path: "Benchmarks/kinora-bench"
        ),

        // The recommender's models (popularity, item-kNN, EASE, their hybrid), their tuning and
        // offline evaluation: plain Swift, no dependency, so the daemon and `kinora recs` share it.
        .target(name: "KinoraRecommender"),
        .testTarget(
            name: "KinoraRecommenderTests",
            dependencies: ["KinoraRecommender"]
        ),
        .testTarget(
            name: "KinoraConfigurationTests",
            dependencies: ["KinoraConfiguration", "KinoraTestSupport"]
        ),
        .testTarget(
            name: "KinoraHostTests",
            dependencies: [
                "KinoraConfiguration", "KinoraHost", "KinoraTestSupport", .product(name: "KinoraPluginConformance", package: "KinoraPluginSDK"),
            ]
        ),
        .testTarget(
            name: "KinoraMediaTests",
            // The kit: the daemon's presentation must decode in the packagers' decoder. The test
            // support: its waitpid-based wait for the tools the tests run.
            dependencies: [
                "KinoraMedia", "KinoraMediaContract", "KinoraTestSupport", .product(name: "KinoraPluginKit", package: "KinoraPluginSDK"),
            ]
        ),
        .testTarget(
            name: "KinoraStoreTests",
            dependencies: ["KinoraStore", "KinoraTestSupport"]
        ),
        .testTarget(
            name: "KinoraCoreTests",
            dependencies: ["KinoraCore", "KinoraTestSupport"]
        ),
        .testTarget(
            name: "KinoraServerTests",
            dependencies: ["KinoraServer", "KinoraCore", "KinoraTestSupport"]
        ),
        .testTarget(
            name: "KinoraEndToEndTests",
            // Crypto: the TOTP tests compute codes themselves (HMAC-SHA1, RFC 6238).
            dependencies: [
                "KinoraTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "KinoraPluginConformance", package: "KinoraPluginSDK"),
                // The database tests read PostgreSQL directly (job counts, a moved install).
                "KinoraStore",
            ]
        ),
    ]
)
