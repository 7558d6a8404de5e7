import Foundation

/// Interactions from a tab-separated file of `user item rating timestamp` lines (MovieLens
/// and RecBole's `.inter` layout; rating and timestamp may be missing). Every line is an
/// interaction whatever its rating; when every line has a positive rating, each becomes the
/// interaction's strength as `sqrt(rating / best rating)` (a 1-star watch is still a watch, a
/// weaker one), otherwise every strength is 1. A first line whose columns are names
/// (`user_id:token`) is a header and skipped; a blank line is skipped; anything else that is
/// not at least a user and an item is an error naming the file and the line.
public enum InteractionFile {
    public struct BadLine: Error, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let reason: String
        /// `file:line: reason`, or `file: reason` for the file as a whole (line 0).
        public var description: String { line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)" }
    }

    public static func read(_ path: String) throws -> [(user: String, item: String, strength: Double)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BadLine(path: path, line: 0, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw BadLine(path: path, line: 0, reason: "not UTF-8 text") }
        var pairs: [(user: String, item: String)] = []
        var ratings: [Double] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false)
            if offset == 0, fields.first?.contains(":") == true || fields.first == "user_id" || fields.first == "user" { continue }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw BadLine(path: path, line: offset + 1, reason: "expected tab-separated user, item, rating, timestamp")
            }
            guard fields[0].count <= 200, fields[1].count <= 200 else { throw BadLine(path: path, line: offset + 1, reason: "an id longer than 200 characters") }
            pairs.append((String(fields[0]), String(fields[1])))
            if fields.count >= 3, let rating = Double(fields[2]), rating.isFinite, rating > 0 { ratings.append(rating) }
        }
        guard !pairs.isEmpty else { throw BadLine(path: path, line: 0, reason: "no interactions in the file") }
        guard ratings.count == pairs.count, let best = ratings.max() else { return pairs.map { ($0.user, $0.item, 1) } }
        return zip(pairs, ratings).map { ($0.user, $0.item, ($1 / best).squareRoot()) }
    }
}
