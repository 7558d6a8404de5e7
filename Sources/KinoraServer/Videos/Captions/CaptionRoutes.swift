import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore

/// `/api/v1/videos/{id}/captions`: WebVTT caption tracks, one per language. A track is
/// stored at `videos/<id>/captions/<lang>.vtt` and, once the video is published, named by its
/// manifests at once (HLS SUBTITLES group, DASH text adaptation set).
struct CaptionRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    var captions: CaptionService { CaptionService(database: database, registry: registry, config: config) }

    func register(on router: Router<KinoraRequestContext>) {
        // Listing follows the video's own visibility.
        router.get("api/v1/videos/:id/captions") { _, context in
            try Access.anyone.check(context)
            let video = try VideoAccess.visibleVideo(context, database: database)
            let items = try database.captions.list(videoID: video.id).map(CaptionJSON.object)
            return try JSONResponse.make(.ok, ["items": items])
        }
        // Changing captions: the video's owner and admins (404 to whoever cannot see it).
        router.put("api/v1/videos/:id/captions/:lang") { request, context in
            try Access.authenticated.check(context)
            return try await put(request, context)
        }
        router.delete("api/v1/videos/:id/captions/:lang") { _, context in
            try Access.authenticated.check(context)
            let language = try Captions.language(context.parameters.get("lang") ?? "")
            let video = try VideoAccess.editableVideo(context, database: database)
            try await captions.remove(video: video, language: language, logger: context.logger)
            return Response(status: .noContent)
        }
    }

    func put(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let language = try Captions.language(context.parameters.get("lang") ?? "")
        let video = try VideoAccess.editableVideo(context, database: database)
        // Storage first, as ever: a client learns it is down before sending the file.
        _ = try captions.storage.require()
        try Self.requireWebVTT(request.headers[.contentType])
        let query = request.uri.queryParameters
        let label = try Captions.label(query.get("label"))
        let isDefault = try Captions.flag(query.get("default"))
        let bytes = try await Captions.collect(request.body, announcedLength: request.headers[.contentLength].flatMap(Int.init))
        let saved = try await captions.save(
            bytes, video: video, language: language, label: label, isDefault: isDefault,
            requestID: context.requestID, logger: context.logger)
        var response = try JSONResponse.make(saved.created ? .created : .ok, CaptionJSON.object(saved.caption))
        response.headers[.location] = "/api/v1/videos/\(video.id)/captions/\(language.value)"
        return response
    }

    /// `text/vtt`, with no charset or UTF-8 (WebVTT is always UTF-8).
    static func requireWebVTT(_ contentType: String?) throws {
        let parts = (contentType ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst("charset=".count).trimmingCharacters(in: ["\""])
        guard parts.first == "text/vtt", charset == nil || charset == "utf-8" else {
            throw Problem(
                .unsupportedMediaType,
                detail: "send the file as Content-Type: text/vtt (found \(contentType.map { "\"\($0.prefix(80))\"" } ?? "none"))",
                title: "Captions must be WebVTT")
        }
    }
}
