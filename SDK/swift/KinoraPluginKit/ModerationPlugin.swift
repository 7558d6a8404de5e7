import KinoraPluginABI

/// One label of a classifier's answer: what was found, how sure the classifier is, and
/// optionally what matched. The kit turns a list of them into the verdict JSON the host reads
/// (`{"labels":[…]}`): scores clamped to [0, 1] (NaN is 0), highest first, text escaped.
///
/// ```swift
/// return [ModerationLabel(name: "spam", score: 0.93), ModerationLabel(name: "links", score: 0.4, matches: ["casino.example"])]
/// ```
public struct ModerationLabel: Sendable, Hashable {
    /// The label's name ("spam", "profanity"); the moderation queue shows it.
    public var name: String
    /// How sure the classifier is, 0 to 1; the host's policy compares it with `hold_score`.
    public var score: Double
    /// What matched, for the moderator (optional; never secrets).
    public var matches: [String]

    public init(name: String, score: Double, matches: [String] = []) {
        self.name = name
        self.score = score
        self.matches = matches
    }

    /// The verdict object `kinora.moderation/1` completes with.
    ///
    /// ```swift
    /// ModerationLabel.verdictJSON([ModerationLabel(name: "spam", score: 0.5)])  // {"labels":[{"matches":[],"name":"spam","score":0.5}]}
    /// ModerationLabel.verdictJSON([])  // {"labels":[]}
    /// ```
    ///
    /// - Parameter labels: In any order; scores outside [0, 1] are clamped, NaN becomes 0.
    /// - Returns: Compact JSON, labels highest score first.
    public static func verdictJSON(_ labels: [ModerationLabel]) -> String {
        let sorted = labels.map { label -> ModerationLabel in
            var clamped = label
            clamped.score = label.score.isNaN ? 0 : min(max(label.score, 0), 1)
            return clamped
        }.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element)
        let items: [JSONValue] = sorted.map {
            .object(["name": .string($0.name), "score": .double($0.score), "matches": .array($0.matches.map(JSONValue.string))])
        }
        return JSONValue.object(["labels": .array(items)]).jsonString
    }
}

/// Media type helpers for classifiers, which receive the host's MIME types with parameters
/// ("text/plain; charset=utf-8").
///
/// ```swift
/// guard MediaType.isUTF8Text(mediaType) else { throw PluginError(.unsupported, "\(mediaType) is not text") }
/// ```
public enum MediaType {
    /// The type without parameters, lower-cased: "Text/Plain; charset=utf-8" is "text/plain".
    public static func essence(_ mediaType: String) -> String {
        String(mediaType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingWhitespace().lowercased()
    }

    /// True for `text/*` whose charset, if given, is UTF-8 (or its subset US-ASCII).
    public static func isUTF8Text(_ mediaType: String) -> Bool {
        guard essence(mediaType).hasPrefix("text/") else { return false }
        for parameter in mediaType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace().lowercased() }
            guard pair.count == 2, pair[0] == "charset" else { continue }
            let charset = pair[1].filter { $0 != "\"" }
            if !["utf-8", "utf8", "us-ascii"].contains(charset) { return false }
        }
        return true
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}

/// `kinora.moderation/1`: labels for text or media, so the daemon can hold or remove comments
/// without knowing which classifier runs behind it.
///
/// `classify` runs on a host worker thread and may block; calls run concurrently unless the
/// descriptor sets `serializeCalls`. Throw ``PluginStatus/unsupported`` for media types you do
/// not handle (the host's pipeline counts that as a pass), ``PluginStatus/invalidArgument``
/// for undecodable or oversized input; a reader failure rethrown keeps its own status.
///
/// ```swift
/// import KinoraPluginKit
///
/// public final class ShoutingFilter: ModerationPlugin {
///     public typealias Settings = NoSettings
///     public static let descriptor = PluginDescriptor(id: "org.example.shouting", name: "Shouting filter")
///     public init(settings: NoSettings, host: PluginHost) throws {}
///
///     public func classify(mediaType: String, media: PluginReader, call: PluginCall) throws -> [ModerationLabel] {
///         guard MediaType.isUTF8Text(mediaType) else { throw PluginError(.unsupported, "\(mediaType) is not text") }
///         let text = String(decoding: try media.readAll(limit: 1 << 20), as: UTF8.self)
///         let letters = text.filter(\.isLetter)
///         guard !letters.isEmpty else { return [] }
///         return [ModerationLabel(name: "shouting", score: Double(letters.filter(\.isUppercase).count) / Double(letters.count))]
///     }
/// }
///
/// @_cdecl("kinora_module_entry_v1")
/// public func kinoraModuleEntry() -> UnsafeRawPointer { PluginModule.entry(ShoutingFilter.self) }
/// ```
public protocol ModerationPlugin: KinoraPlugin {
    /// Classifies the content `media` streams, whose MIME type is `mediaType`.
    ///
    /// - Parameters:
    ///   - mediaType: "text/plain; charset=utf-8" for text, "image/jpeg", …
    ///   - media: The content; read it with ``PluginReader/readAll(limit:)`` or in chunks.
    ///   - call: Check it for cancellation in long work.
    /// - Returns: The labels found; an empty array means nothing found.
    /// - Throws: ``PluginStatus/unsupported`` for a media type the classifier does not handle.
    func classify(mediaType: String, media: PluginReader, call: PluginCall) throws -> [ModerationLabel]
}

/// One moderator's decision, as `kinora.moderation.feedback/1` hands it over. The kit checks
/// the label and reads the details object before the plugin sees them.
///
/// ```swift
/// switch feedback.label {
/// case .clean: model.learn(text, asSpam: false)      // approved
/// case .violation: model.learn(text, asSpam: true)   // removed, warned, suspended, banned
/// }
/// ```
public struct ModerationFeedback: Sendable {
    /// The two sides of a decision; the host maps every action to one of them.
    public enum Label: String, Sendable, CaseIterable {
        /// `approve`: the content is acceptable (a spam filter's ham).
        case clean
        /// `remove`, `warn`, `suspend`, `ban`: the content broke a rule (a spam filter's spam).
        case violation
    }

    public var label: Label
    /// The content's MIME type, as for ``ModerationPlugin/classify(mediaType:media:call:)``.
    public var mediaType: String
    /// The moderator's action: "approve", "remove", "warn", "suspend", "ban".
    public var action: String
    /// The moderator's reason (free text).
    public var reason: String
    /// The queue item, and what it is about ("comment", "video").
    public var itemID: String?
    public var targetType: String?
    public var targetID: String?
    /// What this instance answered when it classified the content; empty when it did not.
    public var labels: [ModerationLabel]
    /// The whole details object, for keys this version of the kit does not know.
    public var details: JSONValue

    /// Reads the ABI's arguments; a label other than the two, or details that are not a JSON
    /// object, are ``PluginStatus/invalidArgument``.
    public init(label: String, mediaType: String, detailsJSON: String) throws {
        guard let known = Label(rawValue: label) else {
            throw PluginError(.invalidArgument, "feedback label \"\(label.prefix(64))\" is neither \"clean\" nor \"violation\"")
        }
        let details: JSONValue
        do { details = try JSONValue(parsing: detailsJSON) } catch {
            throw PluginError(.invalidArgument, "the decision is not JSON: \(error)")
        }
        guard case .object = details else { throw PluginError(.invalidArgument, "the decision is not a JSON object") }
        self.label = known
        self.mediaType = mediaType
        self.details = details
        action = details["action"]?.stringValue ?? ""
        reason = details["reason"]?.stringValue ?? ""
        itemID = details["item_id"]?.stringValue
        targetType = details["target_type"]?.stringValue
        targetID = details["target_id"]?.stringValue
        labels = (details["labels"]?.arrayValue ?? []).compactMap { label in
            guard let name = label["name"]?.stringValue, let score = label["score"]?.doubleValue else { return nil }
            return ModerationLabel(name: name, score: score)
        }
    }
}

/// `kinora.moderation.feedback/1`: moderators' decisions on content, so a classifier can
/// learn from them. The host calls ``feedback(_:content:call:)`` after each decision on a
/// queue item that carries content (a comment, a video's title, description and tags), once per
/// instance named in `[moderation] classifiers`. The call is fire and forget: the decision is
/// already answered, and a failure is only logged.
///
/// ```swift
/// public final class LearningFilter: ModerationFeedbackPlugin {
///     // … classify(mediaType:media:call:) as for ModerationPlugin …
///     public func feedback(_ feedback: ModerationFeedback, content: PluginReader, call: PluginCall) throws {
///         guard MediaType.isUTF8Text(feedback.mediaType) else { throw PluginError(.unsupported, "only text is learnt from") }
///         let text = String(decoding: try content.readAll(limit: 1 << 20), as: UTF8.self)
///         model.withLock { $0.learn(text, spam: feedback.label == .violation) }
///     }
/// }
/// ```
public protocol ModerationFeedbackPlugin: ModerationPlugin {
    /// Learns from one decision.
    ///
    /// - Parameters:
    ///   - feedback: The decision: its label, the content's media type and the details.
    ///   - content: The content decided on.
    ///   - call: Carries the decision's request id and a deadline.
    /// - Throws: ``PluginStatus/unsupported`` for media the plugin does not learn from, or a
    ///   ``PluginError`` the host logs.
    func feedback(_ feedback: ModerationFeedback, content: PluginReader, call: PluginCall) throws
}
