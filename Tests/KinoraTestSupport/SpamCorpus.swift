/// Labelled comments made up from a seed, for the naive Bayes plugin's tests: spam speaks of
/// prizes, pills and links, ham of videos, and both share the filler words of any comment,
/// with some words of the other class mixed in, so the classes overlap without being one.
///
/// ```swift
/// let messages = SpamCorpus.messages(count: 200, seed: 7)
/// try SpamCorpus.tsv(messages[..<100]).write(toFile: dir + "/corpus.tsv", atomically: true, encoding: .utf8)
/// ```
public enum SpamCorpus {
    public struct Message: Sendable, Hashable {
        public var spam: Bool
        public var text: String
    }

    static let spamWords = [
        "free", "winner", "prize", "cheap", "pills", "casino", "bonus", "click", "offer", "discount", "bitcoin", "crypto",
        "investment", "guaranteed", "cash", "loan", "deal", "limited", "urgent", "earn", "money", "jackpot", "lottery", "claim",
        "followers", "promo", "wallet", "rich", "instantly", "exclusive",
    ]
    static let hamWords = [
        "video", "great", "editing", "music", "thanks", "scene", "camera", "tutorial", "sound", "lighting", "harbour", "sunset",
        "colours", "story", "episode", "favourite", "learned", "helpful", "beautiful", "drone", "shot", "voice", "explained",
        "recipe", "guitar", "cat", "trip", "mountains", "lovely", "interview",
    ]
    static let fillers = ["the", "this", "is", "and", "a", "to", "of", "you", "it", "for", "on", "with", "so", "really", "just", "your", "my", "at"]
    static let links = ["https://win-prize.example/claim", "http://cheap-pills.example", "www.casino-bonus.example/now"]

    /// `count` messages, spam and ham alternating (spam first), the same for the same seed.
    public static func messages(count: Int, seed: UInt64) -> [Message] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let spam = index % 2 == 0
            let own = spam ? spamWords : hamWords
            let other = spam ? hamWords : spamWords
            var words: [String] = []
            // Half the words the class's own, 8 % the other class's, the rest filler.
            for _ in 0..<Int.random(in: 8...16, using: &random) {
                let roll = Int.random(in: 0..<100, using: &random)
                let pool = roll < 50 ? own : roll < 58 ? other : fillers
                words.append(pool.randomElement(using: &random)!)
            }
            if spam && Int.random(in: 0..<100, using: &random) < 40 { words.append(links.randomElement(using: &random)!) }
            if Int.random(in: 0..<100, using: &random) < (spam ? 30 : 10) { words.insert(String(Int.random(in: 10...9999, using: &random)), at: 0) }
            var text = words.joined(separator: " ")
            if Int.random(in: 0..<100, using: &random) < 30 { text = text.prefix(1).uppercased() + text.dropFirst() + (spam ? "!!!" : ".") }
            return Message(spam: spam, text: text)
        }
    }

    /// The corpus file's text: `spam<TAB>text` or `ham<TAB>text`, one a line.
    public static func tsv<S: Sequence<Message>>(_ messages: S) -> String {
        messages.map { ($0.spam ? "spam" : "ham") + "\t" + $0.text + "\n" }.joined()
    }
}

/// A small seeded generator (Steele, Lea and Flood's SplitMix64), so test data is the same on
/// every run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
