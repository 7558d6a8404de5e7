import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// What every upload does once an uploaded file is complete on local disk: probe it with the
/// media worker, store the original through the storage plugin, create the video row (and its
/// first transcode job). Shared by the multipart route and the tus uploads.
///
/// A service in all but its home: it calls ``MediaWorker``, ``IngestFailure`` and the free-space
/// check, which move to `KinoraCore/Videos/Pipeline` with the media pipeline; it follows them
/// there. It neither takes nor throws anything of HTTP.
public struct VideoIngest: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public let config: KinoraConfig
    public let media: MediaWorker

    public init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig, media: MediaWorker) {
        self.database = database
        self.registry = registry
        self.config = config
        self.media = media
    }

    /// What the client said about the file.
    public struct Details: Sendable {
        var originalName: String?
        var metadata: UploadMetadata
    }

    public var storage: MediaStorage { MediaStorage(registry: registry, name: config.mediaStorage) }
    public var limits: UploadLimits { UploadLimits(config) }
    /// Where multipart uploads are received.
    public var uploadFolder: String { config.dataDir + "/uploads" }

    /// The media storage instance, or ``StorageUnavailable`` when it is not running.
    public func requireStorage() throws -> StorageClient {
        try storage.require()
    }

    /// Before a multipart body is read: storage up, the announced length (nil: none) within
    /// the limit, and room on the disk for the file and the original's copy.
    public func prepareUpload(announcedLength: Int64?) throws {
        _ = try requireStorage()
        try limits.checkRequest(length: announcedLength)
        try FileManager.default.createDirectory(atPath: uploadFolder, withIntermediateDirectories: true)
        // The received file, then the original's copy in media storage: twice the size.
        try requireFreeSpace(at: uploadFolder, incoming: (announcedLength ?? 0) * ingestCopies, reserve: config.minFreeBytes)
    }

    /// A received upload: its form `fields` checked for the uploader (nil: the bootstrap
    /// token), then the file ingested. Returns the new video as shown.
    public func ingestUpload(
        file path: String, size: Int64, originalName: String?, fields: [String: String], uploaderID: String?,
        requestID: String, logger: Logger
    ) async throws -> VideoRecord {
        let metadata = try UploadMetadata.resolve(fields, uploaderID: uploaderID, database: database, defaultVisibility: config.defaultVisibility)
        return try await ingest(
            file: path, size: size, details: Details(originalName: originalName, metadata: metadata),
            requestID: requestID, logger: logger)
    }

    /// Ingests the complete file at `path` (`size` bytes). The caller still owns the file and
    /// removes it. Refusals: not a usable video (422), storage down or failing (503), the disk
    /// filled up while the original was stored (507); nothing is stored when one is thrown.
    public func ingest(file path: String, size: Int64, details: Details, requestID: String, logger: Logger) async throws -> VideoRecord {
        let storage = try requireStorage()
        let info = try await media.probe(path)
        let id = RandomID.make(bytes: 10)
        let key = VideoObjects(id).original
        do {
            try await storage.put(key, contentType: "application/octet-stream", file: path, requestID: requestID)
        } catch {
            throw IngestFailure.domainError(error)
        }
        let metadata = details.metadata
        let record = VideoRecord(
            id: id, title: UploadMetadata.title(metadata.title, originalName: details.originalName), visibility: metadata.visibility,
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
        // The upload's words go through the classifiers as an edit's do; a hold is already in
        // place when the answer tells the uploader the video's id.
        let screening = VideoScreening(database: database, moderation: ModerationPipeline(registry: registry, policy: config.moderation))
        if screening.isEnabled, let stored = try database.videos.details(id: id) {
            let verdict = try await screening.screenWords(of: stored, requestID: requestID)
            if verdict.action != .publish {
                logger.notice("video held for moderation", metadata: ["video": .string(id), "rule": .string(verdict.rule ?? "")])
                return try database.videos.find(id) ?? record
            }
        }
        return record
    }
}
