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

    /// Caption files are text; a feature film's is a few hundred KiB.
    static let maxBytes = 2 << 20
    static let maxLabelLength = 100

    var publisher: Publisher { Publisher(database: database, registry: registry) }

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
            let language = try Self.language(context)
            let video = try VideoAccess.editableVideo(context, database: database)
            let storage = try requireStorage()
            guard try database.captions.delete(videoID: video.id, language: language.value) else {
                throw Problem.notFound("video \(video.id) has no \(language) captions")
            }
            // Manifests stop naming the track before its files go, so no player is sent to them.
            try await publisher.republish(video.id, storage: storage)
            try await storage.remove(VideoObjects(video.id).caption(language.value))
            try await storage.removeAll(prefix: VideoObjects(video.id).captionTrackFolder(language.value))
            context.logger.info("captions removed", metadata: ["video": .string(video.id), "language": .string(language.value)])
            return Response(status: .noContent)
        }
    }

    func put(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let language = try Self.language(context)
        let video = try VideoAccess.editableVideo(context, database: database)
        let storage = try requireStorage()
        try Self.requireWebVTT(request.headers[.contentType])
        let query = request.uri.queryParameters
        let label = try Self.label(query.get("label")) ?? language.displayName
        let isDefault = try Self.flag(query.get("default"))
        let bytes = try await Self.body(of: request)
        let summary: WebVTTValidator.Summary
        do {
            summary = try WebVTTValidator.validate(bytes)
        } catch {
            throw Problem(.unprocessableContent, type: "bad-captions", title: "Not a valid WebVTT file", detail: error.description)
        }

        // The file first, then the row: a recorded track always has its file.
        let key = VideoObjects(video.id).caption(language.value)
        try await storage.put(key, contentType: "text/vtt", bytes: bytes, requestID: context.requestID)
        let caption = CaptionRecord(videoID: video.id, language: language.value, label: label, isDefault: isDefault, size: Int64(bytes.count))
        let created: Bool
        do {
            created = try database.captions.save(caption)
        } catch is CaptionRepository.VideoMissing {
            // Deleted meanwhile: its objects were removed, this one must not stay behind.
            try? await storage.remove(key)
            throw Problem.notFound("no video \(video.id)")
        }
        try await publisher.republish(video.id, storage: storage)
        // Deleted between the save and now: the video's objects were removed before this
        // file (or the manifests just written) existed, so they would stay behind.
        if try database.videos.find(video.id) == nil {
            try? await storage.removeAll(prefix: VideoObjects(video.id).folder)
            throw Problem.notFound("no video \(video.id)")
        }
        context.logger.info("captions saved", metadata: [
            "video": .string(video.id), "language": .string(language.value), "cues": .stringConvertible(summary.cues),
        ])
        var response = try JSONResponse.make(created ? .created : .ok, CaptionJSON.object(caption))
        response.headers[.location] = "/api/v1/videos/\(video.id)/captions/\(language.value)"
        return response
    }

    func requireStorage() throws -> StorageClient {
        try MediaStorage(registry: registry, name: config.mediaStorage).require()
    }

    static func language(_ context: KinoraRequestContext) throws -> LanguageTag {
        let raw = context.parameters.get("lang") ?? ""
        guard let tag = LanguageTag(raw) else {
            throw Problem(.badRequest, type: "bad-language", title: "Invalid language tag",
                          detail: "\"\(raw.prefix(40))\" is not a language tag such as en, fr or pt-BR (2-3 letters, then -subtags of 1-8 letters or digits, at most \(LanguageTag.maxLength) characters)")
        }
        return tag
    }

    /// `text/vtt`, with no charset or UTF-8 (WebVTT is always UTF-8).
    static func requireWebVTT(_ contentType: String?) throws {
        let parts = (contentType ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst("charset=".count).trimmingCharacters(in: ["\""])
        guard parts.first == "text/vtt", charset == nil || charset == "utf-8" else {
            throw Problem(.unsupportedMediaType, type: "unsupported-media-type", title: "Captions must be WebVTT",
                          detail: "send the file as Content-Type: text/vtt (found \(contentType.map { "\"\($0.prefix(80))\"" } ?? "none"))")
        }
    }

    /// The `label` query: trimmed, at most 100 characters, no control characters; nil when absent or blank.
    static func label(_ value: String?) throws -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        let control = value.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }
        guard value.count <= maxLabelLength, !control else {
            throw Problem(.badRequest, type: "bad-label", title: "Invalid caption label",
                          detail: "label must be at most \(maxLabelLength) characters without control characters")
        }
        return value
    }

    static func flag(_ value: String?) throws -> Bool {
        switch value {
        case nil, "false": return false
        case "true": return true
        default:
            throw Problem(.badRequest, type: "bad-default", title: "Invalid default flag", detail: "default must be true or false")
        }
    }

    /// The whole body, refused with 413 as soon as it passes ``maxBytes``.
    static func body(of request: Request) async throws -> [UInt8] {
        let tooLarge = Problem(.contentTooLarge, type: "payload-too-large", title: "Caption file too large",
                               detail: "caption files are limited to \(maxBytes) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes { throw tooLarge }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= maxBytes else { throw tooLarge }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}
