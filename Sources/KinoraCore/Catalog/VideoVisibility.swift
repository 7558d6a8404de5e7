import Foundation
import KinoraStore

/// The one rule of who sees which video. Private videos, and videos before their scheduled
/// publication, exist only for their owner and admins; unlisted ones for anyone with the
/// link. Everywhere a video is shown (API, pages, streams, playlists, history) asks here.
public enum VideoVisibility {
    /// The visibilities a video may have.
    public static let values = ["public", "unlisted", "private"]

    /// Whether `viewer` may see `video` at all.
    public static func canSee(_ video: VideoRecord, _ viewer: Viewer, now: Date = Date()) -> Bool {
        // The record keeps the rule next to the columns it reads (the store's listing queries
        // filter by the same columns); this is its only caller.
        if viewer.isModerator, video.moderationHold {
            // Moderators review a held video as anyone would see it once released.
            var released = video
            released.moderationHold = false
            return released.isVisible(to: viewer.userID, isAdmin: viewer.isAdmin, now: now)
        }
        return video.isVisible(to: viewer.userID, isAdmin: viewer.isAdmin, now: now)
    }

    /// Whether `viewer` may change `video`: its owner and admins.
    public static func canEdit(_ video: VideoRecord, _ viewer: Viewer) -> Bool {
        viewer.mayChange(ownedBy: video.ownerID)
    }

    /// Whether the video is hidden from people without an account that owns it: private or
    /// not yet published. Shared caches must not keep what such a video serves.
    public static func isRestricted(_ video: VideoRecord, now: Date = Date()) -> Bool {
        !canSee(video, .anonymous, now: now)
    }
}
