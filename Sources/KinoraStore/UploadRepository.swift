import Foundation
import GRDB

/// A tus resumable upload as stored: how long it is, how much of it is durably on disk, its
/// client metadata, and the video it became once complete.
public struct UploadRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uploads"

    public var id: String
    public var length: Int64
    public var offset: Int64
    /// The tus `Upload-Metadata` pairs, decoded, as a JSON object of strings.
    public var metadata: String
    /// The partial file, relative to the data folder (`uploads/tus/<id>`).
    public var filePath: String
    public var videoID: String?
    /// The account that started the upload (nil with the bootstrap token); only it and
    /// admins may continue it, and its video is theirs.
    public var ownerID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date
    /// Why the complete file did not become a video: the HTTP status the ingest failed with
    /// (4xx: the file was refused and removed; 5xx: the bytes are kept for another try) and
    /// a sentence saying why. Nil while no ingest failed.
    public var ingestStatus: Int?
    public var ingestError: String?

    enum CodingKeys: String, CodingKey {
        case id, length, metadata
        case offset = "upload_offset", filePath = "file_path", videoID = "video_id", ownerID = "owner_id"
        case createdAt = "created_at", updatedAt = "updated_at", expiresAt = "expires_at"
        case ingestStatus = "ingest_status", ingestError = "ingest_error"
    }

    public init(
        id: String, length: Int64, metadata: [String: String], filePath: String, expiresAt: Date, ownerID: String? = nil,
        now: Date = Date()
    ) {
        self.id = id
        self.ownerID = ownerID
        self.length = length
        offset = 0
        let data = (try? JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])) ?? Data("{}".utf8)
        self.metadata = String(decoding: data, as: UTF8.self)
        self.filePath = filePath
        createdAt = now
        updatedAt = now
        self.expiresAt = expiresAt
    }

    public var metadataValues: [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(metadata.utf8))) as? [String: String] ?? [:]
    }

    public var isComplete: Bool { videoID != nil }

    /// Every byte is on disk but no video was made of them yet (ingest running, interrupted
    /// by a crash, or failed on the server's side).
    public var awaitsIngest: Bool { videoID == nil && offset == length && !isRefused }

    /// The ingest refused the file (not a usable video): nothing more can come of it.
    public var isRefused: Bool { ingestStatus.map { (400..<500).contains($0) } ?? false }
}

/// Every query on the uploads table.
public struct UploadRepository: Sendable {
    let writer: DatabasePool

    public func create(_ upload: UploadRecord) throws {
        try writer.write { try upload.insert($0) }
    }

    public func find(_ id: String) throws -> UploadRecord? {
        try writer.read { try UploadRecord.fetchOne($0, key: id) }
    }

    /// Records that the file now durably holds `offset` bytes.
    public func setOffset(_ id: String, _ offset: Int64, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(sql: "UPDATE uploads SET upload_offset = ?, updated_at = ? WHERE id = ?", arguments: [offset, now, id])
        }
    }

    /// Marks the upload complete: it became `videoID` (whose row must exist).
    public func complete(_ id: String, videoID: String, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(
                sql: """
                    UPDATE uploads SET video_id = ?, upload_offset = length, ingest_status = NULL, ingest_error = NULL, updated_at = ? WHERE id = ?
                    """,
                arguments: [videoID, now, id])
        }
    }

    /// Records why the ingest of the complete file failed (`status`: the HTTP status it failed with).
    public func setIngestFailure(_ id: String, status: Int, reason: String, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(
                sql: "UPDATE uploads SET ingest_status = ?, ingest_error = ?, updated_at = ? WHERE id = ? AND video_id IS NULL",
                arguments: [status, reason, now, id])
        }
    }

    /// Uploads whose bytes are all on disk but that never became a video and were not
    /// refused: a daemon killed during their final ingest leaves these behind.
    public func awaitingIngest(limit: Int = 500) throws -> [UploadRecord] {
        try writer.read {
            try UploadRecord.fetchAll(
                $0,
                sql: """
                    SELECT * FROM uploads WHERE video_id IS NULL AND upload_offset = length AND (ingest_status IS NULL OR ingest_status >= 500)
                    ORDER BY updated_at LIMIT ?
                    """, arguments: [limit])
        }
    }

    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        try writer.write { try UploadRecord.deleteOne($0, key: id) }
    }

    /// Incomplete uploads whose expiry is past `now`, oldest first.
    public func expired(before now: Date = Date(), limit: Int = 500) throws -> [UploadRecord] {
        try writer.read {
            try UploadRecord.fetchAll(
                $0, sql: "SELECT * FROM uploads WHERE video_id IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                arguments: [now.storageText, limit])
        }
    }

    /// Every upload id (for finding partial files no row owns).
    public func allIDs() throws -> Set<String> {
        try writer.read { Set(try String.fetchAll($0, sql: "SELECT id FROM uploads")) }
    }
}

extension KinoraDatabase {
    public var uploads: UploadRepository { UploadRepository(writer: writer) }
}
