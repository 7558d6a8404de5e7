import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore

/// Deleting a video for good: its objects in media storage first, then its row (tags,
/// captions, jobs, search entry and uploads go with it). Shared by `DELETE /api/v1/videos/{id}`
/// and the forced deletion of a channel.
struct VideoRemoval {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    func remove(_ id: String) async throws {
        if let storage = registry.storage(named: config.mediaStorage) {
            try await storage.removeAll(prefix: VideoObjects(id).folder)
        }
        try database.videos.delete(id)
    }
}
