import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore
import Logging
import Prometheus

/// Every route the daemon serves, registered on a router from the parts they hold. `kinora
/// serve` builds the parts from the data folder and the started plugins; `kinora routes`
/// builds them with ``forListing(_:)``, which touches neither: the list comes from the same
/// code that serves, without migrating a database or starting a plugin.
struct RouteWiring {
    let setup: ResolvedSetup
    let database: KinoraDatabase
    let registry: PluginRegistry
    let prometheus: PrometheusCollectorRegistry
    let token: BootstrapToken
    let signer: JWTSigner
    let twoFactorKey: [UInt8]
    let sessions: Sessions
    let media: MediaWorker
    /// Signs one-click unsubscribe links (``UnsubscribeToken``).
    let unsubscribeKey: [UInt8]
    /// How the notification channels fare on this node, for /readyz.
    var channelHealth = ChannelHealth()

    /// What the serving daemon keeps using after registration.
    struct Registered {
        let social: SocialRoutes
        let tusUploads: TusUploads
        let streams: StreamRoutes
    }

    /// Stand-ins that open no file and start nothing: a database never opened (any use
    /// traps, so a route that queried at registration would fail the route-list test), a
    /// plugin registry with no module loaded, throwaway secrets.
    static func forListing(_ setup: ResolvedSetup) -> RouteWiring {
        let config = setup.config
        let database = KinoraDatabase.unopened(path: config.dataDir + "/kinora.sqlite")
        let environment = HostEnvironment(logger: .init(label: "kinora.routes"), version: kinoraVersion, secrets: SecretStore(folders: []))
        return RouteWiring(
            setup: setup, database: database, registry: PluginRegistry(environment: environment, workerThreads: 1),
            prometheus: PrometheusCollectorRegistry(), token: BootstrapToken(path: "", value: []),
            signer: JWTSigner(secret: [UInt8](repeating: 0, count: 32)), twoFactorKey: [UInt8](repeating: 0, count: 32),
            sessions: Sessions(database: database, idle: 1, lifetime: 1, cookieSecure: false, trustedProxies: [], publicURL: nil),
            media: MediaWorker.beside(Paths.executableDirectory()), unsubscribeKey: [UInt8](repeating: 0, count: 32))
    }

    /// `METHOD /pattern` for every route, as `kinora routes` prints them.
    static func routeList(_ setup: ResolvedSetup) -> [String] {
        let router = Router(context: KinoraRequestContext.self)
        forListing(setup).register(on: router)
        return router.routes.map { "\($0.method) \($0.path)" }
    }

    @discardableResult
    func register(on router: Router<KinoraRequestContext>) -> Registered {
        let config = setup.config
        let auth = AuthRoutes(
            database: database, tokens: AccessTokens(signer: signer, lifetime: config.accessTokenSeconds),
            refreshLifetime: config.refreshTokenDays * 86400,
            twoFactor: TwoFactor(key: twoFactorKey, database: database),
            passwords: PasswordChecks(throttle: LoginThrottle(policy: .init(config))))
        auth.register(on: router)
        let notifier = Notifier(database: database, registry: registry, config: config.notifications)
        AccountAdministration(auth: auth, config: config, bootstrap: token, notifier: notifier).register(on: router)
        OIDCRoutes(
            database: database, auth: auth, configs: config.oidcProviders, publicURL: config.publicURL,
            reservedHandles: config.reservedHandles
        ).register(on: router)
        SessionRoutes(auth: auth, sessions: sessions).register(on: router)
        SessionListRoutes(database: database, sessions: sessions).register(on: router)
        TOTPRoutes(auth: auth).register(on: router)
        registerSystemRoutes(on: router)
        PluginRoutes(registry: registry).register(on: router)
        let adminOverview = AdminOverview(database: database, registry: registry, config: config)
        AdminAPIRoutes(overview: adminOverview).register(on: router)
        VideoRoutes(database: database, registry: registry, config: config, media: media).register(on: router)
        CaptionRoutes(database: database, registry: registry, config: config).register(on: router)
        AudioTrackRoutes(database: database, registry: registry, config: config).register(on: router)
        let streams = StreamRoutes(database: database, registry: registry, config: config)
        streams.register(on: router)
        ChannelRoutes(database: database, registry: registry, config: config).register(on: router)
        CategoryRoutes(database: database).register(on: router)
        SearchRoutes(database: database).register(on: router)
        let tusUploads = TusUploads(
            database: database, config: config,
            ingest: VideoIngest(database: database, registry: registry, config: config, media: media))
        TusRoutes(uploads: tusUploads).register(on: router)
        DocsRoutes(shareDir: setup.shareDir).register(on: router)
        let social = SocialRoutes(database: database, registry: registry, config: config, media: media, passwords: auth.passwords)
        social.register(on: router)
        let web = WebRoutes(database: database, shareDir: setup.shareDir)
        web.register(on: router)
        let adminPages = AdminRoutes(web: web, overview: adminOverview)
        adminPages.register(on: router)
        NotificationPages(web: web, admin: adminPages, administration: NotificationAdministration(database: database, registry: registry))
            .register(on: router)
        let inbox = NotificationInbox(database: database, config: config.notifications)
        NotificationRoutes(database: database, inbox: inbox).register(on: router)
        UnsubscribeRoutes(inbox: inbox, key: unsubscribeKey, web: web).register(on: router)
        NotifyCallbackRoutes(registry: registry, publicURL: config.publicURL).register(on: router)
        NotificationAddressRoutes(database: database, addresses: NotificationAddresses(database: database, registry: registry)).register(on: router)
        NotificationAdminRoutes(administration: NotificationAdministration(database: database, registry: registry), database: database)
            .register(on: router)
        router.add(middleware: WebNotFoundMiddleware(web: web))
        return Registered(social: social, tusUploads: tusUploads, streams: streams)
    }
}

extension RouteWiring {
    /// /healthz, /readyz and /metrics: all a worker-only node serves.
    func registerSystemRoutes(on router: Router<KinoraRequestContext>) {
        SystemRoutes(
            database: database, registry: registry, prometheus: prometheus, metricsAccess: setup.config.metricsAccess, channelHealth: channelHealth
        ).register(on: router)
    }
}

extension Daemon {
    /// The routes `kinora routes` prints, for tests that hold tables against them.
    public static func routeList(_ options: DaemonOptions) throws -> [String] {
        RouteWiring.routeList(try ResolvedSetup.resolve(options))
    }
}
