import Foundation

/// Tag normalization: trimmed, lower case, inner whitespace collapsed to one space, duplicates
/// dropped (first one wins), empty ones ignored. At most 20 tags of at most 40 characters.
public enum VideoTags {
    public static let maxCount = 20
    public static let maxLength = 40

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `"Cats, Funny  videos,cats"` → `["cats", "funny videos"]`.
    public static func parse(commaSeparated text: String) throws(Invalid) -> [String] {
        try normalize(text.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    public static func normalize(_ tags: [String]) throws(Invalid) -> [String] {
        var result: [String] = []
        for raw in tags {
            let tag = normalize(tag: raw)
            guard !tag.isEmpty else { continue }
            guard tag.count <= maxLength else { throw Invalid(description: "tags are limited to \(maxLength) characters (\"\(tag.prefix(50))…\")") }
            guard !tag.containsControlCharacters() || tag.contains(",") else {
                throw Invalid(description: "tags cannot contain commas or control characters")
            }
            if !result.contains(tag) { result.append(tag) }
        }
        guard result.count <= maxCount else { throw Invalid(description: "at most \(maxCount) tags") }
        return result
    }

    /// One tag as stored and as matched by the `tag` filter.
    public static func normalize(tag: String) -> String {
        tag.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
