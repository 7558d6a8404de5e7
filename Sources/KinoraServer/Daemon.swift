import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `kinora serve`: opens the database, loads and starts plugins, serves HTTP until SIGTERM
/// or SIGINT, then drains requests, stops plugins in reverse order and returns.
public enum Daemon {
    public static func run(_ options: DaemonOptions) async throws {
        let setup = try ResolvedSetup.resolve(options)
        // Listing routes opens no database and starts no plugin (see RouteWiring).
        if options.listRoutes {
            for route in RouteWiring.routeList(setup) { print(route) }
            return
        }
        let config = setup.config
        LogSetup.bootstrap(format: config.logFormat, level: config.logLevel)
        let logger = Logger(label: "kinora")
        let fileLimit = FileLimit.raiseToHardLimit()
        logger.info("starting kinora \(kinoraVersion)", metadata: ["config": .string(setup.source), "data": .string(config.dataDir),
                                                              "open_files": .stringConvertible(fileLimit)])

        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))

        try Paths.makeDirectory(config.dataDir)
        let database = try KinoraDatabase(path: config.dataDir + "/kinora.sqlite")
        let applied = try database.migrate()
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": .string(applied.joined(separator: ","))]) }
        let token = try BootstrapToken.prepare(dataDir: config.dataDir, database: database, logger: logger)

        let environment = HostEnvironment(logger: logger, version: kinoraVersion, secrets: SecretStore(folders: setup.secretFolders))
        let registry = PluginRegistry(environment: environment, workerThreads: config.pluginWorkerThreads)
        registry.loadModules(from: setup.pluginFolders)
        registry.createInstances(setup.instances)
        let configErrors = setup.instanceErrors + setup.crossCheck(registry)
        for error in configErrors { logger.error("\(error.description)") }
        registry.recordInstanceErrors(configErrors)
        registry.startAll()

        let router = Router(context: KinoraRequestContext.self)
        router.add(middleware: EdgeMiddleware(trustedProxies: Set(config.trustedProxies)))
        let signer = JWTSigner(secret: try JWTSecret.loadOrCreate(dataDir: config.dataDir))
        // Refresh tokens past their expiry can never be used again; the dummy hash that makes an
        // unknown user's login cost what a known one's does is computed now, not on a request,
        // on a thread of its own: bcrypt at cost 12 would otherwise add ~250 ms to every start.
        let expired = try database.users.deleteExpiredTokens()
        if expired > 0 { logger.info("removed \(expired) expired refresh tokens") }
        try database.passwordResets.deleteExpired()
        Thread.detachNewThread { _ = Accounts.dummyHash }
        let sessions = Sessions(database: database, idle: config.sessionIdleMinutes * 60, lifetime: config.sessionDays * 86400,
                                cookieSecure: config.cookieSecure, trustedProxies: Set(config.trustedProxies), publicURL: config.publicURL)
        try database.sessions.deleteExpired(idle: sessions.idle)
        router.add(middleware: AuthMiddleware(bootstrapToken: token, signer: signer, apiKeys: APIKeyAuthenticator(database: database),
                                              sessions: sessions, accounts: AccountStates(database: database)))
        router.add(middleware: EdgeLimitsMiddleware(limiter: config.rateLimitEnabled ? RateLimiter(limits: config.rateLimits) : nil,
                                                    maxBodyBytes: config.maxBodyBytes))
        let media = MediaWorker.beside(Paths.executableDirectory())
        let wiring = RouteWiring(setup: setup, database: database, registry: registry, prometheus: prometheus, token: token, signer: signer,
                                 twoFactorKey: try TwoFactor.loadKey(dataDir: config.dataDir), sessions: sessions, media: media)
        let registered = wiring.register(on: router)
        let social = registered.social, tusUploads = registered.tusUploads

        // Account deletions a crash or a storage outage cut short are finished now.
        Task { await social.deletion.resumePending(logger: logger) }
        var app = Application(
            router: router,
            // Connection limits ([server] header/idle timeouts, connections per address).
            server: .kinora(config, logger: logger),
            configuration: .init(address: .hostname(config.listenHost, port: config.listenPort), serverName: "kinora"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.listenPort
                logger.info("listening on http://\(config.listenHost):\(port)")
                // Plugins started before the server: listening is ready (kinora.service is Type=notify).
                SystemdNotify.send("READY=1\nSTATUS=listening on http://\(config.listenHost):\(port)")
            },
            logger: logger)
        // Services stop in reverse order: the server first, then transcoding, then plugins.
        app.addServices(
            PluginShutdownService(registry: registry, logger: logger),
            TranscodeService(
                database: database,
                pipeline: VideoPipeline(database: database, registry: registry, config: config, media: media, logger: logger),
                logger: logger, concurrency: config.transcodeConcurrency, maxAttempts: config.transcodeMaxAttempts),
            TusExpirySweep(uploads: tusUploads, logger: logger))
        do {
            try await app.runService()
        } catch where String(describing: error).contains("Address already in use") {
            await registry.stopAll()
            throw SetupError("\(config.listenHost):\(config.listenPort): address already in use (another kinora running? change [server] listen or --listen)")
        }
        logger.info("stopped")
    }
}

/// Holds the plugins for the server's lifetime; on graceful shutdown (after the HTTP server
/// has drained, since services stop in reverse order) it stops every instance.
struct PluginShutdownService: Service {
    let registry: PluginRegistry
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("stopping plugins")
        await registry.stopAll()
    }
}
