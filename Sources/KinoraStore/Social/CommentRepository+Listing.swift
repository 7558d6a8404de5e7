import Foundation

/// The listings: top-level comments with their first replies, and replies page by page. Both
/// are keyset-paginated (a cursor names the last comment shown by its sort key and id), so
/// comments posted meanwhile never shift the next page, and each walks an index:
/// `comments_new`, `comments_top` or `comments_replies`.
///
/// Who sees what: everyone sees `published` comments, and `deleted` tombstones that still have
/// replies everyone sees (rendered "[deleted]"); the author (`viewerID`) also sees their own
/// `held` and `removed` ones; `includeHidden` (moderators) shows every comment.
extension CommentRepository {
    /// Replies shown under each top-level comment unless the caller asks otherwise.
    public static let defaultReplyPreview = 3

    /// Top-level comments of a video, `limit` at a time, each with its first `replies` replies
    /// (oldest first), all fetched by one more query whatever the page's size. The pinned
    /// comment comes apart on the first page and is left out of every page.
    /// Throws ``InvalidCursor`` for a cursor this did not make or made for another sort.
    public func listTopLevel(
        videoID: String, sort: CommentSort = .new, limit: Int, cursor: String? = nil, viewerID: String? = nil,
        includeHidden: Bool = false, replies: Int = CommentRepository.defaultReplyPreview
    ) throws -> CommentThreadPage {
        let after = try cursor.map { try CommentCursor(decoding: $0, kind: sort == .new ? .new : .top) }
        let limit = max(1, limit)
        return try db.read { db in
            let pinnedID = try db.scalar(String.self, "SELECT pinned_comment_id FROM videos WHERE id = ?", [videoID])
            let (sql, arguments) = Self.topLevelSQL(
                videoID: videoID, sort: sort, after: after, limit: limit, viewerID: viewerID, includeHidden: includeHidden, excluding: pinnedID)
            let rows = try db.fetchAll(sql, arguments).map(CommentRecord.init)
            var page = Array(rows.prefix(limit))
            var next: String?
            if rows.count > limit, let last = page.last {
                next = CommentCursor(kind: sort == .new ? .new : .top, last: last).encoded
            }
            var pinned: CommentRecord?
            if after == nil, let pinnedID, let comment = try Self.fetch(db, pinnedID, viewerID: viewerID),
                comment.status == .published, comment.parentID == nil
            {
                pinned = comment
                page.insert(comment, at: 0)
            }
            let replyPages = try Self.firstReplies(
                db, parents: page.filter { $0.replyCount > 0 || includeHidden || viewerID != nil }.map(\.id), count: max(0, replies),
                viewerID: viewerID, includeHidden: includeHidden)
            let threads = page.map { comment in
                let replies = replyPages[comment.id] ?? CommentPage(comments: [], nextCursor: nil)
                return CommentThread(comment: comment, replies: replies.comments, moreRepliesCursor: replies.nextCursor)
            }
            if pinned != nil { return CommentThreadPage(pinned: threads[0], threads: Array(threads.dropFirst()), nextCursor: next) }
            return CommentThreadPage(pinned: nil, threads: threads, nextCursor: next)
        }
    }

    /// Direct replies of a comment, oldest first, `limit` at a time.
    /// Throws ``InvalidCursor`` for a cursor this did not make.
    public func listReplies(
        parentID: String, limit: Int, cursor: String? = nil, viewerID: String? = nil, includeHidden: Bool = false
    ) throws -> CommentPage {
        let after = try cursor.map { try CommentCursor(decoding: $0, kind: .reply) }
        let limit = max(1, limit)
        return try db.read { db in
            let (sql, arguments) = Self.repliesSQL(parentID: parentID, after: after, limit: limit, viewerID: viewerID, includeHidden: includeHidden)
            let rows = try db.fetchAll(sql, arguments).map(CommentRecord.init)
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { CommentCursor(kind: .reply, last: $0).encoded } : nil
            return CommentPage(comments: page, nextCursor: next)
        }
    }

    /// The statement of a page of top-level comments (public for the query-plan tests): it walks
    /// `comments_new` or `comments_top` from the cursor, so a deep page costs what the first does.
    public static func topLevelSQL(
        videoID: String, sort: CommentSort, cursor: String?, limit: Int, viewerID: String? = nil, includeHidden: Bool = false,
        excluding pinnedID: String? = nil
    ) throws -> (String, [SQLValue]) {
        let after = try cursor.map { try CommentCursor(decoding: $0, kind: sort == .new ? .new : .top) }
        return topLevelSQL(
            videoID: videoID, sort: sort, after: after, limit: limit, viewerID: viewerID, includeHidden: includeHidden, excluding: pinnedID)
    }

    static func topLevelSQL(
        videoID: String, sort: CommentSort, after: CommentCursor?, limit: Int, viewerID: String?, includeHidden: Bool, excluding pinnedID: String?
    ) -> (String, [SQLValue]) {
        var sql = CommentRecord.select + " WHERE c.video_id = ? AND c.parent_id IS NULL"
        var arguments: [any SQLBindable] = [viewerID, videoID]
        if let pinnedID {
            sql += " AND c.id <> ?"
            arguments.append(pinnedID)
        }
        let (visible, visibleArguments) = visibility(viewerID: viewerID, includeHidden: includeHidden)
        sql += visible
        arguments += visibleArguments
        // `parent_id` leads the order although it is NULL in every row: PostgreSQL takes only
        // `=` (not `IS NULL`) as fixing an index column, so without it the index's order would
        // not count as the listing's and every page would sort the video's comments.
        switch sort {
        case .new:
            if let after {
                sql += " AND (c.created_at, c.id) < (?, ?)"
                arguments += [after.date, after.id]
            }
            sql += " ORDER BY c.parent_id DESC, c.created_at DESC, c.id DESC LIMIT ?"
        case .top:
            if let after {
                sql += " AND (c.score, c.created_at, c.id) < (?, ?, ?)"
                arguments += [after.score, after.date, after.id]
            }
            sql += " ORDER BY c.parent_id DESC, c.score DESC, c.created_at DESC, c.id DESC LIMIT ?"
        }
        arguments.append(limit + 1)
        return (sql, arguments.map(\.sqlValue))
    }

    /// The statement of a page of replies (public for the query-plan tests): it walks
    /// `comments_replies` from the cursor.
    public static func repliesSQL(
        parentID: String, cursor: String?, limit: Int, viewerID: String? = nil, includeHidden: Bool = false
    ) throws -> (String, [SQLValue]) {
        let after = try cursor.map { try CommentCursor(decoding: $0, kind: .reply) }
        return repliesSQL(parentID: parentID, after: after, limit: limit, viewerID: viewerID, includeHidden: includeHidden)
    }

    static func repliesSQL(parentID: String, after: CommentCursor?, limit: Int, viewerID: String?, includeHidden: Bool) -> (String, [SQLValue]) {
        var sql = CommentRecord.select + " WHERE c.parent_id = ?"
        var arguments: [any SQLBindable] = [viewerID, parentID]
        let (visible, visibleArguments) = visibility(viewerID: viewerID, includeHidden: includeHidden)
        sql += visible
        arguments += visibleArguments
        if let after {
            sql += " AND (c.created_at, c.id) > (?, ?)"
            arguments += [after.date, after.id]
        }
        sql += " ORDER BY c.created_at, c.id LIMIT ?"
        arguments.append(limit + 1)
        return (sql, arguments.map(\.sqlValue))
    }

    /// The first `count` replies of each parent, in one statement: one `LIMIT`ed branch per
    /// parent, each walking `comments_replies`, so a comment with thousands of replies costs
    /// no more than one with four. Parents go 100 to a statement (SQLite allows 500 branches).
    static func firstReplies(
        _ db: any SQLConnection, parents: [String], count: Int, viewerID: String?, includeHidden: Bool
    ) throws -> [String: CommentPage] {
        guard count > 0, !parents.isEmpty else { return [:] }
        let (visible, visibleArguments) = visibility(viewerID: viewerID, includeHidden: includeHidden)
        var pages: [String: CommentPage] = [:]
        var start = 0
        while start < parents.count {
            let chunk = parents[start..<min(parents.count, start + 100)]
            start += chunk.count
            var branches: [String] = []
            var arguments: [any SQLBindable] = []
            for (index, parent) in chunk.enumerated() {
                branches.append(
                    "SELECT * FROM (" + CommentRecord.select + " WHERE c.parent_id = ?" + visible
                        + " ORDER BY c.created_at, c.id LIMIT ?) AS r\(index)")
                arguments += [viewerID, parent] + visibleArguments + [count + 1]
            }
            var replies: [String: [CommentRecord]] = [:]
            for row in try db.fetchAll(branches.joined(separator: " UNION ALL "), arguments) {
                let reply = try CommentRecord(row: row)
                replies[reply.parentID ?? "", default: []].append(reply)
            }
            for (parent, list) in replies {
                // UNION ALL keeps no order: each branch's rows are sorted again here.
                let sorted = list.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
                let shown = Array(sorted.prefix(count))
                let next = sorted.count > count ? shown.last.map { CommentCursor(kind: .reply, last: $0).encoded } : nil
                pages[parent] = CommentPage(comments: shown, nextCursor: next)
            }
        }
        return pages
    }

    /// The condition (appended after others) that keeps what the viewer may not see out.
    static func visibility(viewerID: String?, includeHidden: Bool) -> (String, [any SQLBindable]) {
        if includeHidden { return ("", []) }
        let everyone = "c.status = 'published' OR (c.status = 'deleted' AND c.reply_count > 0)"
        guard let viewerID else { return (" AND (\(everyone))", []) }
        return (" AND (\(everyone) OR (c.author_id = ? AND c.status IN ('held', 'removed')))", [viewerID])
    }
}

/// The opaque position in a comment listing: which listing, the last comment's sort key
/// (score for `top`, creation time in milliseconds) and id.
struct CommentCursor {
    enum Kind: String {
        case new, top, reply
    }

    var kind: Kind
    var score: Int
    var milliseconds: Int64
    var id: String

    var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    init(kind: Kind, last: CommentRecord) {
        self.kind = kind
        score = last.score
        milliseconds = Int64((last.createdAt.timeIntervalSince1970 * 1000).rounded())
        id = last.id
    }

    var encoded: String {
        Data("\(kind.rawValue)|\(score)|\(milliseconds)|\(id)".utf8).base64URLEncoded()
    }

    init(decoding text: String, kind expected: Kind) throws {
        guard text.count <= 200, let data = Data(base64URL: text), let plain = String(data: data, encoding: .utf8) else { throw InvalidCursor() }
        let parts = plain.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == expected.rawValue, let score = Int(parts[1]), let ms = Int64(parts[2]),
            ms >= 0, ms < 253_402_300_800_000, !parts[3].isEmpty, parts[3].count <= 64
        else { throw InvalidCursor() }
        kind = expected
        self.score = score
        milliseconds = ms
        id = parts[3]
    }
}
