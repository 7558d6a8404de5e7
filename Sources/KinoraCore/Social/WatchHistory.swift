import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Watch history: where an account stopped in each video, and what it watched to the end.
public struct WatchHistory: Sendable {
    let database: KinoraDatabase

    /// From this share of the duration on, a video counts as watched: no resume offered.
    public static let completedShare = 0.95

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// One entry as a caller sees it, with its video.
    public struct Item: Sendable {
        public var entry: HistoryEntry
        public var video: VideoRecord
    }

    /// Records the player's heartbeat (`position` in seconds) for a video `me` may see.
    public func record(_ body: [String: JSONValue], me: Profile, video: VideoRecord) throws -> HistoryEntry {
        try BodyFields.refuseUnknownKeys(body, allowed: ["position"])
        guard let requested = body["position"]?.doubleValue, requested.isFinite, requested >= 0 else {
            throw InvalidField("position", "position must be a number of seconds, 0 or more")
        }
        let duration = video.duration ?? 0
        let position = video.duration.map { min(requested, max($0, 0)) } ?? requested
        let completed = duration > 0 && position >= duration * Self.completedShare
        return try database.history.record(userID: me.id, videoID: video.id, position: position, completed: completed).entry
    }

    /// Entries newest first, and where the next page starts.
    public struct Page: Sendable {
        public var items: [Item]
        public var nextCursor: String?
    }

    /// A page of the account's history. A video made private since it was watched drops out
    /// of the page, not out of the history.
    public func page(userID: String, viewer: Viewer, limit: Int, cursor: String?) throws -> Page {
        let page = try database.history.page(userID: userID, limit: limit, cursor: cursor)
        let videos = try VideoLookup(database: database).visible(ids: page.entries.map(\.videoID), to: viewer)
        let items = page.entries.compactMap { entry in videos[entry.videoID].map { Item(entry: entry, video: $0) } }
        return Page(items: items, nextCursor: page.nextCursor)
    }

    public func clear(_ me: Profile) throws {
        _ = try database.history.clear(userID: me.id)
    }

    public func remove(_ videoID: String, of me: Profile) throws {
        guard videoID.count <= 64, try database.history.remove(userID: me.id, videoID: videoID) else {
            throw SocialError.notInHistory(videoID: videoID)
        }
    }

    /// Where `viewer`'s account stopped in the video: `.some(nil)` when it never started or
    /// finished it, nil when there is no account to ask about.
    public func resumePosition(videoID: String, viewer: Viewer) throws -> Double?? {
        guard let userID = viewer.userID else { return nil }
        let entry = try database.history.entry(userID: userID, videoID: videoID)
        return .some(entry.flatMap { $0.completed ? nil : $0.position })
    }
}
