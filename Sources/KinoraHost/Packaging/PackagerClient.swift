import KinoraConfiguration
import KinoraPluginABI

/// A manifest file produced by a packager, host side: a copy of the plugin's bytes that
/// outlives the completion, ready to store next to the segments.
///
/// ```swift
/// let (files, _) = try await packager.package(presentationJSON: presentation)
/// for file in files {
///     try await storage.put(objects.key(file.name), contentType: file.mediaType, bytes: file.data)
/// }
/// ```
public struct PackagedFile: Sendable, Hashable {
    public var name: String
    public var mediaType: String
    public var data: [UInt8]
}

/// Async access to a `kinora.packager/1` instance, so the publisher awaits manifests without
/// touching the C table or blocking a task on the plugin.
///
/// ```swift
/// for packager in registry.packagers {
///     let (files, entry) = try await packager.package(presentationJSON: presentation)
///     print(packager.instance.name, entry, files.count)
/// }
/// ```
public struct PackagerClient: Sendable {
    public let instance: PluginInstance
    let table: ABITable<kn_packager_v1_t>
    let growing: ABITable<kn_packager_growing_v1_t>?

    init?(_ instance: PluginInstance) {
        guard let table = instance.interface(KN_PACKAGER_ID, as: kn_packager_v1_t.self) else { return nil }
        self.instance = instance
        self.table = ABITable(table)
        growing = instance.interface(KN_PACKAGER_GROWING_ID, as: kn_packager_growing_v1_t.self).map(ABITable.init)
    }

    /// Whether the instance writes manifests for a video still being made
    /// (`kinora.packager.growing/1`); one that does not is called once the first pass is done.
    public var writesGrowing: Bool { growing != nil }

    /// The manifests for `presentation` and the name players start from.
    public func package(presentation: JSONValue, requestID: String? = nil) async throws -> (files: [PackagedFile], entry: String) {
        try await package(presentationJSON: presentation.jsonString, requestID: requestID)
    }

    /// The manifests for a presentation already encoded (the daemon's typed one), passed as is.
    ///
    /// - Parameters:
    ///   - presentationJSON: The presentation described in `kinora/plugin.h`.
    ///   - requestID: Correlation id the plugin may log.
    /// - Returns: The manifest files and the name players start from.
    /// - Throws: ``PluginCallError`` with the plugin's status and message.
    public func package(presentationJSON: String, requestID: String? = nil) async throws -> (files: [PackagedFile], entry: String) {
        let table = self.table
        return try await manifests(presentationJSON, requestID: requestID) { plugin, call, json, done in
            table.pointee.package?(plugin, call, json, done)
        }
    }

    /// The manifests for a presentation with `"complete": false`, through
    /// `kinora.packager.growing/1`.
    ///
    /// ```swift
    /// for packager in registry.packagers where packager.writesGrowing {
    ///     let (files, _) = try await packager.packageGrowing(presentationJSON: partial)
    /// }
    /// ```
    /// - Throws: ``PluginCallError`` with `.unsupported` when the instance lacks the interface.
    public func packageGrowing(presentationJSON: String, requestID: String? = nil) async throws -> (files: [PackagedFile], entry: String) {
        guard let growing else {
            throw PluginCallError(status: .unsupported, message: "no \(KN_PACKAGER_GROWING_ID) interface", instance: instance.name)
        }
        return try await manifests(presentationJSON, requestID: requestID) { plugin, call, json, done in
            growing.pointee.package_growing?(plugin, call, json, done)
        }
    }

    private func manifests(
        _ presentationJSON: String, requestID: String?,
        _ operation: @escaping @Sendable (UnsafePointer<kn_plugin_t>, UnsafePointer<kn_call_t>, UnsafePointer<CChar>?, kn_completion_t) -> Void
    ) async throws -> (files: [PackagedFile], entry: String) {
        let instanceName = instance.name
        return try await instance.invoke(
            requestID: requestID, strings: [presentationJSON],
            { plugin, call, s, done in
                operation(plugin, call, s[0], done)
            },
            decode: { result in
                guard let set = result?.assumingMemoryBound(to: kn_manifest_set_t.self).pointee, let entry = set.entry else {
                    throw PluginCallError(status: .internal, message: "package completed without manifests", instance: instanceName)
                }
                let files = (0..<set.count).map { i -> PackagedFile in
                    let file = set.files[i]
                    let bytes = file.data.map { Array(UnsafeBufferPointer(start: $0, count: file.size)) } ?? []
                    return PackagedFile(
                        name: file.name.map { String(cString: $0) } ?? "", mediaType: file.media_type.map { String(cString: $0) } ?? "", data: bytes)
                }
                return (files, String(cString: entry))
            })
    }
}
