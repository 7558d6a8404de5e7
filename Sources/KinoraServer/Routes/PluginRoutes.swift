import Foundation
import Hummingbird
import KinoraHost

/// GET /api/v1/plugins: modules, ABI versions, interfaces, instances, state, last error.
struct PluginRoutes {
    let registry: PluginRegistry

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/plugins") { _, context in
            try Access.admin.check(context)
            let data = try JSONSerialization.data(withJSONObject: PluginReport.make(registry), options: [.sortedKeys, .prettyPrinted])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

/// The plugin inventory as JSON-ready dictionaries; shared by the API and `kinora plugin list --json`.
public enum PluginReport {
    public static func make(_ registry: PluginRegistry) -> [String: Any] {
        // Every installed module, loaded or not: only those an instance uses are mapped.
        let modules: [[String: Any]] = registry.installedModules.map { module in
            [
                "path": module.path,
                "abi": module.abi,
                "loaded": registry.isLoaded(module.path),
                "plugins": module.plugins.map { plugin -> [String: Any] in
                    var entry: [String: Any] = ["id": plugin.id, "name": plugin.name, "interfaces": plugin.interfaces]
                    entry["version"] = plugin.version
                    entry["vendor"] = plugin.vendor
                    entry["description"] = plugin.description
                    return entry
                },
            ]
        }
        let instances: [[String: Any]] = registry.instances.map { instance in
            var entry: [String: Any] = [
                "name": instance.name, "plugin": instance.pluginID, "state": instance.state.rawValue,
                "interfaces": instance.descriptor.interfaces, "module": instance.module.path,
                "calls": instance.callCount, "errors": instance.errorCount,
            ]
            entry["config_file"] = instance.configFile
            entry["last_error"] = instance.lastError
            return entry
        }
        return [
            "modules": modules,
            "instances": instances,
            "refused_modules": registry.moduleFailures.map { ["path": $0.path, "reason": $0.reason] },
            "config_errors": registry.instanceErrors.map(\.description),
        ]
    }
}
