import Foundation
import KinoraStore

/// What one classifier said about one piece of content: its labels and scores, or why it
/// said nothing (failed, timed out, or does not handle that kind of content).
public struct ClassifierSignal: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case labels([Label])
        /// The plugin answered `UNSUPPORTED` for the media type: a pass, not a failure.
        case unsupported
        case failed(String)
        case timedOut
    }

    public struct Label: Sendable, Equatable {
        public var name: String
        public var score: Double

        public init(name: String, score: Double) {
            self.name = name
            self.score = score
        }
    }

    /// The instance name from `[moderation] classifiers`.
    public var classifier: String
    public var outcome: Outcome

    public init(classifier: String, outcome: Outcome) {
        self.classifier = classifier
        self.outcome = outcome
    }

    /// The highest score among the labels (0 when there are none).
    public var topScore: Double {
        if case .labels(let labels) = outcome { return labels.map(\.score).max() ?? 0 }
        return 0
    }
}

/// The policy's decision on content, with every signal that led to it and the rule that fired,
/// so a moderator reading the queue sees why.
public struct ModerationVerdict: Sendable, Equatable {
    public enum Action: String, Sendable {
        case publish
        case hold
        case remove
    }

    public var action: Action
    /// Which rule decided: `score >= hold_score`, `classifier failed`, … (nil: nothing fired).
    public var rule: String?
    public var signals: [ClassifierSignal]

    public init(action: Action, rule: String?, signals: [ClassifierSignal]) {
        self.action = action
        self.rule = rule
        self.signals = signals
    }

    public static let clean = ModerationVerdict(action: .publish, rule: nil, signals: [])
}

extension ModerationVerdict {
    /// The signals a held or removed item carries into the queue: each classifier label, each
    /// classifier that could not answer, and the rule that fired.
    public var queueSignals: [ModerationSignal] {
        var signals: [ModerationSignal] = self.signals.flatMap { signal -> [ModerationSignal] in
            switch signal.outcome {
            case .labels(let labels):
                return labels.map { ModerationSignal(kind: .classifier, source: signal.classifier, label: $0.name, score: $0.score) }
            case .failed(let why): return [ModerationSignal(kind: .classifier, source: signal.classifier, detail: "failed: \(why)")]
            case .timedOut: return [ModerationSignal(kind: .classifier, source: signal.classifier, detail: "timed out")]
            case .unsupported: return []
            }
        }
        if let rule { signals.append(ModerationSignal(kind: .rule, source: action.rawValue, detail: rule)) }
        return signals
    }
}
