import Foundation
import GRDB

/// A counter that moves whenever a commit on this node touched what a listing shows (videos,
/// their channels, tags, jobs and captions), so a page built from the catalog can be kept
/// until it moves. Commits that touch only other tables (a notification fan-out's thousands
/// of rows, sessions, the outbox) leave it alone.
///
/// SQLite only: there this node makes every write, and GRDB reports each commit with the
/// tables it changed. On PostgreSQL other nodes write too and nothing tells this one in
/// time, so ``generation`` is nil and callers keep nothing.
///
/// ```swift
/// let seen = database.catalogChanges.generation
/// let page = try database.videos.list(query)
/// // later: the page is still what a fresh read would give while the generation equals `seen`
/// ```
public final class CatalogChanges: @unchecked Sendable {
    /// The tables ``VideoDetails/load(_:_:now:)`` and the listing read.
    static let tables = ["videos", "channels", "video_tags", "jobs", "captions"]

    private let lock = NSLock()
    private var counter: UInt64 = 0
    private let pool: DatabasePool?
    private var cancellable: AnyDatabaseCancellable?

    init(pool: DatabasePool?) {
        self.pool = pool
    }

    /// Where the catalog stands; nil when this node cannot know (PostgreSQL, or before the
    /// migrations made the tables).
    public var generation: UInt64? {
        guard let pool else { return nil }
        if let counter = lock.withLock({ cancellable == nil ? nil : counter }) { return counter }
        return startObserving(pool) ? lock.withLock { counter } : nil
    }

    /// GRDB resolves the tables when the observation starts, so it starts on first use (the
    /// database is migrated by then) rather than when the file is opened.
    private func startObserving(_ pool: DatabasePool) -> Bool {
        final class Flag: @unchecked Sendable { var raised = false }
        let failed = Flag()
        let observation = DatabaseRegionObservation(tracking: Self.tables.map { Table($0) })
        // Called on the writer's queue right after each commit that changed one of the tables.
        let started = observation.start(
            in: pool, onError: { _ in failed.raised = true },
            onChange: { [weak self] _ in self?.lock.withLock { self?.counter &+= 1 } })
        guard !failed.raised else { return false }
        lock.withLock {
            if cancellable == nil { cancellable = started } else { started.cancel() }
        }
        return true
    }
}
