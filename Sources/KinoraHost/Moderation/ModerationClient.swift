import KinoraConfiguration
import KinoraPluginABI

/// Async access to a `kinora.moderation/1` instance.
public struct ModerationClient: Sendable {
    public let instance: PluginInstance
    let table: ABITable<kn_moderation_v1_t>

    init?(_ instance: PluginInstance) {
        guard let table = instance.interface(KN_MODERATION_ID, as: kn_moderation_v1_t.self) else { return nil }
        self.instance = instance
        self.table = ABITable(table)
    }

    /// Classifies UTF-8 text; returns the plugin's `{"labels":[…]}` object.
    public func classify(text: String, requestID: String? = nil) async throws -> JSONValue {
        let bridge = ReaderBridge()
        let bytes = Array(text.utf8)
        let table = self.table
        let instanceName = instance.name
        let producer = Task {
            if !bytes.isEmpty { _ = await bridge.push(bytes) }
            bridge.finish()
        }
        defer { producer.cancel() }
        return try await instance.invoke(requestID: requestID, strings: ["text/plain; charset=utf-8"], { plugin, call, s, done in
            table.pointee.classify?(plugin, call, s[0], bridge.reader(sizeHint: Int64(bytes.count)), done)
        }, decode: { result in
            guard let text = result?.assumingMemoryBound(to: CChar.self) else {
                throw PluginCallError(status: .internal, message: "classify completed without a result", instance: instanceName)
            }
            return try JSONValue(parsing: String(cString: text))
        }, finished: { bridge.consumerFinished() })
    }
}
