import ArgumentParser
import KinoraConfiguration
import KinoraHost
import KinoraServer

/// `kinora routes`: every route the daemon would serve, as `METHOD /path`. Operators see what
/// a build exposes; the test suite holds this list against share/openapi.yaml.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "Print every HTTP route the daemon serves, then exit.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        var daemon = options.daemonOptions
        daemon.listRoutes = true
        do {
            try await Daemon.run(daemon)
        } catch let errors as ConfigErrors {
            throw CLIError(errors.description)
        } catch let error as SetupError {
            throw CLIError(error.description)
        }
    }
}
