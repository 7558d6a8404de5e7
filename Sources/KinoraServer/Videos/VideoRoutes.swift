import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// `/api/v1/videos`: upload (multipart), list, get, change, delete.
struct VideoRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig
    let media: MediaWorker
    /// Encoded public listing pages, shared by every request this router serves.
    let pages = CatalogPageCache()

    func register(on router: Router<KinoraRequestContext>) {
        // Creators and admins upload (the bootstrap token too: its videos belong to no account).
        router.post("api/v1/videos") { request, context in
            try Access.roles([.creator, .admin]).check(context)
            return try await upload(request, context)
        }
        // Anyone sees public and unlisted videos by id; private and scheduled ones only their
        // owner and admins. Everything shown is read in one transaction.
        router.get("api/v1/videos/:id") { _, context in
            try Access.anyone.check(context)
            let id = context.parameters.get("id") ?? ""
            guard id.count <= 64, let details = try database.videos.details(id: id), VideoAccess.canSee(details.video, context) else {
                throw Problem(.notFound, detail: "no video \(id.prefix(64))")
            }
            var object = VideoJSON.object(details)
            try HistoryRoutes.addResumePosition(to: &object, videoID: details.video.id, context: context, database: database)
            // The caller's own rating, for a signed-in caller only (anonymous pages are shared).
            if let userID = context.principal?.userID {
                object["my_rating"] = try database.ratings.myVideoRating(videoID: details.video.id, userID: userID).rawValue
            }
            return try JSONResponse.make(.ok, object)
        }
        // Progress as Server-Sent Events; the same visibility rules as the video itself.
        router.get("api/v1/videos/:id/events") { _, context in
            try Access.anyone.check(context)
            return VideoEvents(database: database).response(for: try visibleVideo(context))
        }
        // Listing: public and published videos for everyone; owner=me and all=true widen it.
        router.get("api/v1/videos") { request, context in
            try Access.anyone.check(context)
            let query = try ListingParameters.query(request, context)
            // The public listing is the same for every caller: one encoding serves them all.
            let generation = query.scope == .listed && config.catalogPageCache ? database.catalogChanges.generation : nil
            let body = try pages.page(key: request.uri.query ?? "", generation: generation) {
                let page = try database.videos.list(query)
                let object: [String: Any] = ["items": page.items.map(VideoJSON.object), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()]
                return try JSONResponse.encoded(object)
            }
            return JSONResponse.make(.ok, encoded: body)
        }
        // Metadata changes: the owner and admins.
        router.patch("api/v1/videos/:id") { request, context in
            try Access.authenticated.check(context)
            let video = try VideoAccess.editableVideo(context, database: database)
            let fields = try await request.jsonMembers()
            let screening = VideoScreening(database: database, moderation: ModerationPipeline(registry: registry, policy: config.moderation))
            let details = try await VideoPatch(database: database, screening: screening).apply(
                fields, to: video, byAdmin: context.principal?.isAdmin == true, logger: context.logger, requestID: context.requestID)
            return try JSONResponse.make(.ok, VideoJSON.object(details))
        }
        // Deleting removes the video's objects from storage, then the row: the owner and admins.
        router.delete("api/v1/videos/:id") { _, context in
            try Access.authenticated.check(context)
            let video = try VideoAccess.editableVideo(context, database: database)
            try await VideoRemoval(database: database, registry: registry, config: config).remove(video.id)
            return Response(status: .noContent)
        }
    }

    func visibleVideo(_ context: KinoraRequestContext) throws -> VideoRecord {
        try VideoAccess.visibleVideo(context, database: database)
    }

    var ingest: VideoIngest { VideoIngest(database: database, registry: registry, config: config, media: media) }

    func upload(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let announced = request.headers[.contentLength].flatMap(Int64.init)
        // Refused before a byte is read: a suspended account uploads nothing.
        try AccountRestrictions.checkMayPost(database, userID: context.principal?.userID)
        try ingest.prepareUpload(announcedLength: announced)
        let fields = MultipartFormFields(maxFields: config.uploadMaxFormFields, maxTotalBytes: config.uploadMaxFormBytes)
        let upload = try await MultipartUpload.receive(request, into: ingest.uploadFolder, limits: ingest.limits, fields: fields)
        defer { try? FileManager.default.removeItem(atPath: upload.filePath) }
        let record = try await ingest.ingestUpload(
            file: upload.filePath, size: upload.fileSize, originalName: upload.fileName, fields: upload.fields,
            uploaderID: context.principal?.userID, requestID: context.requestID, logger: context.logger)
        let shown =
            try database.videos.details(id: record.id).map(VideoJSON.object)
            ?? VideoJSON.object(record, job: (state: "queued", progress: 0, step: nil))
        var response = try JSONResponse.make(.created, shown)
        response.headers[.location] = "/api/v1/videos/\(record.id)"
        return response
    }

    /// The PATCH body, parsed as the catalog's JSON routes parse it, in the core's JSON values.
}
