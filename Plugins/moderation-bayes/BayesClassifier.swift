import KinoraPluginKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `org.kinora.moderation-bayes`: a spam classifier for text (multinomial naive Bayes),
/// trained at create from a labelled corpus file and learning from each moderator's decision
/// (`kinora.moderation.feedback/1`): an approval teaches ham, any other action spam.
///
/// It answers one label (`spam` unless `label` says otherwise) scored P(spam | text), with the
/// tokens that weighed most towards spam as its matches. Text with no token the model knows
/// gets no label. Media other than UTF-8 text is refused as unsupported, which the daemon's
/// pipeline counts as a pass.
///
/// What it learns is kept in memory, and also appended to the `learned` file when one is set:
/// a new instance (a restart) reads it back after the corpus.
public final class BayesClassifier: ModerationFeedbackPlugin {
    /// The daemon fills in the schema's defaults; a host that does not (a plugin's own test
    /// host) gets the same ones here.
    public struct Settings: Decodable, Sendable {
        var corpus: String
        var learned: String?
        var label: String?
        var alpha: Double?
        var max_bytes: Int?
        var feedback_weight: Int?
    }

    public static let descriptor = PluginDescriptor(
        id: "org.kinora.moderation-bayes",
        name: "Naive Bayes spam classifier",
        vendor: "Kinora",
        version: "1.0.0",
        description: "Scores text as spam with a naive Bayes model trained from a corpus file, and learns from moderators' decisions.",
        url: "https://kinora.invalid/doc/plugins/moderation-bayes",
        configSchema: #"""
            {"type":"object","additionalProperties":false,"required":["corpus"],
             "properties":{
               "corpus":{"type":"string","pattern":"^/","description":"absolute path of the training corpus: one message a line, spam<TAB>text or ham<TAB>text"},
               "learned":{"type":"string","pattern":"^/","description":"absolute path of the file moderators' decisions are appended to and read back from; absent: learnt in memory only"},
               "label":{"type":"string","minLength":1,"maxLength":64,"default":"spam","description":"the label the score is reported under"},
               "alpha":{"type":"number","exclusiveMinimum":0,"maximum":100,"default":1,"description":"Laplace smoothing"},
               "max_bytes":{"type":"integer","minimum":1,"maximum":67108864,"default":1048576,"description":"largest text accepted"},
               "feedback_weight":{"type":"integer","minimum":1,"maximum":1000,"default":1,"description":"how many corpus messages one decision counts as"}}}
            """#
    )

    /// How many tokens a verdict names as its matches.
    static let matchCount = 5

    let corpus: String
    let learned: String?
    let label: String
    let maxBytes: Int
    let feedbackWeight: Int
    let host: PluginHost
    let model: Mutex<NaiveBayes>
    let learnedMetric: Metric?

    public init(settings: Settings, host: PluginHost) throws {
        let alpha = settings.alpha ?? 1
        guard alpha > 0, alpha.isFinite else { throw PluginError(.config, "settings.alpha: must be above 0 (found \(alpha))") }
        corpus = settings.corpus
        learned = settings.learned
        label = settings.label ?? "spam"
        maxBytes = settings.max_bytes ?? 1 << 20
        feedbackWeight = max(1, settings.feedback_weight ?? 1)
        self.host = host
        var model = NaiveBayes(alpha: alpha)
        let trained = try Corpus.read(corpus, setting: "settings.corpus")
        let learnt = try learned.map { try Corpus.read($0, setting: "settings.learned", missingIsEmpty: true) } ?? []
        for message in trained { model.learn(Tokenizer.tokens(message.text), spam: message.spam) }
        for message in learnt { model.learn(Tokenizer.tokens(message.text), spam: message.spam, weight: feedbackWeight) }
        // One class alone gives every text the same answer: refuse it rather than hold everything.
        if model.messages.spam == 0 || model.messages.ham == 0 {
            let missing = model.messages.spam == 0 ? "spam" : "ham"
            throw PluginError(.config, "settings.corpus: \(corpus) has no \(missing) message (a line \"\(missing)<TAB>text\")")
        }
        self.model = Mutex(model)
        learnedMetric = host.metric(
            .counter, name: "bayes_learned_messages_total", help: "Moderators' decisions learnt from, by class.", labels: ["class"])
        host.log(
            .info,
            "trained on \(trained.count) corpus and \(learnt.count) learnt message(s): \(model.messages.spam) spam, \(model.messages.ham) ham, \(model.vocabulary.count) distinct tokens"
        )
    }

    public func start() throws {
        // The learnt file is written at the first decision: find an unwritable folder now.
        guard let learned else { return }
        var folder = String(learned[..<(learned.lastIndex(of: "/") ?? learned.startIndex)])
        if folder.isEmpty { folder = "/" }
        guard access(folder, W_OK) == 0 else { throw PluginError.errno(errno, "settings.learned: folder \(folder)") }
    }

    /// Reads UTF-8 text of at most `max_bytes`; anything else is refused before the model runs.
    func text(_ mediaType: String, _ reader: PluginReader, _ call: PluginCall) throws -> String {
        guard MediaType.isUTF8Text(mediaType) else { throw PluginError(.unsupported, "\(mediaType) is not text: only text is classified") }
        let bytes = try reader.readAll(limit: maxBytes)
        try call.checkCancellation()
        guard let text = String(validating: bytes, as: UTF8.self) else { throw PluginError(.invalidArgument, "the text is not valid UTF-8") }
        return text
    }

    public func classify(mediaType: String, media: PluginReader, call: PluginCall) throws -> [ModerationLabel] {
        let tokens = Tokenizer.tokens(try text(mediaType, media, call))
        let (probability, evidence) = model.withLock { ($0.spamProbability(tokens), $0.evidence(tokens)) }
        guard let probability else { return [] }
        var seen = Set<String>()
        let matches = evidence.filter { $0.weight > 0 }.sorted { $0.weight > $1.weight }.map(\.token).filter { seen.insert($0).inserted }
        return [ModerationLabel(name: label, score: probability, matches: Array(matches.prefix(Self.matchCount)))]
    }

    public func feedback(_ feedback: ModerationFeedback, content: PluginReader, call: PluginCall) throws {
        let text = try self.text(feedback.mediaType, content, call)
        let spam = feedback.label == .violation
        let tokens = Tokenizer.tokens(text)
        let weight = feedbackWeight
        // Under the lock, so the file's order is the model's and appends never interleave.
        try model.withLock { model in
            model.learn(tokens, spam: spam, weight: weight)
            if let learned { try Corpus.append(text, spam: spam, to: learned) }
        }
        learnedMetric?.record(1, labels: [spam ? "spam" : "ham"])
        host.log(.debug, "learnt a \(spam ? "spam" : "ham") message (\(tokens.count) tokens) from a \(feedback.action) decision")
    }
}

@_cdecl("kinora_module_entry_v1")
public func kinoraModuleEntry() -> UnsafeRawPointer {
    PluginModule.entry(BayesClassifier.self)
}
