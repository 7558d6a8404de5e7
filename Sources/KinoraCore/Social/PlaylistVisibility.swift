import KinoraStore

/// The one rule of who sees which playlist: public and unlisted ones anyone (unlisted by
/// link), private ones only their owner and admins. Changing one is for its owner and admins.
public enum PlaylistVisibility {
    public static let values = ["public", "unlisted", "private"]

    public static func canSee(_ playlist: PlaylistRecord, _ viewer: Viewer) -> Bool {
        playlist.visibility != "private" || canEdit(playlist, viewer)
    }

    public static func canEdit(_ playlist: PlaylistRecord, _ viewer: Viewer) -> Bool {
        viewer.mayChange(ownedBy: playlist.ownerID)
    }
}
