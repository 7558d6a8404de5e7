import Foundation
import KinoraStore

/// Videos as a caller may have them, under ``VideoVisibility``: a hidden video answers like
/// an unknown one.
public struct VideoLookup: Sendable {
    let database: KinoraDatabase

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// The video, or ``VideoAccessError/notFound(id:)`` when unknown or hidden from `viewer`.
    public func visible(_ id: String, to viewer: Viewer) throws -> VideoRecord {
        guard id.count <= 64, let video = try database.videos.find(id), VideoVisibility.canSee(video, viewer) else {
            throw VideoAccessError.notFound(id: id)
        }
        return video
    }

    /// The video for a change: not found when hidden, not editable when visible but neither
    /// `viewer`'s nor `viewer` an admin.
    public func editable(_ id: String, by viewer: Viewer) throws -> VideoRecord {
        let video = try visible(id, to: viewer)
        guard VideoVisibility.canEdit(video, viewer) else { throw VideoAccessError.notEditable }
        return video
    }

    /// The visible videos among `ids`, by id (unknown and hidden ones left out).
    public func visible(ids: [String], to viewer: Viewer) throws -> [String: VideoRecord] {
        try database.videos.find(ids: ids).filter { VideoVisibility.canSee($0.value, viewer) }
    }

    /// A video with its details (channel, category, tags), when `viewer` may see it.
    public func details(_ id: String, to viewer: Viewer) throws -> VideoDetails? {
        guard id.count <= 64, let details = try database.videos.details(id: id), VideoVisibility.canSee(details.video, viewer) else {
            return nil
        }
        return details
    }
}
