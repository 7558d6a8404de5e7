import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// What every upload route does once an uploaded file is complete on local disk: probe it with
/// the media worker, store the original through the storage plugin, create the video row (and
/// its first transcode job). Shared by the multipart route and the tus routes.
struct VideoIngest: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig
    let media: MediaWorker

    /// What the client said about the file.
    struct Details: Sendable {
        var originalName: String?
        var metadata: UploadMetadata
    }

    /// The media storage instance, or 503 when it is not running.
    func requireStorage() throws -> StorageClient {
        try MediaStorage(registry: registry, name: config.mediaStorage).require()
    }

    /// The title to use: the client's (trimmed to 200 characters), else the file name without
    /// its extension, else "Untitled".
    static func title(_ requested: String?, originalName: String?) -> String {
        requested.map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? originalName.map { ($0 as NSString).deletingPathExtension }.flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
    }

    /// Ingests the complete file at `path` (`size` bytes). The caller still owns the file and
    /// removes it. Refusals are problem+json errors: 422 (not a usable video), 503 (storage
    /// down or failing), 507 (the disk filled up while the original was stored); nothing is
    /// stored when one is thrown.
    func ingest(file path: String, size: Int64, details: Details, requestID: String, logger: Logger) async throws -> VideoRecord {
        let storage = try requireStorage()
        let info = try await media.probe(path)
        let id = RandomID.make(bytes: 10)
        let key = VideoObjects(id).original
        do {
            try await storage.put(key, contentType: "application/octet-stream", file: path, requestID: requestID)
        } catch {
            throw IngestFailure.problem(error)
        }
        let metadata = details.metadata
        let record = VideoRecord(
            id: id, title: Self.title(metadata.title, originalName: details.originalName), visibility: metadata.visibility,
            originalKey: key, originalName: details.originalName, originalSize: size,
            duration: info.duration, width: info.displayWidth, height: info.displayHeight, mediaInfo: info.json,
            ownerID: metadata.ownerID, channelID: metadata.channelID, description: metadata.description, categoryID: metadata.categoryID,
            language: metadata.language, license: metadata.license, publishAt: metadata.publishAt)
        do {
            try database.videos.create(record, tags: metadata.tags)
        } catch {
            try? await storage.remove(key)
            throw error
        }
        logger.info("video uploaded", metadata: ["video": .string(id), "bytes": .stringConvertible(size)])
        return record
    }
}
