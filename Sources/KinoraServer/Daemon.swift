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
        FileLimit.closeDescriptors(atOrAbove: fileLimit)
        logger.info(
            "starting kinora \(kinoraVersion)",
            metadata: [
                "config": .string(setup.source), "data": .string(config.dataDir),
                "open_files": .stringConvertible(fileLimit),
            ])

        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        // This runs only inside the kinora executable, whose hidden `plugin inspect` the child answers.
        let inspector = ChildProcessInspector(executable: "/proc/self/exe", secretFolders: setup.secretFolders)
        let assembly = try DaemonAssembly(setup, logger: logger, prometheus: prometheus, moduleInspector: inspector)
        let registry = assembly.registry

        var app = Application(
            router: assembly.router,
            // Connection limits ([server] header/idle timeouts, connections per address).
            server: .kinora(config, logger: logger, fastPath: assembly.streamFastPath),
            configuration: .init(address: .hostname(config.listenHost, port: config.listenPort), serverName: "kinora"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.listenPort
                logger.info("listening on http://\(config.listenHost):\(port)")
                // Plugins started before the server: listening is ready (kinora.service is Type=notify).
                SystemdNotify.send("READY=1\nSTATUS=listening on http://\(config.listenHost):\(port)")
            },
            logger: logger)
        for service in assembly.services { app.addServices(service) }
        do {
            try await app.runService()
        } catch  where String(describing: error).contains("Address already in use") {
            await registry.stopAll()
            throw SetupError(
                "\(config.listenHost):\(config.listenPort): address already in use (another kinora running? change [server] listen or --listen)")
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
