import Foundation

/// Reports, the moderation queue and its audit log.
///
/// An item is the one open entry per target (`moderation_items_open`, a partial unique
/// index): every signal about a target while it is open (classifier labels, reports, rules)
/// joins that item, so a moderator decides once with everything in view. A decision resolves
/// the item and the target's open reports and writes an audit entry, in one transaction; what
/// the decision does to the target (remove a comment, suspend an account) is the service's.
public struct ModerationRepository: Sendable {
    let db: any SQLDatabase

    /// Adds `signals` to the target's open item, opening one when there is none. Returns the
    /// item's id.
    @discardableResult
    public func flag(_ target: ModerationTarget, _ targetID: String, signals: [ModerationSignal], now: Date = Date()) throws -> String {
        try db.write { try Self.flag(target, targetID, signals: signals, now: now, $0) }
    }

    static func flag(_ target: ModerationTarget, _ targetID: String, signals: [ModerationSignal], now: Date, _ db: any SQLConnection) throws -> String {
        try db.execute(
            """
            INSERT INTO moderation_items(id, target_type, target_id, state, hidden, created_at, updated_at)
            VALUES (?, ?, ?, 'open', ?, ?, ?)
            ON CONFLICT (target_type, target_id) WHERE state = 'open' DO UPDATE SET updated_at = excluded.updated_at
            """, [RandomID.make(), target.rawValue, targetID, false, now, now])
        guard let id = try db.scalar(String.self, "SELECT id FROM moderation_items WHERE target_type = ? AND target_id = ? AND state = 'open'", [target.rawValue, targetID])
        else { throw SQLError.statement("the open moderation item of \(target.rawValue) \(targetID) vanished") }
        for signal in signals {
            try db.execute(
                "INSERT INTO moderation_signals(item_id, kind, source, label, score, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [id, signal.kind.rawValue, signal.source, signal.label, signal.score, signal.detail, signal.createdAt])
        }
        return id
    }

    /// Files a report and adds it to the target's queue item. Throws ``DuplicateReport`` when
    /// the reporter has an open one on the target already. Returns the item's id and how many
    /// distinct accounts have an open report on the target now.
    public func report(
        reporterID: String, target: ModerationTarget, targetID: String, reason: ReportReason, detail: String, now: Date = Date()
    ) throws -> (itemID: String, reporters: Int) {
        do {
            return try db.write { db in
                try db.execute(
                    "INSERT INTO reports(id, reporter_id, target_type, target_id, reason, detail, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
                    [RandomID.make(), reporterID, target.rawValue, targetID, reason.rawValue, detail, now])
                let item = try Self.flag(
                    target, targetID, signals: [ModerationSignal(kind: .report, source: reason.rawValue, detail: detail.isEmpty ? nil : detail, createdAt: now)],
                    now: now, db)
                let reporters =
                    try db.scalar(
                        Int.self, "SELECT COUNT(DISTINCT reporter_id) FROM reports WHERE target_type = ? AND target_id = ? AND state = 'open'",
                        [target.rawValue, targetID]) ?? 0
                return (item, reporters)
            }
        } catch SQLError.unique {
            throw DuplicateReport()
        }
    }

    /// Reports filed by the account in the last `window` seconds (the reporters' rate limit).
    public func recentReports(reporterID: String, since: Date) throws -> Int {
        try db.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM reports WHERE reporter_id = ? AND created_at >= ?", [reporterID, since]) ?? 0 }
    }

    /// Marks the target's open item hidden (reports past the threshold); returns whether it changed.
    @discardableResult
    /// A hidden video is also held (`videos.moderation_hold`), in the same transaction: the
    /// listings filter on that column.
    public func hide(_ target: ModerationTarget, _ targetID: String) throws -> Bool {
        try db.write { db in
            let changed = try db.execute(
                "UPDATE moderation_items SET hidden = ? WHERE target_type = ? AND target_id = ? AND state = 'open' AND hidden = ?",
                [true, target.rawValue, targetID, false]) > 0
            if changed, target == .video { try db.execute("UPDATE videos SET moderation_hold = ? WHERE id = ?", [true, targetID]) }
            return changed
        }
    }

    /// Whether the target is hidden by an open item.
    public func isHidden(_ target: ModerationTarget, _ targetID: String) throws -> Bool {
        try db.read {
            try $0.fetchOne(
                "SELECT 1 FROM moderation_items WHERE target_type = ? AND target_id = ? AND state = 'open' AND hidden = ?",
                [target.rawValue, targetID, true]) != nil
        }
    }

    public func item(_ id: String) throws -> ModerationItem? {
        try db.read { db in
            guard let row = try db.fetchOne("SELECT * FROM moderation_items WHERE id = ?", [id]) else { return nil }
            return try Self.items([row], db).first
        }
    }

    /// The queue, least recently flagged first (`state` open by default, or resolved),
    /// keyset-paginated on (updated_at, id).
    public func queue(state: String = "open", limit: Int, cursor: String?) throws -> ModerationPage<ModerationItem> {
        let after = try cursor.map { try ModerationCursor(decoding: $0) }
        return try db.read { db in
            var sql = "SELECT * FROM moderation_items WHERE state = ?"
            var arguments: [any SQLBindable] = [state]
            if let after {
                sql += " AND (updated_at, id) > (?, ?)"
                arguments += [after.date, after.id]
            }
            sql += " ORDER BY updated_at, id LIMIT ?"
            arguments.append(limit + 1)
            let rows = try db.fetchAll(sql, arguments)
            let items = try Self.items(Array(rows.prefix(limit)), db)
            let next = rows.count > limit ? items.last.map { ModerationCursor(date: $0.updatedAt, id: $0.id).encoded } : nil
            return ModerationPage(items: items, nextCursor: next)
        }
    }

    /// Resolves an open item with a decision: the item and the target's open reports are
    /// resolved and the decision is audited, in one transaction. Nil when there is no open
    /// item `id` (unknown, or decided already).
    public func decide(
        itemID: String, moderatorID: String?, action: ModerationAction, reason: String, now: Date = Date()
    ) throws -> ModerationItem? {
        try db.write { db in
            let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
            guard let row = try db.fetchOne("SELECT * FROM moderation_items WHERE id = ? AND state = 'open'" + lock, [itemID]) else { return nil }
            let target: String = try row.value("target_type")
            let targetID: String = try row.value("target_id")
            try db.execute("UPDATE moderation_items SET state = 'resolved', hidden = ?, resolved_at = ?, updated_at = ? WHERE id = ?", [false, now, now, itemID])
            // The decision releases a held video; a removal makes it private as well (the service).
            if target == ModerationTarget.video.rawValue { try db.execute("UPDATE videos SET moderation_hold = ? WHERE id = ?", [false, targetID]) }
            try db.execute(
                "UPDATE reports SET state = 'resolved', resolved_at = ? WHERE target_type = ? AND target_id = ? AND state = 'open'", [now, target, targetID])
            try Self.audit(moderatorID: moderatorID, itemID: itemID, target: target, targetID: targetID, action: action, reason: reason, now: now, db)
            return try Self.items([try db.fetchOne("SELECT * FROM moderation_items WHERE id = ?", [itemID])!], db).first
        }
    }

    /// Audits an action taken outside the queue (lifting a suspension, a direct ban).
    public func record(moderatorID: String?, target: ModerationTarget, targetID: String, action: ModerationAction, reason: String, now: Date = Date()) throws {
        try db.write { try Self.audit(moderatorID: moderatorID, itemID: nil, target: target.rawValue, targetID: targetID, action: action, reason: reason, now: now, $0) }
    }

    /// The audit log, newest first, keyset-paginated.
    public func audit(limit: Int, cursor: String?) throws -> ModerationPage<AuditEntry> {
        let before = try cursor.map { try ModerationCursor(decoding: $0) }
        return try db.read { db in
            var sql = "SELECT * FROM moderation_audit"
            var arguments: [any SQLBindable] = []
            if let before {
                sql += " WHERE (created_at, id) < (?, ?)"
                arguments += [before.date, before.id]
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments.append(limit + 1)
            let rows = try db.fetchAll(sql, arguments)
            let entries = try rows.prefix(limit).map { row in
                AuditEntry(
                    id: try row.value("id"), moderatorID: row["moderator_id"], itemID: row["item_id"],
                    targetType: ModerationTarget(rawValue: try row.value("target_type")) ?? .video, targetID: try row.value("target_id"),
                    action: ModerationAction(rawValue: try row.value("action")) ?? .approve, reason: try row.value("reason"),
                    createdAt: try row.value("created_at"))
            }
            let next = rows.count > limit ? entries.last.map { ModerationCursor(date: $0.createdAt, id: $0.id).encoded } : nil
            return ModerationPage(items: entries, nextCursor: next)
        }
    }

    /// Suspends an account until `until`, bans it (`until` nil, `ban` true), or lifts both.
    public func setAccountRestriction(userID: String, suspendedUntil: Date?, banned: Bool, now: Date = Date()) throws -> Bool {
        try db.write {
            try $0.execute(
                "UPDATE users SET suspended_until = ?, banned_at = ? WHERE id = ?", [suspendedUntil, banned ? now : nil as Date?, userID]) > 0
        }
    }

    /// Why the account may not post or sign in now: banned, or suspended until a time to come.
    public func restriction(userID: String, now: Date = Date()) throws -> (banned: Bool, suspendedUntil: Date?) {
        try db.read { db in
            guard let row = try db.fetchOne("SELECT suspended_until, banned_at FROM users WHERE id = ?", [userID]) else { return (false, nil) }
            let until: Date? = row["suspended_until"]
            let banned: Date? = row["banned_at"]
            return (banned != nil, until.flatMap { $0 > now ? $0 : nil })
        }
    }

    static func audit(
        moderatorID: String?, itemID: String?, target: String, targetID: String, action: ModerationAction, reason: String, now: Date,
        _ db: any SQLConnection
    ) throws {
        try db.execute(
            "INSERT INTO moderation_audit(id, moderator_id, item_id, target_type, target_id, action, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [RandomID.make(), moderatorID, itemID, target, targetID, action.rawValue, reason, now])
    }

    /// Items with their signals and report counts: two more queries for the whole page.
    static func items(_ rows: [SQLRow], _ db: any SQLConnection) throws -> [ModerationItem] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = try rows.map { try $0.value("id") }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        var signals: [String: [ModerationSignal]] = [:]
        for row in try db.fetchAll("SELECT * FROM moderation_signals WHERE item_id IN (\(marks)) ORDER BY created_at", ids) {
            let kind = ModerationSignal.Kind(rawValue: try row.value("kind")) ?? .rule
            signals[try row.value("item_id"), default: []].append(
                ModerationSignal(
                    kind: kind, source: try row.value("source"), label: row["label"], score: row["score"], detail: row["detail"],
                    createdAt: try row.value("created_at")))
        }
        var counts: [String: [String: Int]] = [:]
        var seen = Set<String>()
        for row in rows {
            let type: String = try row.value("target_type")
            let targetID: String = try row.value("target_id")
            guard seen.insert(type + "\u{1}" + targetID).inserted else { continue }
            for count in try db.fetchAll(
                "SELECT reason, COUNT(DISTINCT reporter_id) AS n FROM reports WHERE target_type = ? AND target_id = ? AND state = 'open' GROUP BY reason ORDER BY reason",
                [type, targetID])
            {
                counts[type + "\u{1}" + targetID, default: [:]][try count.value("reason")] = try count.value("n")
            }
        }
        return try rows.map { row in
            let id: String = try row.value("id")
            let type: String = try row.value("target_type")
            let targetID: String = try row.value("target_id")
            return ModerationItem(
                id: id, targetType: ModerationTarget(rawValue: type) ?? .video, targetID: targetID, state: try row.value("state"),
                hidden: try row.value("hidden"), createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"),
                resolvedAt: row["resolved_at"], signals: signals[id] ?? [], reportCounts: counts[type + "\u{1}" + targetID] ?? [:])
        }
    }
}

/// The queue's and the audit log's position: a time and an id.
struct ModerationCursor {
    var date: Date
    var id: String

    var encoded: String { Data("\(date.storageText)\u{1}\(id)".utf8).base64URLEncoded() }

    init(date: Date, id: String) {
        self.date = date
        self.id = id
    }

    init(decoding text: String) throws {
        guard let data = Data(base64URL: text), let decoded = String(data: data, encoding: .utf8) else { throw InvalidCursor() }
        let parts = decoded.split(separator: "\u{1}", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = Date(storageText: parts[0]), !parts[1].isEmpty, parts[1].count <= 64 else { throw InvalidCursor() }
        self.date = date
        id = parts[1]
    }
}

extension KinoraDatabase {
    public var moderation: ModerationRepository { ModerationRepository(db: sql) }
}
