import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraMediaContract
import KinoraStore

/// Deleting a video for good: its objects in media storage first, then its row (tags,
/// captions, jobs, search entry and uploads go with it). Shared by `DELETE /api/v1/videos/{id}`,
/// the forced deletion of a channel and an account's deletion.
public struct VideoRemoval: Sendable {
    public let database: KinoraDatabase
    public let storage: MediaStorage

    public init(database: KinoraDatabase, storage: MediaStorage) {
        self.database = database
        self.storage = storage
    }

    public init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig) {
        self.init(database: database, storage: MediaStorage(registry: registry, name: config.mediaStorage))
    }

    /// Removes the video `id`; its stored objects only while the storage instance is started.
    public func remove(_ id: String) async throws {
        if let storage = storage.client {
            try await storage.removeAll(prefix: VideoObjects(id).folder)
        }
        try database.videos.delete(id)
        database.events.publish(.video(id))
    }
}
