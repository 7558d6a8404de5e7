import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// `/api/v1/uploads`: tus 1.0 resumable uploads (core protocol plus the creation,
/// creation-with-upload, termination, expiration and checksum extensions). A finished upload
/// becomes a video through the same ingest as `POST /api/v1/videos`; its final PATCH and any
/// later HEAD name the video in `Kinora-Video-Id`.
struct TusRoutes {
    let uploads: TusUploads

    func register(on router: Router<KinoraRequestContext>) {
        let group = router.group("api/v1/uploads").add(middleware: TusMiddleware())
        // Discovery needs no credentials (browsers send it as a CORS preflight).
        group.on("", method: .options) { _, _ in discovery() }
        group.on(":id", method: .options) { _, _ in discovery() }
        // Creators and admins upload, as for multipart; an upload is continued, inspected or
        // ended only by whoever started it (and admins): for anyone else it does not exist.
        group.post { request, context in
            try Access.roles([.creator, .admin]).check(context)
            return try await create(request, context)
        }
        group.head(":id") { _, context in
            try Access.roles([.creator, .admin]).check(context)
            let upload = try ownUpload(context)
            var response = Response(status: .ok, headers: state(of: upload))
            if let metadata = encodedMetadata(upload) { response.headers[.uploadMetadata] = metadata }
            return response
        }
        group.patch(":id") { request, context in
            try Access.roles([.creator, .admin]).check(context)
            return try await patch(request, context)
        }
        group.delete(":id") { _, context in
            try Access.roles([.creator, .admin]).check(context)
            try uploads.terminate(try ownUpload(context).id)
            return Response(status: .noContent)
        }
    }

    /// The route's upload when the caller started it or is an admin; 404 otherwise.
    func ownUpload(_ context: KinoraRequestContext) throws -> UploadRecord {
        let upload = try uploads.find(context.parameters.get("id") ?? "")
        guard context.principal?.isAdmin == true || (upload.ownerID != nil && upload.ownerID == context.principal?.userID) else {
            throw UploadError.notFound(id: upload.id)
        }
        return upload
    }

    func discovery() -> Response {
        Response(
            status: .noContent,
            headers: [
                .tusVersion: Tus.version,
                .tusExtension: Tus.extensions,
                .tusMaxSize: String(uploads.ingest.limits.maxBytes),
                .tusChecksumAlgorithm: TusChecksum.Algorithm.list,
            ])
    }

    func create(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        if request.headers[.uploadDeferLength] != nil {
            throw Tus.badRequest(.deferLengthUnsupported, "Upload-Defer-Length is not supported; send Upload-Length")
        }
        guard let length = try Tus.integerHeader(request, .uploadLength) else {
            throw Tus.badRequest(.missingUploadLength, "send Upload-Length with the size of the file in bytes")
        }
        let metadata = try request.headers[.uploadMetadata].map(Tus.parseMetadata) ?? [:]
        let withBody = isOffsetStream(request)
        let checksum = withBody ? try request.headers[.uploadChecksum].map(Tus.parseChecksum) : nil
        var upload = try uploads.create(length: length, metadata: metadata, ownerID: context.principal?.userID)
        let location = "/api/v1/uploads/\(upload.id)"
        context.logger.info("tus upload created", metadata: ["upload": .string(upload.id), "length": .stringConvertible(length)])
        // creation-with-upload: the body is the first chunk. A refusal still names the upload.
        if withBody {
            do {
                upload = try await uploads.receive(
                    upload, offset: 0, body: request.body, declaredLength: contentLength(request),
                    checksum: checksum, requestID: context.requestID, logger: context.logger)
            } catch {
                guard var problem = (error as? any DomainError).map({ Problem($0) }) ?? (error as? Problem) else { throw error }
                if (try? uploads.database.uploads.find(upload.id)) != nil { problem.extra["location"] = location }
                throw problem
            }
        }
        var response = Response(status: .created, headers: state(of: upload))
        response.headers[.location] = location
        response.headers[.cacheControl] = nil
        return response
    }

    func patch(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        guard isOffsetStream(request) else {
            throw Problem(.badContentType, detail: "a PATCH body must be sent as Content-Type: \(Tus.contentType)")
        }
        guard let offset = try Tus.integerHeader(request, .uploadOffset) else {
            throw Tus.badRequest(.missingUploadOffset, "send Upload-Offset with the offset this body starts at (HEAD tells it)")
        }
        let checksum = try request.headers[.uploadChecksum].map(Tus.parseChecksum)
        let upload = try ownUpload(context)
        let updated = try await uploads.receive(
            upload, offset: offset, body: request.body, declaredLength: contentLength(request),
            checksum: checksum, requestID: context.requestID, logger: context.logger)
        var headers = state(of: updated)
        headers[.cacheControl] = nil
        headers[.uploadLength] = nil
        return Response(status: .noContent, headers: headers)
    }

    /// Upload-Offset, Upload-Length, Cache-Control, and Upload-Expires while incomplete or
    /// Kinora-Video-Id once complete. The offset stays one byte short until a video exists
    /// (``TusUploads/reportedOffset(_:)``); `Kinora-Upload-State` says what is going on then,
    /// and `Kinora-Upload-Error` why an ingest failed.
    func state(of upload: UploadRecord) -> HTTPFields {
        var headers: HTTPFields = [
            .uploadOffset: String(TusUploads.reportedOffset(upload)),
            .uploadLength: String(upload.length),
            .cacheControl: "no-store",
        ]
        if let video = upload.videoID {
            headers[.kinoraVideoID] = video
        } else {
            headers[.uploadExpires] = Tus.httpDate(upload.expiresAt)
            if upload.isRefused {
                headers[.kinoraUploadState] = "refused"
            } else if upload.awaitsIngest {
                headers[.kinoraUploadState] = uploads.locks.isBusy(upload.id) ? "ingesting" : "ingest-pending"
            }
            if let error = upload.ingestError {
                // A header value is one line of visible ASCII.
                headers[.kinoraUploadError] = String(
                    error.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }.prefix(300))
            }
        }
        return headers
    }

    /// The stored metadata re-encoded as the client sent it (tus: HEAD returns Upload-Metadata).
    func encodedMetadata(_ upload: UploadRecord) -> String? {
        let values = upload.metadataValues
        guard !values.isEmpty else { return nil }
        return values.sorted { $0.key < $1.key }.map { key, value in
            value.isEmpty ? key : key + " " + Data(value.utf8).base64EncodedString()
        }.joined(separator: ",")
    }

    func isOffsetStream(_ request: Request) -> Bool {
        guard let type = request.headers[.contentType] else { return false }
        return type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == Tus.contentType
    }

    func contentLength(_ request: Request) -> Int64? {
        request.headers[.contentLength].flatMap(Int64.init)
    }
}
