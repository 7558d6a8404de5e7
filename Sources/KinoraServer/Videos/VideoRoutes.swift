import Foundation
import Hummingbird
import KinoraHost
import KinoraStore
import NIOPosix

/// `/api/v1/videos`: upload (multipart), list, get, delete.
struct VideoRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig
    let media: MediaWorker
    var uploadFolder: String { config.dataDir + "/uploads" }

    func register(on router: Router<KinoraRequestContext>) {
        // Until accounts exist, uploading needs the bootstrap admin token.
        router.post("api/v1/videos") { request, context in
            try Access.admin.check(context)
            return try await upload(request, context)
        }
        // Anyone sees public and unlisted videos by id; private ones only admins.
        router.get("api/v1/videos/:id") { _, context in
            let video = try visibleVideo(context)
            let job = try database.videos.jobProgress(videoID: video.id)
            var object = VideoJSON.object(video, job: job.map { ($0.state, $0.progress, $0.step) },
                                          presentation: try database.videos.presentation(video.id), etaSeconds: job?.etaSeconds,
                                          captions: try database.captions.list(videoID: video.id))
            try HistoryRoutes.addResumePosition(to: &object, videoID: video.id, context: context, database: database)
            return try json(.ok, object)
        }
        // Progress as Server-Sent Events; the same visibility rules as the video itself.
        router.get("api/v1/videos/:id/events") { _, context in
            VideoEvents(database: database).response(for: try visibleVideo(context))
        }
        // Anyone lists public videos; admins list every video.
        router.get("api/v1/videos") { request, context in
            let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 20, 1), 100)
            let cursor = request.uri.queryParameters.get("cursor")
            let page: VideoPage
            do {
                page = try database.videos.list(limit: limit, cursor: cursor)
            } catch is VideoRepository.InvalidCursor {
                throw Problem(.badRequest, type: "bad-cursor", title: "Invalid cursor", detail: "use the next_cursor of an earlier page")
            }
            let isAdmin = context.principal?.isAdmin == true
            let items = try page.videos.filter { isAdmin || $0.visibility == "public" }.map {
                VideoJSON.object($0, job: try database.videos.jobState(videoID: $0.id), presentation: try database.videos.presentation($0.id),
                                 captions: try database.captions.list(videoID: $0.id))
            }
            var body: [String: Any] = ["items": items]
            body["next_cursor"] = page.nextCursor ?? NSNull()
            return try json(.ok, body)
        }
        // Deleting removes the video's objects from storage, then the row.
        router.delete("api/v1/videos/:id") { _, context in
            try Access.admin.check(context)
            let video = try visibleVideo(context)
            if let storage = registry.storage(named: config.mediaStorage) {
                try await storage.removeAll(prefix: "videos/\(video.id)/")
            }
            try database.videos.delete(video.id)
            return Response(status: .noContent)
        }
    }

    func visibleVideo(_ context: KinoraRequestContext) throws -> VideoRecord {
        try Self.visibleVideo(context, database: database)
    }

    /// The video named by the route's `id`, or 404 when it is unknown or private to the caller.
    static func visibleVideo(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> VideoRecord {
        let id = context.parameters.get("id") ?? ""
        guard id.count <= 64, let video = try database.videos.find(id),
              video.visibility != "private" || context.principal?.isAdmin == true else {
            throw Problem.notFound("no video \(id.prefix(64))")
        }
        return video
    }

    var ingest: VideoIngest { VideoIngest(database: database, registry: registry, config: config, media: media) }

    func upload(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        _ = try ingest.requireStorage()
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > config.uploadMaxBytes + 1 << 20 {
            throw Problem(.contentTooLarge, type: "payload-too-large", title: "Upload too large",
                          detail: "uploads are limited to \(config.uploadMaxBytes) bytes ([uploads] max_bytes)")
        }
        try FileManager.default.createDirectory(atPath: uploadFolder, withIntermediateDirectories: true)
        let incoming = request.headers[.contentLength].flatMap(Int64.init) ?? 0
        try requireFreeSpace(at: uploadFolder, incoming: incoming, reserve: config.minFreeBytes)

        let upload = try await MultipartUpload.receive(request, into: uploadFolder, maxBytes: config.uploadMaxBytes)
        guard let path = upload.filePath else { throw Problem(.badRequest, type: "empty-upload", title: "No file uploaded") }
        defer { try? FileManager.default.removeItem(atPath: path) }

        let details = VideoIngest.Details(originalName: upload.fileName, title: upload.fields["title"], visibility: upload.fields["visibility"])
        let record = try await ingest.ingest(file: path, size: upload.fileSize, details: details, requestID: context.requestID, logger: context.logger)
        var response = try json(.created, VideoJSON.object(record, job: (state: "queued", progress: 0, step: nil)))
        response.headers[.location] = "/api/v1/videos/\(record.id)"
        return response
    }


    func json(_ status: HTTPResponse.Status, _ object: Any) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try VideoJSON.data(object))))
    }
}
