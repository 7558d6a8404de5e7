import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Logging
import NIOCore

/// The tus upload lifecycle, apart from HTTP: create, receive a PATCH body into the partial
/// file, hand the finished file to ``VideoIngest``, terminate, expire. The database row is the
/// truth: its offset only moves once the bytes before it are fsynced. Refusals are
/// ``UploadError``s; the tus headers and statuses are the edge's (`Uploads/TusRoutes`).
///
/// In KinoraServer only because ``VideoIngest`` is (it waits for the media pipeline's move
/// to the core); nothing here is HTTP.
public struct TusUploads: Sendable {
    public let database: KinoraDatabase
    public let config: KinoraConfig
    public let ingest: VideoIngest
    public var locks = TusLocks()

    public init(database: KinoraDatabase, config: KinoraConfig, ingest: VideoIngest) {
        self.database = database
        self.config = config
        self.ingest = ingest
        // Nodes sharing PostgreSQL may share the folder too ([uploads] tus_dir): a PATCH then
        // also holds a lock there, so two nodes never write one upload at once.
        if database.dialect == .postgres { locks = TusLocks(crossNodeFolder: Self.folder(config) + "/.locks") }
    }

    public static let relativeFolder = "uploads/tus"
    /// `[uploads] tus_dir`, or `uploads/tus` in the data folder.
    static func folder(_ config: KinoraConfig) -> String { config.tusDirectory ?? config.dataDir + "/" + relativeFolder }
    public var folder: String { Self.folder(config) }
    public var expiry: TimeInterval { config.tusExpiryHours * 3600 }

    /// The partial file: named by the upload's id in ``folder`` (the row records where it was
    /// made, but the folder may be mounted elsewhere on another node).
    public func path(of upload: UploadRecord) -> String {
        folder + "/" + (upload.filePath.split(separator: "/").last.map(String.init) ?? upload.id)
    }

    /// Creates an upload of `length` bytes. Throws 413 (over `[uploads] max_bytes`), 400
    /// (metadata), 507 (not enough free space for the whole file), 503 (storage down).
    public func create(length: Int64, metadata: [String: String], ownerID: String?) throws -> UploadRecord {
        try AccountRestrictions.checkMayPost(database, userID: ownerID)
        try ingest.limits.checkDeclared(length: length)
        _ = try ingest.requireStorage()
        // Checked now so a bad field is refused before any byte is sent (and again at the end).
        _ = try resolve(metadata, ownerID: ownerID)
        if let name = metadata["filename"], name.utf8.count > 255 || name.contains("\0") {
            throw UploadError.badMetadata("the filename is limited to 255 bytes")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The partial file, then the original's copy in media storage: twice the length.
        try requireFreeSpace(at: folder, incoming: length * ingestCopies, reserve: config.minFreeBytes)
        let id = RandomID.make(bytes: 16)
        let now = Date()
        let upload = UploadRecord(
            id: id, length: length, metadata: metadata, filePath: Self.relativeFolder + "/" + id,
            expiresAt: now.addingTimeInterval(expiry), ownerID: ownerID, now: now)
        try database.uploads.create(upload)
        return upload
    }

    /// The upload `id`: 404 when unknown, 410 when it expired and awaits the sweep.
    public func find(_ id: String) throws -> UploadRecord {
        guard id.count <= 64, let upload = try database.uploads.find(id) else {
            throw UploadError.notFound(id: id)
        }
        if upload.videoID == nil && upload.expiresAt <= Date() {
            throw UploadError.expired(hours: config.tusExpiryHours)
        }
        return upload
    }

    /// Appends a PATCH body (`declaredLength` from Content-Length when sent) at `offset`, then
    /// ingests the file if it is now complete. Returns the upload as stored afterwards.
    public func receive<Body: AsyncSequence>(
        _ upload: UploadRecord, offset: Int64, body: Body, declaredLength: Int64?,
        checksum: (TusChecksum.Algorithm, [UInt8])?, requestID: String,
        logger: Logger
    ) async throws -> UploadRecord where Body.Element == ByteBuffer {
        guard locks.acquire(upload.id) else { throw UploadError.busy }
        defer { locks.release(upload.id) }
        // Read again under the lock: a request that finished meanwhile moved the offset.
        var upload = try find(upload.id)
        if upload.isRefused { throw UploadError.refused(reason: upload.ingestError, status: upload.ingestStatus) }
        if upload.awaitsIngest && offset == Self.reportedOffset(upload) {
            // The client resends the last byte it was told is missing (see reportedOffset):
            // take it as an ordinary final PATCH. Moving the offset back is safe, the file
            // holds at least that much.
            upload.offset = offset
            try database.uploads.setOffset(upload.id, offset)
        }
        guard offset == upload.offset else {
            throw UploadError.offsetMismatch(expected: Self.reportedOffset(upload))
        }
        let remaining = upload.length - upload.offset
        if let declaredLength, declaredLength > remaining { throw beyondLength(upload) }
        if upload.videoID != nil { return upload }  // complete: nothing to append (a retried final PATCH)

        if declaredLength ?? 0 > 0 || remaining > 0 {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // This body, and the copy the final ingest makes of the whole file.
            try requireFreeSpace(at: folder, incoming: (declaredLength ?? remaining) + upload.length, reserve: config.minFreeBytes)
            let written = try await append(
                body, to: path(of: upload), at: upload.offset, remaining: remaining,
                checksum: checksum, upload: upload)
            if written > 0 {
                upload.offset += written
                try database.uploads.setOffset(upload.id, upload.offset)
            }
        }
        guard upload.offset == upload.length else { return upload }
        return try await finish(upload, requestID: requestID, logger: logger)
    }

    /// Streams `body` into the file at `start`, never past `remaining` bytes, verifies the
    /// checksum, fsyncs. Returns the bytes now durably appended; a refused body is cut back
    /// off the file and thrown. A body the client broke off keeps what arrived (when no
    /// checksum asked for all of it), so the client resumes from there.
    private func append<Body: AsyncSequence>(
        _ body: Body, to path: String, at start: Int64, remaining: Int64,
        checksum: (TusChecksum.Algorithm, [UInt8])?,
        upload: UploadRecord
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        let file: TusFile
        do {
            file = try await TusFile.open(path, at: start)
        } catch let error as TusFile.WriteFailed {
            throw UploadError.storageFailed(error.description)
        }
        defer { file.close() }
        var hasher = checksum.map { TusChecksum($0.0) }
        var written: Int64 = 0
        var pending: [UInt8] = []
        pending.reserveCapacity(1 << 20)
        var failure: UploadError?
        var interruption: (any Error)?
        do {
            do {
                for try await buffer in body {
                    guard written + Int64(pending.count) + Int64(buffer.readableBytes) <= remaining else {
                        failure = beyondLength(upload)
                        break
                    }
                    hasher?.update(buffer)
                    pending.append(contentsOf: buffer.readableBytesView)
                    if pending.count >= 1 << 20 {
                        try await file.write(pending, at: start + written)
                        written += Int64(pending.count)
                        pending.removeAll(keepingCapacity: true)
                    }
                }
            } catch let error as TusFile.WriteFailed {
                throw error
            } catch {
                interruption = error  // the body stream broke: the client went away
            }
            if failure == nil {
                try await file.write(pending, at: start + written)
                written += Int64(pending.count)
            }
        } catch let error as TusFile.WriteFailed {
            failure =
                error.diskFull
                ? UploadError.diskFull(title: "Not enough disk space", detail: error.description)
                : UploadError.storageFailed(error.description)
        }
        if let checksum, let hasher, failure == nil {
            if interruption != nil {
                failure = UploadError.incompleteBody("the body ended early; a checksummed PATCH is kept whole or not at all")
            } else if hasher.finalize() != checksum.1 {
                failure = UploadError.checksumMismatch(algorithm: checksum.0.rawValue, bytes: written)
            }
        }
        if let failure {
            await file.truncate(to: start)
            throw failure
        }
        do {
            try await file.sync()
        } catch let error as TusFile.WriteFailed {
            await file.truncate(to: start)
            throw UploadError.diskFull(title: "Cannot store the upload", detail: error.description)
        }
        if interruption != nil {
            try database.uploads.setOffset(upload.id, start + written)
            throw UploadError.incompleteBody("the body ended after \(written) bytes; they are kept: resume at Upload-Offset \(start + written)")
        }
        return written
    }

    /// The offset HEAD and PATCH answers report. While the bytes are complete but no video was
    /// made of them (ingest running, cut short by a crash, failed on the server's side, or
    /// refused), it is one byte short of the length: tus clients take offset == length as
    /// success and stop, and would report an upload that never became a video as done. One
    /// byte short, a client resumes by sending the last byte, which retries the ingest and
    /// answers with the video, a 423 while another request ingests it, or the reason there
    /// is none, as any final PATCH does.
    public static func reportedOffset(_ upload: UploadRecord) -> Int64 {
        upload.videoID == nil && upload.offset == upload.length ? upload.length - 1 : upload.offset
    }

    /// The file is whole: ingest it. A refused file (4xx) ends the upload: its row is deleted
    /// when a client is there to be told (`keepRefusal` false), else kept with the reason. A
    /// server-side failure keeps the bytes, with its reason, and a PATCH of the last byte (or
    /// an empty one at the final offset) tries again.
    private func finish(_ upload: UploadRecord, requestID: String, logger: Logger, keepRefusal: Bool = false) async throws -> UploadRecord {
        let path = path(of: upload)
        let metadata = upload.metadataValues
        let video: VideoRecord
        do {
            let details = VideoIngest.Details(originalName: metadata["filename"], metadata: try resolve(metadata, ownerID: upload.ownerID))
            video = try await ingest.ingest(file: path, size: upload.length, details: details, requestID: requestID, logger: logger)
        } catch {
            // The answer decides: a refused file ends the upload, a server-side failure keeps it
            // for a retry. The row records how it was answered, so a restart answers the same.
            let failure = IngestFailure.domainError(error)
            let reason = IngestFailure.reason(failure)
            guard failure.refusal.isClientFault else {
                try? database.uploads.setIngestFailure(upload.id, status: failure.refusal.code, reason: reason)
                throw failure
            }
            TusFile.remove(path)
            if keepRefusal {
                try database.uploads.setIngestFailure(upload.id, status: failure.refusal.code, reason: reason)
            } else {
                try database.uploads.delete(upload.id)
            }
            throw failure
        }
        try database.uploads.complete(upload.id, videoID: video.id)
        TusFile.remove(path)
        locks.forget(upload.id)
        logger.info("tus upload complete", metadata: ["upload": .string(upload.id), "video": .string(video.id)])
        var done = upload
        done.offset = upload.length
        done.videoID = video.id
        return done
    }

    /// Ingests the uploads whose bytes are complete but that never became a video, because
    /// the daemon was killed during their final ingest (or it failed on the server's side):
    /// run once at start. Each ends as a video or with its reason recorded, which HEAD shows.
    public func recoverInterruptedIngests(logger: Logger) async {
        let waiting: [UploadRecord]
        do {
            waiting = try database.uploads.awaitingIngest()
        } catch {
            logger.error("cannot list tus uploads awaiting ingest: \(error)")
            return
        }
        for upload in waiting where locks.acquire(upload.id) {
            defer { locks.release(upload.id) }
            guard FileManager.default.fileExists(atPath: path(of: upload)) else {
                // With several nodes and unshared folders, the file may be on another node:
                // that one ingests it when it starts.
                if database.dialect == .postgres && config.tusDirectory == nil { continue }
                try? database.uploads.setIngestFailure(
                    upload.id, status: 410, reason: "the uploaded file is missing from \(Self.relativeFolder); upload it again")
                continue
            }
            do {
                let done = try await finish(upload, requestID: "recovery-" + upload.id, logger: logger, keepRefusal: true)
                logger.info(
                    "tus upload ingested after an interrupted start", metadata: ["upload": .string(upload.id), "video": .string(done.videoID ?? "")])
            } catch {
                logger.warning(
                    "tus upload could not be ingested after a restart: \(IngestFailure.reason(error))", metadata: ["upload": .string(upload.id)])
            }
        }
    }

    /// The catalog fields of the upload's metadata, for its owner (nil: the bootstrap token).
    public func resolve(_ metadata: [String: String], ownerID: String?) throws -> UploadMetadata {
        try UploadMetadata.resolve(metadata, uploaderID: ownerID, database: database, defaultVisibility: config.defaultVisibility)
    }

    /// Termination: removes the file and the state. A completed upload's video stays.
    public func terminate(_ id: String) throws {
        let upload = try find(id)
        guard locks.acquire(id) else { throw UploadError.busy }
        defer { locks.release(id) }
        TusFile.remove(path(of: upload))
        locks.forget(id)
        try database.uploads.delete(id)
    }

    /// Deletes uploads past their expiry (file and row), and partial files no row owns.
    /// Returns how many uploads it removed.
    @discardableResult
    public func sweep(now: Date = Date()) throws -> Int {
        var removed = 0
        for upload in try database.uploads.expired(before: now) where locks.acquire(upload.id) {
            defer { locks.release(upload.id) }
            TusFile.remove(path(of: upload))
            locks.forget(upload.id)
            try database.uploads.delete(upload.id)
            removed += 1
        }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder), !names.isEmpty {
            let known = try database.uploads.allIDs()
            for name in names where !name.hasPrefix(".") && !known.contains(name) && !locks.isBusy(name) {
                let path = folder + "/" + name
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? now
                if now.timeIntervalSince(modified) > 3600 { TusFile.remove(path) }
            }
        }
        return removed
    }

    private func beyondLength(_ upload: UploadRecord) -> UploadError {
        .beyondLength(length: upload.length, offset: upload.offset)
    }
}

/// Which uploads a request is writing now: one writer per upload at a time. With a
/// `crossNodeFolder` (PostgreSQL: other nodes may share the tus folder), an upload is also
/// locked with `flock` on a file of its own there, which other nodes on the same shared folder
/// respect; the lock files go with their upload (``forget(_:)``).
public final class TusLocks: @unchecked Sendable {
    // `busy` and `files` are only touched under `lock`.
    private let lock = NSLock()
    private var busy: Set<String> = []
    private var files: [String: Int32] = [:]
    let crossNodeFolder: String?

    public init(crossNodeFolder: String? = nil) {
        self.crossNodeFolder = crossNodeFolder
    }

    public func acquire(_ id: String) -> Bool {
        guard lock.withLock({ busy.insert(id).inserted }) else { return false }
        guard let crossNodeFolder else { return true }
        try? FileManager.default.createDirectory(atPath: crossNodeFolder, withIntermediateDirectories: true)
        let fd = open(crossNodeFolder + "/" + id, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if fd >= 0 { close(fd) }
            lock.withLock { _ = busy.remove(id) }
            return false
        }
        lock.withLock { files[id] = fd }
        return true
    }

    public func release(_ id: String) {
        lock.withLock {
            if let fd = files.removeValue(forKey: id) { close(fd) }
            _ = busy.remove(id)
        }
    }

    public func isBusy(_ id: String) -> Bool { lock.withLock { busy.contains(id) } }

    /// Removes the lock file of an upload that is gone (called while holding it).
    func forget(_ id: String) {
        if let crossNodeFolder { unlink(crossNodeFolder + "/" + id) }
    }
}
