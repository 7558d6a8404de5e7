import KinoraConfiguration

/// How `/streams/` serves the media segments of a storage instance, read from the instance's
/// own settings (`playback = "proxy" | "redirect"`, `presign_lifetime_seconds`): through the
/// daemon, or as a `302` to a presigned URL when the plugin offers `kinora.storage.presign/1`.
/// Manifests are always served by the daemon: their relative URIs would resolve against the
/// signed URL otherwise.
///
/// ```swift
/// if case .redirect(let lifetime) = storage.instance.playback,
///    let url = try storage.presign(key, ttlSeconds: lifetime) {
///     // answer 302 Location: url
/// }
/// ```
public enum StoragePlayback: Sendable, Equatable {
    case proxy
    case redirect(lifetimeSeconds: Int64)

    init(settings: JSONValue) {
        guard settings["playback"]?.stringValue == "redirect" else {
            self = .proxy
            return
        }
        self = .redirect(lifetimeSeconds: max(1, settings["presign_lifetime_seconds"]?.intValue ?? 300))
    }
}
