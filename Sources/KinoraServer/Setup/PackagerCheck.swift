import KinoraConfiguration
import KinoraHost

extension ResolvedSetup {
    /// The configuration leaves uploads unplayable (no packager instance): the problem and its
    /// fix, naming the plugins.d folder, for `kinora config check` and the `serve` log.
    ///
    /// ```swift
    /// registry.createInstances(setup.instances)
    /// if let problem = setup.packagerCheck(registry) { print(problem.description) }
    /// ```
    public func packagerCheck(_ registry: PluginRegistry) -> ConfigError? {
        guard let problem = registry.playbackProblem else { return nil }
        let folder = config.pluginsDirectory.flatMap { Paths.isDirectory($0) ? $0 : nil }
        let file = folder ?? config.file ?? "embedded defaults"
        let example = (folder ?? "plugins.d") + "/hls.toml"
        return ConfigError(
            file: file,
            "\(problem) (their transcodes fail with no manifest written); name a packager instance in plugins.d, "
                + "for example \(example) holding the line plugin = \"org.kinora.packager-hls\" (and dash.toml with "
                + "plugin = \"org.kinora.packager-dash\" for DASH)")
    }
}
