import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore
import Logging
import Prometheus
import ServiceLifecycle

/// Everything `kinora serve` builds before it listens: the migrated database, the started
/// plugins, the router with every middleware and route, and the services that run beside the
/// HTTP server. `Daemon.run` serves it on a socket; tests drive the same router in process
/// (`KinoraTestSupport`'s `InProcessDaemon`), so what they exercise is what the daemon serves.
public struct DaemonAssembly {
    public let config: KinoraConfig
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public let router: Router<KinoraRequestContext>
    /// Stopped in reverse order after the server: transcoding and the tus sweep, then plugins.
    public let services: [any Service]
    /// Answers hot manifests before the router, with the router's rate limiter.
    let streamFastPath: StreamFastPath?

    /// - Parameter moduleInspector: How installed modules are inspected without being loaded; `kinora serve`
    ///   passes a child of its own executable. With nil (tests running the daemon in process) every
    ///   module is loaded, as no child executable is at hand.
    public init(
        _ setup: ResolvedSetup, logger: Logger, prometheus: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        moduleInspector: (any ModuleInspector)? = nil
    ) throws {
        let config = setup.config

        try Paths.makeDirectory(config.dataDir)
        let database = try DatabaseOpening.open(config)
        let applied = try database.migrate()
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": .string(applied.joined(separator: ","))]) }
        let token = try BootstrapToken.prepare(dataDir: config.dataDir, database: database, logger: logger)

        let environment = HostEnvironment(logger: logger, version: kinoraVersion, secrets: SecretStore(folders: setup.secretFolders))
        let registry = PluginRegistry(environment: environment, workerThreads: config.pluginWorkerThreads)
        if let moduleInspector {
            // Only modules an instance names are mapped; the others are listed from the cache.
            let inspector = CachingInspector(cacheFile: config.dataDir + "/plugin-modules.json", inner: moduleInspector)
            registry.discoverModules(from: setup.pluginFolders, inspector: inspector)
        } else {
            registry.loadModules(from: setup.pluginFolders)
        }
        registry.createInstances(setup.instances)
        let configErrors = setup.instanceErrors + setup.crossCheck(registry)
        for error in configErrors { logger.error("\(error.description)") }
        registry.recordInstanceErrors(configErrors)
        registry.startAll()
        // Checked after start: a packager that failed to start leaves uploads unplayable too.
        if let packager = setup.packagerCheck(registry) { logger.error("\(packager.description)") }

        let router = Router(context: KinoraRequestContext.self)
        router.add(middleware: EdgeMiddleware(trustedProxies: Set(config.trustedProxies)))
        let signer = JWTSigner(secret: try JWTSecret.loadOrCreate(dataDir: config.dataDir, database: database))
        // Refresh tokens past their expiry can never be used again; the dummy hash that makes an
        // unknown user's login cost what a known one's does is computed now, not on a request,
        // on a thread of its own: bcrypt at cost 12 would otherwise add ~250 ms to every start.
        let expired = try database.users.deleteExpiredTokens()
        if expired > 0 { logger.info("removed \(expired) expired refresh tokens") }
        try database.passwordResets.deleteExpired()
        Thread.detachNewThread { _ = Accounts.dummyHash }
        let sessions = Sessions(
            database: database, idle: config.sessionIdleMinutes * 60, lifetime: config.sessionDays * 86400,
            cookieSecure: config.cookieSecure, trustedProxies: Set(config.trustedProxies), publicURL: config.publicURL,
            notifier: Notifier(database: database, registry: registry, config: config.notifications))
        try database.sessions.deleteExpired(idle: sessions.idle)
        router.add(
            middleware: AuthMiddleware(
                bootstrapToken: token, signer: signer, apiKeys: APIKeyAuthenticator(database: database),
                sessions: sessions, accounts: AccountStates(database: database)))
        let limiter = RateLimiter(config.rateLimit)
        router.add(middleware: EdgeLimitsMiddleware(limiter: limiter, maxBodyBytes: config.maxBodyBytes))
        let media = MediaWorker.beside(Paths.executableDirectory())
        let channelHealth = ChannelHealth()
        let unsubscribeKey = try SharedSecrets.key(
            "unsubscribe", file: config.dataDir + "/unsubscribe.key", what: "the key of unsubscribe links", database: database)
        let wiring = RouteWiring(
            setup: setup, database: database, registry: registry, prometheus: prometheus, token: token, signer: signer,
            twoFactorKey: try TwoFactor.loadKey(dataDir: config.dataDir, database: database), sessions: sessions, media: media,
            unsubscribeKey: unsubscribeKey, channelHealth: channelHealth)
        var services: [any Service] = [PluginShutdownService(registry: registry, logger: logger), ClusterEventsService(events: database.events)]
        if config.node.servesAPI {
            let registered = wiring.register(on: router)
            let social = registered.social
            streamFastPath = StreamFastPath(
                routes: registered.streams, limiter: limiter, trustedProxies: Set(config.trustedProxies), logger: logger)
            // Account deletions a crash or a storage outage cut short are finished now.
            Task { await social.deletion.resumePending(logger: logger) }
            services.append(TusExpirySweep(uploads: registered.tusUploads, logger: logger))
        } else {
            // A worker node still answers /healthz, /readyz and /metrics for its orchestrator.
            wiring.registerSystemRoutes(on: router)
            streamFastPath = nil
        }
        if config.node.runsJobs {
            services.append(
                TranscodeService(
                    database: database,
                    pipeline: VideoPipeline(database: database, registry: registry, config: config, media: media, logger: logger),
                    logger: logger, concurrency: config.transcodeConcurrency, maxAttempts: config.transcodeMaxAttempts))
        }
        if config.node.runsJobs {
            let templates = NotificationTemplates(shareDir: setup.shareDir, overrides: config.notifications.templates)
            services.append(
                NotificationDelivery(
                    database: database, registry: registry, config: config.notifications,
                    renderer: MessageRenderer(
                        database: database, templates: templates, config: config.notifications, siteURL: config.siteURL,
                        unsubscribeKey: unsubscribeKey),
                    health: channelHealth, logger: logger))
        }
        logger.info("node roles: \(config.node.roles.map(\.rawValue).sorted().joined(separator: ", "))")

        self.config = config
        self.database = database
        self.registry = registry
        self.router = router
        self.services = services
    }

    /// The application without a server: for Hummingbird's router test mode.
    public func routerApplication(logger: Logger) -> Application<RouterResponder<KinoraRequestContext>> {
        var app = Application(router: router, logger: logger)
        for service in services { app.addServices(service) }
        return app
    }
}
