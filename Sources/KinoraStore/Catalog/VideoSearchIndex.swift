import Foundation

/// The full-text index over title, description, tags and channel name, kept in step by the
/// repositories: every write that changes one of those re-indexes the video in its own
/// transaction; deletion goes through the cascade (and, on SQLite, a trigger).
///
/// SQLite: an FTS5 table (unicode61, diacritics removed), ranked by bm25 with per-column
/// weights. PostgreSQL: `video_search.document`, a generated `tsvector` of the four columns
/// ('simple' configuration: lower case, no stemming, no stop words) with a GIN index, which
/// finds the rows; its lexemes carry no weights, so the rank weighs each column by building a
/// weighted vector of the matching rows only, at query time (``postgresRank``). Diacritics
/// count on PostgreSQL (no `unaccent`): "cafe" does not find "café" there.
enum VideoSearchIndex {
    /// bm25 weights in column order: title, description, tags, channel.
    static let weights = "10.0, 2.0, 5.0, 3.0"

    /// PostgreSQL's rank with the same proportions as ``weights``: title in class A (1.0),
    /// tags B (0.5), channel C (0.3), description D (0.2); `ts_rank` takes them D first.
    /// Normalisation 1 divides by the log of the video's length in words, as bm25 lowers the
    /// score of a match in a longer row: without it two videos found by one title word tie and
    /// fall back to id order, so their order changed when an install moved from SQLite.
    /// `?` is the query (``matchExpression(_:dialect:maxTerms:)``).
    static let postgresRank = """
        ts_rank('{0.2, 0.3, 0.5, 1.0}',
            setweight(to_tsvector('simple', s.title), 'A') || setweight(to_tsvector('simple', s.tags), 'B')
                || setweight(to_tsvector('simple', s.channel), 'C') || setweight(to_tsvector('simple', s.description), 'D'),
            to_tsquery('simple', ?), 1)
        """

    /// Writes the video's current text into the index (replacing what was there).
    static func reindex(videoID: String, _ db: any SQLConnection) throws {
        try db.execute("INSERT INTO video_search_docs(video_id) VALUES (?) ON CONFLICT DO NOTHING", [videoID])
        guard let docid = try db.scalar(Int64.self, "SELECT docid FROM video_search_docs WHERE video_id = ?", [videoID]) else { return }
        // FTS5 keys its rows by rowid; PostgreSQL's table has the column.
        let key = db.dialect == .sqlite ? "rowid" : "docid"
        try db.execute("DELETE FROM video_search WHERE \(key) = ?", [docid])
        try db.execute(
            """
            INSERT INTO video_search(\(key), title, description, tags, channel)
            SELECT ?, v.title, v.description,
                   COALESCE((SELECT \(CatalogSQL.joined("tag", separator: " ", db.dialect)) FROM video_tags WHERE video_id = v.id), ''),
                   COALESCE(c.name, '')
            FROM videos v LEFT JOIN channels c ON c.id = v.channel_id WHERE v.id = ?
            """, [docid, videoID])
    }

    /// The user's text as a query that cannot carry the engine's query syntax: words (runs of
    /// letters and digits, as both tokenizers split them) each quoted, all required, the last
    /// one matched as a prefix so results come while typing. Nil when there is no word.
    /// FTS5: `"holiday" "volc"*`. PostgreSQL's tsquery: `'holiday' & 'volc':*` (a quote or
    /// backslash inside a term would be escaped, though a word never holds one).
    static func matchExpression(_ text: String, dialect: SQLDialect, maxTerms: Int = 16) -> String? {
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
        let words = terms.prefix(maxTerms)
        switch dialect {
        case .sqlite:
            let quoted = words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            return quoted.joined(separator: " ") + "*"
        case .postgres:
            let quoted = words.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'" }
            return quoted.joined(separator: " & ") + ":*"
        }
    }
}

/// One page of search results, best first.
public struct SearchPage: Sendable {
    public var items: [VideoDetails]
    public var nextCursor: String?
    public var total: Int
}

extension VideoRepository {
    /// Full-text search over public, published videos, best rank first (title counts most),
    /// then by id. The cursor is an opaque offset: ranks are per query, so there is no key to
    /// continue from. Throws ``InvalidCursor`` for a cursor this did not make.
    public func search(_ text: String, limit: Int, cursor: String?, now: Date = Date()) throws -> SearchPage {
        var offset = 0
        if let cursor {
            guard let decoded = Data(base64URL: cursor).flatMap({ String(data: $0, encoding: .utf8) }), decoded.hasPrefix("search:"),
                let value = Int(decoded.dropFirst("search:".count)), value > 0, value <= 100_000
            else { throw InvalidCursor() }
            offset = value
        }
        return try db.read { db in
            guard let match = VideoSearchIndex.matchExpression(text, dialect: db.dialect) else {
                return SearchPage(items: [], nextCursor: nil, total: 0)
            }
            let from: String
            let order: String
            let orderArguments: [any SQLBindable]
            switch db.dialect {
            case .sqlite:
                from = """
                    FROM video_search JOIN video_search_docs d ON d.docid = video_search.rowid JOIN videos v ON v.id = d.video_id
                    WHERE video_search MATCH ? AND v.visibility = 'public' AND v.listed_at <= ? AND NOT v.moderation_hold
                    """
                // bm25 is lower for better matches.
                order = "bm25(video_search, \(VideoSearchIndex.weights)), v.id"
                orderArguments = []
            case .postgres:
                from = """
                    FROM video_search s JOIN video_search_docs d ON d.docid = s.docid JOIN videos v ON v.id = d.video_id
                    WHERE s.document @@ to_tsquery('simple', ?) AND v.visibility = 'public' AND v.listed_at <= ? AND NOT v.moderation_hold
                    """
                order = "\(VideoSearchIndex.postgresRank) DESC, v.id"
                orderArguments = [match]
            }
            let filter: [any SQLBindable] = [match, now]
            let page: [any SQLBindable] = [limit + 1, offset]
            let rows = try db.fetchAll("SELECT v.* \(from) ORDER BY \(order) LIMIT ? OFFSET ?", filter + orderArguments + page)
            let total = try db.scalar(Int.self, "SELECT COUNT(*) \(from)", filter) ?? 0
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
