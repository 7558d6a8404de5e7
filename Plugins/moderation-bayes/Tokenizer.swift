/// Splits text into the tokens the model counts: lower-case words, and one token per kind for
/// what varies too much to learn word by word. A URL is `<url>` plus `<url:host>` (without
/// "www."), so "a link" and "a link to that casino" both teach something; a run of digits is
/// `<num>`, so prices and phone numbers share one token.
///
/// ```swift
/// Tokenizer.tokens("WIN $1000 now: https://www.Casino.example/x")
/// // ["win", "<num>", "now", "<url>", "<url:casino.example>"]
/// ```
enum Tokenizer {
    /// Longest word kept whole; longer runs (base64, hashes) are cut, so they cannot bloat the
    /// vocabulary one byte at a time.
    static let maxWordLength = 40

    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        for chunk in text.split(whereSeparator: { $0.isWhitespace }) {
            let lowered = chunk.lowercased()
            if let host = urlHost(lowered) {
                tokens.append("<url>")
                if !host.isEmpty { tokens.append("<url:\(host)>") }
                continue
            }
            words(lowered, into: &tokens)
        }
        return tokens
    }

    /// The host of a chunk that is a URL ("https://…", "http://…", "www.…"), "" when it has
    /// none; nil when the chunk is not a URL.
    static func urlHost(_ chunk: String) -> String? {
        var rest = Substring(chunk)
        // A URL in parentheses or quotes: drop what opens it.
        while let first = rest.first, "(<[\"'".contains(first) { rest.removeFirst() }
        if rest.hasPrefix("https://") {
            rest = rest.dropFirst(8)
        } else if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
        } else if !rest.hasPrefix("www.") {
            return nil
        }
        var host = rest.prefix { !"/?#:".contains($0) }
        if host.hasPrefix("www.") { host = host.dropFirst(4) }
        while let last = host.last, !(last.isLetter || last.isNumber) { host.removeLast() }
        return String(host.prefix(maxWordLength))
    }

    /// Runs of letters and digits (with the combining marks of decomposed accents); a run of
    /// digits alone is `<num>`.
    static func words(_ chunk: String, into tokens: inout [String]) {
        var word = String.UnicodeScalarView()
        var digitsOnly = true
        func flush() {
            guard !word.isEmpty else { return }
            tokens.append(digitsOnly ? "<num>" : String(String(word).prefix(maxWordLength)))
            word = String.UnicodeScalarView()
            digitsOnly = true
        }
        for scalar in chunk.unicodeScalars {
            let properties = scalar.properties
            if properties.numericType != nil {
                word.append(scalar)
            } else if properties.isAlphabetic || isMark(properties.generalCategory) {
                word.append(scalar)
                digitsOnly = false
            } else {
                flush()
            }
        }
        flush()
    }

    static func isMark(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }
}
