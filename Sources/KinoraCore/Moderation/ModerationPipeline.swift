import Foundation
import KinoraConfiguration
import KinoraHost

/// Passes content through the `[moderation] classifiers`, each on the plugin call pool with
/// the configured timeout, all at once, and applies the policy: removed when any score is
/// strictly above `remove_score`, held at or above `hold_score`, and a classifier that failed
/// or timed out holds (or publishes, with `on_failure = "publish"`): a broken plugin never
/// blocks publishing for ever. With no classifiers configured everything publishes.
public struct ModerationPipeline: Sendable {
    let registry: PluginRegistry
    let policy: ModerationConfig

    public init(registry: PluginRegistry, policy: ModerationConfig) {
        self.registry = registry
        self.policy = policy
    }

    public var isEnabled: Bool { !policy.classifiers.isEmpty }

    /// The verdict on a piece of text (a comment, a title, a description, tags).
    public func classify(text: String, requestID: String? = nil) async -> ModerationVerdict {
        guard isEnabled, !text.isEmpty else { return .clean }
        return Self.decide(await signals(media: Array(text.utf8), mediaType: ModerationClient.textType, requestID: requestID), policy: policy)
    }

    /// The verdict on a picture or other media (`image/jpeg`, …), under the same policy as
    /// text: a classifier that answers `UNSUPPORTED` for the media type is a pass.
    public func classify(media: [UInt8], mediaType: String, requestID: String? = nil) async -> ModerationVerdict {
        guard isEnabled, !media.isEmpty else { return .clean }
        return Self.decide(await signals(media: media, mediaType: mediaType, requestID: requestID), policy: policy)
    }

    /// What every classifier says about `media`, in `[moderation] classifiers` order, before
    /// the policy: for content in several parts (a video's pictures) whose signals are decided
    /// together. `subject` names the part in each signal. Empty when moderation is off.
    public func signals(media: [UInt8], mediaType: String, subject: String? = nil, requestID: String? = nil) async -> [ClassifierSignal] {
        guard isEnabled else { return [] }
        let timeout = Duration.milliseconds(policy.classifierTimeoutMs)
        return await withTaskGroup(of: (Int, ClassifierSignal).self) { group in
            for (index, name) in policy.classifiers.enumerated() {
                group.addTask {
                    let client = registry.moderation(named: name)
                    var signal = await Self.ask(client, name: name, timeout: timeout) { client in
                        try await client.classify(media: media, mediaType: mediaType, requestID: requestID, deadline: .now + timeout)
                    }
                    signal.subject = subject
                    return (index, signal)
                }
            }
            var collected: [(Int, ClassifierSignal)] = []
            for await signal in group { collected.append(signal) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The policy alone, from signals already gathered.
    public static func decide(_ signals: [ClassifierSignal], policy: ModerationConfig) -> ModerationVerdict {
        let top = signals.map(\.topScore).max() ?? 0
        if top > policy.removeScore {
            return ModerationVerdict(action: .remove, rule: "score \(top) > remove_score \(policy.removeScore)", signals: signals)
        }
        if top >= policy.holdScore {
            return ModerationVerdict(action: .hold, rule: "score \(top) >= hold_score \(policy.holdScore)", signals: signals)
        }
        let broken = signals.filter {
            switch $0.outcome {
            case .failed, .timedOut: true
            default: false
            }
        }
        if let first = broken.first {
            let rule = "classifier \(first.classifier) failed, on_failure = \(policy.onFailure.rawValue)"
            return ModerationVerdict(action: policy.onFailure == .hold ? .hold : .publish, rule: rule, signals: signals)
        }
        return ModerationVerdict(action: .publish, rule: nil, signals: signals)
    }

    static func ask(
        _ client: ModerationClient?, name: String, timeout: Duration, _ call: @escaping @Sendable (ModerationClient) async throws -> JSONValue
    ) async -> ClassifierSignal {
        guard let client else { return ClassifierSignal(classifier: name, outcome: .failed("no started moderation instance named \(name)")) }
        // A race the timeout can win without waiting for the call: a plugin stuck in its
        // call cannot be interrupted, so its late answer is dropped (it ends on the pool).
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<ClassifierSignal.Outcome, Never>) in
            let answer = FirstAnswer(continuation)
            Task {
                do {
                    answer.give(.labels(parse(try await call(client))))
                } catch let error as PluginCallError where error.status == .unsupported {
                    answer.give(.unsupported)
                } catch let error as PluginCallError where error.status == .timeout {
                    answer.give(.timedOut)
                } catch {
                    answer.give(.failed("\(error)"))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                answer.give(.timedOut)
            }
        }
        return ClassifierSignal(classifier: name, outcome: outcome)
    }

    /// `{"labels":[{"name":…,"score":…}]}`, scores clamped to [0, 1]; anything else is no label.
    static func parse(_ answer: JSONValue) -> [ClassifierSignal.Label] {
        (answer["labels"]?.arrayValue ?? []).compactMap { label in
            guard let name = label["name"]?.stringValue, let score = label["score"]?.doubleValue, score.isFinite else { return nil }
            return ClassifierSignal.Label(name: String(name.prefix(64)), score: min(max(score, 0), 1))
        }
    }
}

/// Resumes a continuation with the first value given; later ones are dropped.
private final class FirstAnswer<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = continuation
    }

    func give(_ value: Value) {
        let waiting = lock.withLock { () -> CheckedContinuation<Value, Never>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: value)
    }
}
