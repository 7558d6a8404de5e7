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
    /// Which part of the content it is about, when the content has several (a video's poster
    /// and frames: `thumbs/candidate-3.jpg`); nil for text.
    public var subject: String?

    public init(classifier: String, outcome: Outcome, subject: String? = nil) {
        self.classifier = classifier
        self.outcome = outcome
        self.subject = subject
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
    /// classifier that could not answer, and the rule that fired. A signal about one part of
    /// the content names it in `detail`.
    public var queueSignals: [ModerationSignal] {
        var signals: [ModerationSignal] = self.signals.flatMap { signal -> [ModerationSignal] in
            let on = signal.subject.map { " on \($0)" } ?? ""
            switch signal.outcome {
            case .labels(let labels):
                return labels.map {
                    ModerationSignal(kind: .classifier, source: signal.classifier, label: $0.name, score: $0.score, detail: signal.subject)
                }
            case .failed(let why): return [ModerationSignal(kind: .classifier, source: signal.classifier, detail: "failed\(on): \(why)")]
            case .timedOut: return [ModerationSignal(kind: .classifier, source: signal.classifier, detail: "timed out\(on)")]
            case .unsupported: return []
            }
        }
        if let rule { signals.append(ModerationSignal(kind: .rule, source: action.rawValue, detail: rule)) }
        return signals
    }
}
