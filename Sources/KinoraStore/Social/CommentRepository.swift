import Foundation

/// Comments and their counters, on both backends. Replies nest to any depth (`parent_id`).
///
/// Every change runs in one transaction that moves the counters it affects by a difference
/// (`comment_count = comment_count + ?`), never by writing a count read earlier, and refreshes
/// the video's trending score when its `comment_count` moved. A change first takes the
/// comment's row (``lock(_:_:)``: `FOR UPDATE` on PostgreSQL, SQLite's single writer
/// otherwise), so its old status, from which the differences are computed, holds until the
/// transaction ends even when two nodes change the same comment at once. Which statuses count
/// where: ``CommentStatus``.
///
/// Authorisation (who may edit, remove, see what) is the service's; the listings take the
/// viewer and whether they see hidden comments as parameters.
public struct CommentRepository: Sendable {
    let db: any SQLDatabase

    /// Creates a comment, or a reply when `parentID` is given: the parent must be a comment
    /// of the same video (``CommentError/parentOnAnotherVideo`` otherwise). Counts it on the
    /// video and the parent as its status says, in the same transaction. `status` is the
    /// moderation pipeline's verdict: `published`, `held` or `removed`.
    @discardableResult
    public func create(
        id: String = RandomID.make(), videoID: String, parentID: String?, authorID: String, body: String,
        status: CommentStatus = .published, now: Date = Date()
    ) throws -> CommentRecord {
        guard status != .deleted else { throw CommentError.invalidStatus }
        do {
            return try db.write { db in
                if let parentID {
                    // The parent's lock also keeps its author from hard-deleting it meanwhile
                    // (which would find no reply yet and take this one's parent away).
                    guard let parent = try Self.lock(db, parentID) else { throw CommentError.parentNotFound }
                    guard parent.videoID == videoID else { throw CommentError.parentOnAnotherVideo }
                } else if try db.fetchOne("SELECT 1 FROM videos WHERE id = ?", [videoID]) == nil {
                    throw CommentError.videoNotFound
                }
                try db.execute(
                    """
                    INSERT INTO comments(id, video_id, parent_id, author_id, body, status, created_at, likes, dislikes, score, reply_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0)
                    """, [id, videoID, parentID, authorID, body, status.rawValue, now])
                try Self.count(db, videoID: videoID, parentID: parentID, from: nil, to: status)
                return try Self.fetch(db, id)!
            }
        } catch SQLError.constraint {
            // The video went away between the check and the insert (or the author's account
            // did: the service posts only for an existing account, so that is the same race).
            throw CommentError.videoNotFound
        }
    }

    /// The comment, whatever its status (the service decides who may see it), with the
    /// rating of `viewerID` when given.
    public func find(_ id: String, viewerID: String? = nil) throws -> CommentRecord? {
        try db.read { try Self.fetch($0, id, viewerID: viewerID) }
    }

    /// Replaces the text, keeping the previous one in the edit history and setting
    /// `edited_at`. `status`, when given, is the moderation pipeline's verdict on the new text,
    /// applied in the same transaction (counters follow). Nil when the comment does not exist;
    /// ``CommentError/deleted`` for a tombstone.
    @discardableResult
    public func edit(id: String, body: String, status: CommentStatus? = nil, now: Date = Date()) throws -> CommentRecord? {
        if status == .deleted { throw CommentError.invalidStatus }
        return try db.write { db in
            guard let old = try Self.lock(db, id) else { return nil }
            guard old.status != .deleted else { throw CommentError.deleted }
            if old.body != body {
                // The history is keyed by the time each text was replaced: two edits within one
                // millisecond (what the store keeps) follow each other by a millisecond.
                var editedAt = now
                if let last = try db.scalar(Date.self, "SELECT MAX(edited_at) FROM comment_edits WHERE comment_id = ?", [id]),
                    last.timeIntervalSince1970 >= now.timeIntervalSince1970 - 0.0005
                {
                    editedAt = Date(timeIntervalSince1970: last.timeIntervalSince1970 + 0.001)
                }
                try db.execute("INSERT INTO comment_edits(comment_id, body, edited_at) VALUES (?, ?, ?)", [id, old.body, editedAt])
                try db.execute("UPDATE comments SET body = ?, edited_at = ? WHERE id = ?", [body, editedAt, id])
            }
            if let status, status != old.status { try Self.changeStatus(db, old, to: status, reason: nil) }
            return try Self.fetch(db, id)
        }
    }

    /// The previous texts, oldest first.
    public func edits(_ id: String) throws -> [CommentEdit] {
        try db.read { db in
            try db.fetchAll("SELECT body, edited_at FROM comment_edits WHERE comment_id = ? ORDER BY edited_at", [id]).map {
                CommentEdit(body: try $0.value("body"), editedAt: try $0.value("edited_at"))
            }
        }
    }

    /// The author's deletion: the row goes when nothing replies to it (any status); with
    /// replies it stays as a tombstone (`deleted`, body and edit history emptied) so the
    /// thread keeps its shape. A tombstone whose last reply goes is deleted too, and so on up.
    /// A pinned comment is unpinned. Nil when the comment does not exist; deleting a tombstone
    /// again answers `.tombstoned` and changes nothing.
    @discardableResult
    public func deleteByAuthor(_ id: String) throws -> CommentDeletion? {
        try db.write { db in
            guard let comment = try Self.lock(db, id) else { return nil }
            if try db.fetchOne("SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1", [id]) != nil {
                guard comment.status != .deleted else { return .tombstoned }
                try db.execute("UPDATE comments SET body = '', removed_reason = NULL WHERE id = ?", [id])
                try db.execute("DELETE FROM comment_edits WHERE comment_id = ?", [id])
                try Self.changeStatus(db, comment, to: .deleted, reason: nil)
                return .tombstoned
            }
            try Self.hardDelete(db, comment)
            return .deleted
        }
    }

    /// A moderator's removal: the comment stays (its author still sees it, with `reason`) and
    /// counts nowhere. Nil when the comment does not exist.
    @discardableResult
    public func remove(id: String, reason: String?) throws -> CommentRecord? {
        try db.write { db in
            guard let comment = try Self.lock(db, id) else { return nil }
            guard comment.status != .deleted else { throw CommentError.deleted }
            try Self.changeStatus(db, comment, to: .removed, reason: reason)
            return try Self.fetch(db, id)
        }
    }

    /// Moves a comment between `published`, `held` and `removed` (a moderator's approval, the
    /// pipeline's verdict), counters kept exact. Leaving `removed` clears its reason. Nil when
    /// the comment does not exist.
    @discardableResult
    public func setStatus(id: String, status: CommentStatus) throws -> CommentRecord? {
        guard status != .deleted else { throw CommentError.invalidStatus }
        return try db.write { db in
            guard let comment = try Self.lock(db, id) else { return nil }
            guard comment.status != .deleted else { throw CommentError.deleted }
            try Self.changeStatus(db, comment, to: status, reason: status == .removed ? comment.removedReason : nil)
            return try Self.fetch(db, id)
        }
    }

    // MARK: - Inside a transaction

    /// What a change needs of a comment, read under its lock.
    struct Locked {
        var id: String
        var videoID: String
        var parentID: String?
        var status: CommentStatus
        var body: String
        var removedReason: String?
    }

    /// Takes the comment's row for a change; nil when it does not exist. SQLite's single
    /// writer already serialises every change. PostgreSQL (READ COMMITTED) locks the row, so
    /// the status read here, which the counters' differences come from, is still the status
    /// when the transaction writes. Locks go from a comment to its ancestors and then to the
    /// video, in every change, so two changes never wait for each other in a circle.
    static func lock(_ db: any SQLConnection, _ id: String) throws -> Locked? {
        let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
        guard
            let row = try db.fetchOne(
                "SELECT id, video_id, parent_id, status, body, removed_reason FROM comments WHERE id = ?" + lock, [id])
        else { return nil }
        let text: String = try row.value("status")
        guard let status = CommentStatus(rawValue: text) else { throw SQLError.decoding("comment status \"\(text)\"") }
        return Locked(
            id: id, videoID: try row.value("video_id"), parentID: row["parent_id"], status: status, body: try row.value("body"),
            removedReason: row["removed_reason"])
    }

    static func fetch(_ db: any SQLConnection, _ id: String, viewerID: String? = nil) throws -> CommentRecord? {
        try db.fetchOne(CommentRecord.select + " WHERE c.id = ?", [viewerID, id]).map(CommentRecord.init)
    }

    /// Sets a locked comment's status and moves the counters by the difference. A comment
    /// that stops being published is unpinned (a pinned comment is always published).
    static func changeStatus(_ db: any SQLConnection, _ comment: Locked, to status: CommentStatus, reason: String?) throws {
        try db.execute("UPDATE comments SET status = ?, removed_reason = ? WHERE id = ?", [status.rawValue, reason, comment.id])
        try count(db, videoID: comment.videoID, parentID: comment.parentID, from: comment.status, to: status)
        if status != .published { try unpin(db, comment) }
    }

    /// Deletes a locked comment that has no replies, uncounts it, and deletes its parent too
    /// when that is a tombstone left without replies.
    static func hardDelete(_ db: any SQLConnection, _ comment: Locked) throws {
        try db.execute("DELETE FROM comments WHERE id = ?", [comment.id])
        try count(db, videoID: comment.videoID, parentID: comment.parentID, from: comment.status, to: nil)
        try unpin(db, comment)
        guard let parentID = comment.parentID, let parent = try lock(db, parentID), parent.status == .deleted else { return }
        if try db.fetchOne("SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1", [parentID]) == nil {
            try hardDelete(db, parent)
        }
    }

    /// Moves the video's `comment_count` and the parent's `reply_count` from what `old`
    /// counted to what `new` counts (nil: no comment), by difference.
    static func count(_ db: any SQLConnection, videoID: String, parentID: String?, from old: CommentStatus?, to new: CommentStatus?) throws {
        func difference(_ counts: (CommentStatus) -> Bool) -> Int {
            (new.map(counts) == true ? 1 : 0) - (old.map(counts) == true ? 1 : 0)
        }
        let replies = difference(\.countsAsReply)
        if let parentID, replies != 0 {
            try db.execute("UPDATE comments SET reply_count = reply_count + ? WHERE id = ?", [replies, parentID])
        }
        let comments = difference(\.countsOnVideo)
        if comments != 0 {
            try db.execute("UPDATE videos SET comment_count = comment_count + ? WHERE id = ?", [comments, videoID])
            try TrendingScore.refresh(videoID, db)
        }
    }

    static func unpin(_ db: any SQLConnection, _ comment: Locked) throws {
        try db.execute("UPDATE videos SET pinned_comment_id = NULL WHERE id = ? AND pinned_comment_id = ?", [comment.videoID, comment.id])
    }
}

extension KinoraDatabase {
    /// Comments, their counters and the videos' and channels' comment switches.
    public var comments: CommentRepository { CommentRepository(db: sql) }
}
