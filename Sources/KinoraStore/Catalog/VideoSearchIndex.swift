import Foundation
import GRDB

/// The full-text index (FTS5, bm25) over title, description, tags and channel name, kept in
/// step by the repositories: every write that changes one of those re-indexes the video in
/// its own transaction; deletion goes through the cascade and a trigger.
enum VideoSearchIndex {
    /// bm25 weights in column order: title, description, tags, channel.
    static let weights = "10.0, 2.0, 5.0, 3.0"

    /// Writes the video's current text into the index (replacing what was there).
    static func reindex(videoID: String, _ db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO video_search_docs(video_id) VALUES (?)", arguments: [videoID])
        guard let docid = try Int64.fetchOne(db, sql: "SELECT docid FROM video_search_docs WHERE video_id = ?", arguments: [videoID]) else { return }
        try db.execute(sql: "DELETE FROM video_search WHERE rowid = ?", arguments: [docid])
        try db.execute(
            sql: """
                INSERT INTO video_search(rowid, title, description, tags, channel)
                SELECT ?, v.title, v.description,
                       COALESCE((SELECT group_concat(tag, ' ') FROM video_tags WHERE video_id = v.id), ''),
                       COALESCE(c.name, '')
                FROM videos v LEFT JOIN channels c ON c.id = v.channel_id WHERE v.id = ?
                """, arguments: [docid, videoID])
    }

    /// The user's text as an FTS5 query that cannot carry FTS5 syntax: words (runs of letters
    /// and digits, as the unicode61 tokenizer splits them) each quoted, all required, the last
    /// one matched as a prefix so results come while typing. Nil when there is no word.
    static func matchExpression(_ text: String, maxTerms: Int = 16) -> String? {
        var terms: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                terms.append(current)
                current = ""
            }
        }
        if !current.isEmpty { terms.append(current) }
        guard !terms.isEmpty else { return nil }
        let quoted = terms.prefix(maxTerms).map { "\"" + $0 + "\"" }
        return quoted.dropLast().joined(separator: " ") + (quoted.count > 1 ? " " : "") + quoted[quoted.count - 1] + "*"
    }
}

/// One page of search results, best first.
public struct SearchPage: Sendable {
    public var items: [VideoDetails]
    public var nextCursor: String?
    public var total: Int
}

extension VideoRepository {
    /// Full-text search over public, published videos, best bm25 rank first (title counts
    /// most). The cursor is an opaque offset: ranks are per query, so there is no key to
    /// continue from. Throws ``InvalidCursor`` for a cursor this did not make.
    public func search(_ text: String, limit: Int, cursor: String?, now: Date = Date()) throws -> SearchPage {
        var offset = 0
        if let cursor {
            guard let decoded = Data(base64URL: cursor).flatMap({ String(data: $0, encoding: .utf8) }), decoded.hasPrefix("search:"),
                let value = Int(decoded.dropFirst("search:".count)), value > 0, value <= 100_000
            else { throw InvalidCursor() }
            offset = value
        }
        guard let match = VideoSearchIndex.matchExpression(text) else { return SearchPage(items: [], nextCursor: nil, total: 0) }
        return try writer.read { db in
            let from = """
                FROM video_search JOIN video_search_docs d ON d.docid = video_search.rowid JOIN videos v ON v.id = d.video_id
                WHERE video_search MATCH ? AND v.visibility = 'public' AND v.listed_at <= ?
                """
            let rows = try Row.fetchAll(
                db, sql: "SELECT v.* \(from) ORDER BY bm25(video_search, \(VideoSearchIndex.weights)), v.id LIMIT ? OFFSET ?",
                arguments: [match, now, limit + 1, offset])
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(from)", arguments: [match, now]) ?? 0
            let items = try VideoDetails.load(Array(rows.prefix(limit)), db, now: now)
            let next = rows.count > limit ? Data("search:\(offset + limit)".utf8).base64URLEncoded() : nil
            return SearchPage(items: items, nextCursor: next, total: total)
        }
    }
}

extension Data {
    init?(base64URL text: String) {
        guard text.count <= 1024, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
