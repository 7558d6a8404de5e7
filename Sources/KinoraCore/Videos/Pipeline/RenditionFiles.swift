import KinoraHost
import KinoraMediaContract

/// Copies a pass's rendition files from the work folder to the media storage.
enum RenditionFiles {
    /// Stores every file of `renditions` not in `stored` (init segments first, then the new
    /// segments), adding each to it.
    static func store(
        _ renditions: [Rendition], from folder: String, video: String, storage: StorageClient, skipping stored: inout Set<String>
    ) async throws {
        let objects = VideoObjects(video)
        for rendition in renditions {
            for uri in rendition.files where !stored.contains(uri) {
                try Task.checkCancellation()  // an administrator's cancel stops between objects
                try await storage.put(objects.key(uri), contentType: "video/mp4", file: folder + "/" + uri)
                stored.insert(uri)
            }
        }
    }
}
