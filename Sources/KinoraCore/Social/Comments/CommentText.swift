import Foundation

/// What a comment's plain text holds that the policy and the pages care about: links (counted
/// for the link limit and refused to new accounts), @mentions (resolved to accounts) and
/// `1:23` timestamps (links that seek the player, drawn by the page). The text itself is
/// stored and answered as written: pages escape it.
public enum CommentText {
    /// `http://…`, `https://…` or `www.…` runs: what a page would turn into a link.
    public static func linkCount(_ text: String) -> Int {
        words(text).filter { word in
            let lower = word.lowercased()
            return lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("www.")
        }.count
    }

    /// `@name` where name is a possible username (3-32 of letters, digits, `.`, `_`, `-`),
    /// lower-cased, in order of first appearance, at most `limit`.
    public static func mentions(_ text: String, limit: Int = 20) -> [String] {
        var found: [String] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count, found.count < limit {
            defer { index += 1 }
            guard scalars[index] == "@", index == 0 || !isNameScalar(scalars[index - 1]) else { continue }
            var end = index + 1
            while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
            var name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            // A sentence's full stop is not part of the name.
            while name.hasSuffix(".") { name.removeLast() }
            if (3...32).contains(name.count), !found.contains(name.lowercased()) { found.append(name.lowercased()) }
            index = end - 1
        }
        return found
    }

    /// `m:ss` or `h:mm:ss` positions mentioned in the text, in seconds, in order.
    public static func timestamps(_ text: String) -> [Int] {
        words(text).compactMap { word in
            let trimmed = word.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?()[]"))
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isASCII) }),
                let numbers = Optional(parts.compactMap { Int($0) }), numbers.count == parts.count,
                parts.dropFirst().allSatisfy({ $0.count == 2 }), numbers.dropFirst().allSatisfy({ $0 < 60 })
            else { return nil }
            return numbers.reduce(0) { $0 * 60 + $1 }
        }
    }

    private static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace })
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
    }
}
