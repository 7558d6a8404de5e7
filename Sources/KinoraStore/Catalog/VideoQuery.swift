import Foundation

/// What a listing asks for: which videos (scope and filters), in which order, from where.
public struct VideoQuery: Sendable {
    public enum Sort: String, Sendable, CaseIterable {
        case newest
        case mostViewed = "most_viewed"
        case title
        /// Engagement with time decay (``TrendingScore``), highest first.
        case trending
    }

    public enum Scope: Sendable, Equatable {
        /// Public videos whose publication time has come: what anyone may list.
        case listed
        /// Every video of the account, whatever its visibility (`owner=me`).
        case owner(String)
        /// Every video (admins).
        case all
    }

    public var scope: Scope = .listed
    public var sort: Sort = .newest
    public var channelID: String?
    public var categoryID: String?
    /// Normalized as stored (``VideoTags/normalize(tag:)``).
    public var tag: String?
    public var minDuration: Double?
    public var maxDuration: Double?
    /// Inclusive lower bound on the listing date (publish time, else upload time).
    public var publishedAfter: Date?
    /// Exclusive upper bound on the listing date.
    public var publishedBefore: Date?
    public var limit = 20
    /// `next_cursor` of the page before.
    public var cursor: String?

    public init() {}
}

/// One page of a listing with the cursor of the next (nil on the last page).
public struct VideoPage: Sendable {
    public var items: [VideoDetails]
    public var nextCursor: String?
}

extension VideoRepository {
    /// A listing page. Visibility, filters and order are all in SQL, so a page is always full,
    /// and each sort walks an index. The cursor is the sort key and id of the last video
    /// returned (keyset pagination): videos added meanwhile never shift the next page.
    /// Throws ``InvalidCursor`` for a cursor this did not make or made for another sort.
    public func list(_ query: VideoQuery, now: Date = Date()) throws -> VideoPage {
        let after = try query.cursor.map { try CatalogCursor(decoding: $0, sort: query.sort) }
        return try db.read { db in
            let (sql, arguments) = Self.listingSQL(query, dialect: db.dialect, after: after, now: now)
            let rows = try db.fetchAll(sql, arguments)
            let page = Array(rows.prefix(query.limit))
            var next: String?
            if rows.count > query.limit, let last = page.last {
                next = CatalogCursor(sort: query.sort, key: last.raw("sort_key") ?? .null, id: try last.value("id")).encoded
            }
            return VideoPage(items: try VideoDetails.load(page, db, now: now), nextCursor: next)
        }
    }

    /// The listing's SQL for `dialect`; public for the query-plan tests.
    public static func listingSQL(_ query: VideoQuery, dialect: SQLDialect, after: CatalogCursor? = nil, now: Date = Date()) -> (String, [SQLValue]) {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        // The index range must come from the sort key (and the cursor when there is one), or
        // SQLite, without statistics, takes the date bounds and sorts the whole result. A unary
        // `+` keeps a term out of SQLite's index selection; PostgreSQL plans with statistics
        // (and has no unary `+` for dates).
        let date = query.sort == .newest && after == nil || dialect == .postgres ? "v.listed_at" : "+v.listed_at"
        switch query.scope {
        case .listed:
            // listed_at is publish_at when scheduled, else created_at (always past): one range.
            conditions += ["v.visibility = 'public'", "\(date) <= ?", "NOT v.moderation_hold"]
            arguments.append(now)
        case .owner(let id):
            conditions.append("v.owner_id = ?")
            arguments.append(id)
        case .all:
            break
        }
        if let channel = query.channelID {
            conditions.append("v.channel_id = ?")
            arguments.append(channel)
        }
        if let category = query.categoryID {
            conditions.append("v.category_id = ?")
            arguments.append(category)
        }
        if let tag = query.tag {
            conditions.append("v.id IN (SELECT video_id FROM video_tags WHERE tag = ?)")
            arguments.append(tag)
        }
        if let min = query.minDuration {
            conditions.append("v.duration >= ?")
            arguments.append(min)
        }
        if let max = query.maxDuration {
            conditions.append("v.duration <= ?")
            arguments.append(max)
        }
        if let after = query.publishedAfter {
            conditions.append("\(date) >= ?")
            arguments.append(after)
        }
        if let before = query.publishedBefore {
            conditions.append("\(date) < ?")
            arguments.append(before)
        }
        let key: String
        let order: String
        switch query.sort {
        case .newest:
            key = "v.listed_at"
            order = "v.listed_at DESC, v.id DESC"
            if after != nil { conditions.append("(v.listed_at, v.id) < (?, ?)") }
        case .mostViewed:
            key = "v.views"
            order = "v.views DESC, v.id DESC"
            if after != nil { conditions.append("(v.views, v.id) < (?, ?)") }
        case .trending:
            key = "v.trending_score"
            order = "v.trending_score DESC, v.id DESC"
            if after != nil { conditions.append("(v.trending_score, v.id) < (?, ?)") }
        case .title:
            // Whatever the case; the key kept in the cursor is the title as stored.
            key = "v.title"
            order = "\(CatalogSQL.caseless("v.title", dialect)), v.id"
            if after != nil {
                switch dialect {
                // The collation on the right-hand side, where SQLite still uses the index for the range.
                case .sqlite: conditions.append("(v.title, v.id) > (? COLLATE NOCASE, ?)")
                case .postgres: conditions.append("(lower(v.title), v.id) > (lower(?), ?)")
                }
            }
        }
        if let after { arguments += [after.key, after.id] }
        arguments.append(query.limit + 1)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return ("SELECT v.*, \(key) AS sort_key FROM videos v \(filter) ORDER BY \(order) LIMIT ?", arguments.map(\.sqlValue))
    }
}

/// The opaque position in a listing: sort, key of the last video shown, its id.
public struct CatalogCursor: Sendable {
    var sort: VideoQuery.Sort
    var key: SQLValue
    var id: String

    public init(sort: VideoQuery.Sort, key: SQLValue, id: String) {
        self.sort = sort
        self.key = key
        self.id = id
    }

    var encoded: String {
        let value: Any
        switch key {
        case .integer(let number): value = number
        case .real(let number): value = number
        case .text(let text): value = text
        // PostgreSQL's dates; SQLite's are text already. Read back as text, which PostgreSQL
        // compares as the column's type.
        case .date(let date): value = date.storageText
        default: value = NSNull()
        }
        let data = (try? JSONSerialization.data(withJSONObject: [sort.rawValue, value, id])) ?? Data()
        return data.base64URLEncoded()
    }

    init(decoding text: String, sort expected: VideoQuery.Sort) throws {
        guard let data = Data(base64URL: text),
            let array = try? JSONSerialization.jsonObject(with: data) as? [Any], array.count == 3,
            let sort = (array[0] as? String).flatMap(VideoQuery.Sort.init(rawValue:)), sort == expected,
            let id = array[2] as? String, id.count <= 64
        else { throw InvalidCursor() }
        switch (sort, array[1]) {
        case (.mostViewed, let number as NSNumber): key = .integer(Int64(truncating: number))
        case (.trending, let number as NSNumber): key = .real(number.doubleValue)
        // A date as the store writes it, or PostgreSQL would fail the statement rather than the cursor.
        case (.newest, let text as String) where Date(storageText: text)?.storageText == text: key = .text(text)
        case (.title, let text as String): key = .text(text)
        default: throw InvalidCursor()
        }
        self.sort = sort
        self.id = id
    }
}
