#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A multinomial naive Bayes model over two classes, spam and ham, kept as counts so that it
/// learns one message at a time (a moderator's decision) as cheaply as from the corpus.
///
/// P(spam | message) comes from log probabilities: log P(class) + Σ n(t) · log P(t | class),
/// with P(t | class) = (count(t, class) + α) / (tokens(class) + α·|V|) (Laplace smoothing, α =
/// `alpha`) and P(class) = (messages(class) + 1) / (messages + 2). Tokens the model has never
/// seen are left out: they say nothing about either class, and counting them would only
/// favour the class with fewer tokens.
///
/// ```swift
/// var model = NaiveBayes(alpha: 1)
/// model.learn(["cheap", "pills"], spam: true)
/// model.learn(["nice", "video"], spam: false)
/// model.spamProbability(["cheap", "video", "pills"])  // ≈ 0.8
/// ```
struct NaiveBayes: Sendable {
    struct Counts: Sendable {
        var spam = 0
        var ham = 0
    }

    let alpha: Double
    private(set) var vocabulary: [String: Counts] = [:]
    private(set) var tokens = Counts()
    private(set) var messages = Counts()

    init(alpha: Double) { self.alpha = alpha }

    /// Counts one message `weight` times.
    mutating func learn(_ message: [String], spam: Bool, weight: Int = 1) {
        for token in message {
            if spam { vocabulary[token, default: Counts()].spam += weight } else { vocabulary[token, default: Counts()].ham += weight }
        }
        if spam {
            tokens.spam += message.count * weight
            messages.spam += weight
        } else {
            tokens.ham += message.count * weight
            messages.ham += weight
        }
    }

    /// Each known token's log-likelihood ratio, log P(t | spam) − log P(t | ham): positive
    /// leans spam. Unknown tokens are absent.
    func evidence(_ message: [String]) -> [(token: String, weight: Double)] {
        let size = Double(vocabulary.count)
        let spamTotal = Double(tokens.spam) + alpha * size
        let hamTotal = Double(tokens.ham) + alpha * size
        return message.compactMap { token in
            guard let counts = vocabulary[token] else { return nil }
            return (token, log((Double(counts.spam) + alpha) / spamTotal) - log((Double(counts.ham) + alpha) / hamTotal))
        }
    }

    /// P(spam | message), or nil when no token of the message is known (nothing to go on: the
    /// prior alone would hold every message of an unknown language).
    func spamProbability(_ message: [String]) -> Double? {
        let evidence = evidence(message)
        guard !evidence.isEmpty else { return nil }
        let prior = log(Double(messages.spam + 1) / Double(messages.spam + messages.ham + 2))
            - log(Double(messages.ham + 1) / Double(messages.spam + messages.ham + 2))
        let difference = evidence.reduce(prior) { $0 + $1.weight }
        // The logistic of the log-odds; exp overflows to +inf for a very hammy message,
        // which still gives 0.
        return 1 / (1 + exp(-difference))
    }
}
