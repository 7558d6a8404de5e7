import KinoraConfiguration
import KinoraPluginABI

/// Async access to a `kinora.moderation/1` instance, so callers await labels without
/// feeding a C reader themselves.
///
/// ```swift
/// if let classifier = registry.moderation(named: "words") {
///     let result = try await classifier.classify(text: comment)
///     let flagged = result["labels"]?.arrayValue?.contains { ($0["score"]?.doubleValue ?? 0) > 0.5 } ?? false
/// }
/// ```
public struct ModerationClient: Sendable {
    public let instance: PluginInstance
    let table: ABITable<kn_moderation_v1_t>
    /// `kinora.moderation.feedback/1`, when the instance learns from decisions.
    let feedbackTable: ABITable<kn_moderation_feedback_v1_t>?

    init?(_ instance: PluginInstance) {
        guard let table = instance.interface(KN_MODERATION_ID, as: kn_moderation_v1_t.self) else { return nil }
        self.instance = instance
        self.table = ABITable(table)
        feedbackTable =
            instance.implements(KN_MODERATION_FEEDBACK_ID)
            ? instance.interface(KN_MODERATION_FEEDBACK_ID, as: kn_moderation_feedback_v1_t.self).map(ABITable.init) : nil
    }

    /// The media type text is sent as.
    public static let textType = "text/plain; charset=utf-8"

    /// Classifies UTF-8 text; returns the plugin's `{"labels":[…]}` object.
    ///
    /// - Parameters:
    ///   - text: The text to classify, sent as `text/plain; charset=utf-8`.
    ///   - requestID: Correlation id the plugin may log.
    ///   - deadline: When the plugin should give up (it sees it as the call's deadline).
    /// - Returns: The plugin's answer, parsed.
    /// - Throws: ``PluginCallError`` (``PluginStatusCode/unsupported`` when the plugin does not
    ///   classify text), or a parse error when the answer is not JSON.
    public func classify(text: String, requestID: String? = nil, deadline: ContinuousClock.Instant? = nil) async throws -> JSONValue {
        try await classify(media: Array(text.utf8), mediaType: Self.textType, requestID: requestID, deadline: deadline)
    }

    /// Classifies `media` of `mediaType` (`image/jpeg`, …); returns the plugin's
    /// `{"labels":[…]}` object.
    ///
    /// - Throws: ``PluginCallError`` (``PluginStatusCode/unsupported`` when the plugin does not
    ///   classify that media type), or a parse error when the answer is not JSON.
    public func classify(
        media bytes: [UInt8], mediaType: String, requestID: String? = nil, deadline: ContinuousClock.Instant? = nil
    ) async throws -> JSONValue {
        let bridge = ReaderBridge(whole: bytes)
        let table = self.table
        let instanceName = instance.name
        return try await instance.invoke(
            requestID: requestID, deadline: deadline, strings: [mediaType],
            { plugin, call, s, done in
                table.pointee.classify?(plugin, call, s[0], bridge.reader(sizeHint: Int64(bytes.count)), done)
            },
            decode: { result in
                guard let text = result?.assumingMemoryBound(to: CChar.self) else {
                    throw PluginCallError(status: .internal, message: "classify completed without a result", instance: instanceName)
                }
                return try JSONValue(parsing: String(cString: text))
            }, finished: { bridge.consumerFinished() })
    }
}
