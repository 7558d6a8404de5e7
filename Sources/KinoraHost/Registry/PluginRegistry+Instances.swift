import KinoraConfiguration
import KinoraPluginABI

extension PluginRegistry {
    /// Validates and creates the instances of `configs` (disabled ones are skipped). Problems
    /// name the config file and key; the instance is then left out.
    @discardableResult
    public func createInstances(_ configs: [InstanceConfig]) -> [ConfigError] {
        var errors: [ConfigError] = []
        for config in configs where config.enabled {
            // Report every settings problem of a file at once, not just the first.
            let problems = validate(config)
            if !problems.isEmpty {
                errors += problems
                problems.forEach { logger.error("plugin instance refused: \($0.description)") }
                continue
            }
            do {
                let instance = try createInstance(config)
                addInstance(instance)
            } catch {
                errors.append(error)
                logger.error("plugin instance refused: \(error.description)")
            }
        }
        recordInstanceErrors(errors)
        return errors
    }

    /// Checks `config` against the plugin's schema without creating anything.
    public func validate(_ config: InstanceConfig) -> [ConfigError] {
        let file = config.file ?? "(embedded default instance \(config.name))"
        guard let (module, _) = plugin(config.pluginID) else {
            return [ConfigError(file: file, key: "plugin", unknownPluginMessage(config.pluginID))]
        }
        guard let schema = module.schemas[config.pluginID] else {
            if let object = config.settings.objectValue, !object.isEmpty {
                return [ConfigError(file: file, key: "settings", "plugin \(config.pluginID) takes no settings")]
            }
            return []
        }
        return schema.validate(config.settings, at: "settings").violations.map { ConfigError(file: file, key: $0.path, $0.message) }
    }

    /// Loads the plugin's module on first use (see ``discoverModules(from:inspector:)``).
    private func plugin(_ id: String) -> (LoadedModule, Int)? { module(providing: id) }

    private func createInstance(_ config: InstanceConfig) throws(ConfigError) -> PluginInstance {
        let file = config.file ?? "(embedded default instance \(config.name))"
        if instance(named: config.name) != nil {
            throw ConfigError(file: file, "instance name \"\(config.name)\" is already in use")
        }
        if let first = validate(config).first { throw first }
        guard let (module, index) = plugin(config.pluginID) else {
            throw ConfigError(file: file, key: "plugin", "unknown plugin \(config.pluginID)")
        }
        let settings = module.schemas[config.pluginID].map { $0.validate(config.settings).value } ?? config.settings
        let host = environment.context(instance: config.name, module: module.path)
        var out: UnsafePointer<kn_plugin_t>?
        var err = kn_error_t()
        let status = host.duringMainCallback {
            config.pluginID.withCString { id in
                settings.jsonString.withCString { json in
                    module.factory.pointee.create?(module.factory, host.raw, id, json, &out, &err) ?? KN_E_UNSUPPORTED
                }
            }
        }
        guard status == KN_OK, let raw = out else {
            throw ConfigError(file: file, "plugin \(config.pluginID) refused the settings: \(PluginCallError.message(from: err, status: status))")
        }
        // A NULL function would leave a caller without a completion forever: refuse the
        // instance now, naming the interface and the field. create() succeeded, so destroy() is owed.
        if let missing = ABIChecks.missingInInstance(raw, interfaces: module.plugins[index].interfaces) {
            raw.pointee.destroy?(raw)
            throw ConfigError(file: file, "plugin \(config.pluginID), instance \"\(config.name)\" refused: \(missing)")
        }
        return PluginInstance(
            name: config.name, descriptor: module.plugins[index], module: module, configFile: config.file, raw: raw, pool: pool,
            playback: StoragePlayback(settings: settings), logger: logger, host: host)
    }

    /// Starts every created instance in order. An instance that fails to start is destroyed
    /// and kept in the list as `failed` with the plugin's message.
    public func startAll() {
        for instance in instances where instance.state == .created {
            var err = kn_error_t()
            let start = { instance.raw.pointee.start?(instance.raw, &err) ?? KN_OK }
            let status = instance.host.map { $0.duringMainCallback(start) } ?? start()
            if status == KN_OK {
                instance.setState(.started)
                logger.info("plugin instance started", metadata: ["instance": .string(instance.name), "plugin": .string(instance.pluginID)])
            } else {
                let message = PluginCallError.message(from: err, status: status)
                instance.setState(.failed, error: message)
                instance.raw.pointee.destroy?(instance.raw)
                logger.error("plugin instance failed to start", metadata: ["instance": .string(instance.name), "error": .string(message)])
            }
        }
    }

    /// How long shutdown waits for an instance's calls in flight (the header's 10 seconds).
    public static let shutdownWait: Duration = .seconds(10)

    /// Stops instances in reverse start order (waiting for their calls to finish), destroys
    /// them, then calls each module's deinit. Modules stay mapped: they are never dlclosed.
    ///
    /// An instance with calls still in flight after `wait` is stopped but not destroyed, and
    /// its module gets no deinit(): the plugin may still be using its memory. Those calls'
    /// tasks resume with `unavailable`; a late completion is accepted and ignored.
    ///
    /// - Parameter wait: How long to wait for each instance's calls; tests pass a short one.
    public func stopAll(wait: Duration = PluginRegistry.shutdownWait) async {
        var stuckModules = Set<ObjectIdentifier>()
        for instance in instances.reversed() {
            switch instance.state {
            case .started:
                instance.setState(.stopped)
                let stuck = await instance.drain(timeout: wait)
                instance.raw.pointee.stop?(instance.raw)
                if stuck > 0 {
                    stuckModules.insert(ObjectIdentifier(instance.module))
                    instance.abandonCalls()
                    logger.warning(
                        "plugin instance still had calls in flight when the shutdown wait ended: stopped, not destroyed",
                        metadata: [
                            "instance": .string(instance.name), "calls": .stringConvertible(stuck), "waited": .string("\(wait)"),
                        ])
                    continue
                }
                instance.raw.pointee.destroy?(instance.raw)
                logger.info("plugin instance stopped", metadata: ["instance": .string(instance.name)])
            case .created:
                // Created but never started (config check): destroy without stop.
                instance.setState(.stopped)
                instance.raw.pointee.destroy?(instance.raw)
            case .failed, .stopped:
                break  // a failed start already destroyed it
            }
        }
        for module in modules where !stuckModules.contains(ObjectIdentifier(module)) { module.deinitialize() }
        if stuckModules.isEmpty {
            try? await pool.shutdown()
        } else {
            // A worker thread may be blocked inside the stuck plugin: waiting for it would
            // undo the bounded wait. Calls still queued are told the daemon is shutting down.
            let pool = self.pool
            Task.detached { try? await pool.shutdown() }
        }
    }
}

extension PluginRegistry {
    /// Why videos uploaded now could not be played, or nil: without a packager instance no
    /// manifest is ever written. A readiness condition (`/readyz`, the `serve` log, `kinora
    /// config check`); plain words without ids or paths, so anonymous callers may read it.
    /// Instances created but not yet started count (config check never starts them).
    ///
    /// ```swift
    /// if let problem = registry.playbackProblem { logger.error("\(problem)") }
    /// ```
    public var playbackProblem: String? {
        let packagers = instances(implementing: KN_PACKAGER_ID)
        if packagers.contains(where: { $0.state == .started || $0.state == .created }) { return nil }
        return packagers.isEmpty
            ? "no packager instance is configured: uploaded videos cannot be played"
            : "no packager instance is started: uploaded videos cannot be played"
    }
}
