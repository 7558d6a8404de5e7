import Foundation

/// A tus resumable upload as stored: how long it is, how much of it is durably on disk, its
/// client metadata, and the video it became once complete.
public struct UploadRecord: Codable, Sendable, Hashable {
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
    let db: any SQLDatabase

    public func create(_ upload: UploadRecord) throws {
        try db.write { try $0.insert(upload, into: UploadRecord.databaseTableName) }
    }

    public func find(_ id: String) throws -> UploadRecord? {
        try db.read { try $0.fetchOne(UploadRecord.self, "SELECT * FROM uploads WHERE id = ?", [id]) }
    }

    public func setOffset(_ id: String, _ offset: Int64, now: Date = Date()) throws {
        try db.write { try $0.execute("UPDATE uploads SET upload_offset = ?, updated_at = ? WHERE id = ?", [offset, now, id]) }
    }

    public func complete(_ id: String, videoID: String, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                "UPDATE uploads SET video_id = ?, upload_offset = length, ingest_status = NULL, ingest_error = NULL, updated_at = ? WHERE id = ?",
                [videoID, now, id])
        }
    }

    public func setIngestFailure(_ id: String, status: Int, reason: String, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                "UPDATE uploads SET ingest_status = ?, ingest_error = ?, updated_at = ? WHERE id = ? AND video_id IS NULL", [status, reason, now, id])
        }
    }

    public func awaitingIngest(limit: Int = 500) throws -> [UploadRecord] {
        try db.read {
            try $0.fetchAll(
                UploadRecord.self,
                """
                SELECT * FROM uploads WHERE video_id IS NULL AND upload_offset = length AND (ingest_status IS NULL OR ingest_status >= 500)
                ORDER BY updated_at LIMIT ?
                """, [limit])
        }
    }

    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM uploads WHERE id = ?", [id]) } > 0
    }

    public func expired(before now: Date = Date(), limit: Int = 500) throws -> [UploadRecord] {
        try db.read {
            try $0.fetchAll(UploadRecord.self, "SELECT * FROM uploads WHERE video_id IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?", [now, limit])
        }
    }

    public func allIDs() throws -> Set<String> {
        try db.read { Set(try $0.fetchAll("SELECT id FROM uploads").map { try $0.value("id", as: String.self) }) }
    }
}

extension KinoraDatabase {
    public var uploads: UploadRepository { UploadRepository(db: sql) }
}
