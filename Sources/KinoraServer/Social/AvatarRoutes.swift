import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// Avatars: uploaded as one picture, stored as square JPEGs (`avatars/<user id>/<size>.jpg`
/// in media storage), served publicly with an ETag.
struct AvatarRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig
    let media: MediaWorker

    static let maxBytes = 5 << 20
    static let types: Set<String> = ["image/jpeg", "image/png", "image/webp"]
    static let sizes = [64, 256]
    /// Room the resized pictures and their stored copies need beside the upload.
    static let workBytes: Int64 = 1 << 20

    static func key(userID: String, size: Int) -> String { "avatars/\(userID)/\(size).jpg" }

    func register(on router: Router<KinoraRequestContext>) {
        router.put("api/v1/me/avatar") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            return try await upload(request, context, me: me)
        }
        router.delete("api/v1/me/avatar") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            // The row first: from now on nobody is sent to the objects being removed.
            try database.profiles.setAvatarVersion(id: me.id, nil)
            try await storage().removeAll(prefix: "avatars/\(me.id)/", requestID: context.requestID)
            return Response(status: .noContent)
        }
        // Public, like the profile that links to it.
        router.get("api/v1/users/:id/avatar") { request, context in
            try Access.anyone.check(context)
            return try await serve(request, context)
        }
    }

    func storage() throws -> StorageClient {
        try MediaStorage(registry: registry, name: config.mediaStorage).require()
    }

    func upload(_ request: Request, _ context: KinoraRequestContext, me: Profile) async throws -> Response {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard Self.types.contains(type) else {
            throw Problem(.unsupportedMediaType, detail: "send the picture as image/jpeg, image/png or image/webp", title: "Unsupported image type")
        }
        let tooLarge = Problem(.payloadTooLarge, detail: "avatars are limited to \(Self.maxBytes) bytes", title: "Image too large")
        // Counted as the bytes arrive (the edge already refuses a declared length past
        // [server] max_body_bytes): a refusal once the limit is read, not before, so a client
        // that sends its whole body before reading the answer still gets it.
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= Self.maxBytes else { throw tooLarge }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        guard !bytes.isEmpty else { throw Problem(.badImage, detail: "the body is empty") }
        let storage = try storage()

        let uploads = config.dataDir + "/uploads"
        let folder = uploads + "/avatar-" + RandomID.make(bytes: 10)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The picture, then two JPEGs of it and their stored copies: well under a MiB more.
        try requireFreeSpace(at: uploads, incoming: Int64(bytes.count) + Self.workBytes, reserve: config.minFreeBytes)
        let input = folder + "/source"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: input))
        } catch {
            throw IngestFailure.isDiskFull(error)
                ? IngestFailure.problem(error)
                : Problem(.writeFailed, detail: IngestFailure.reason(error))
        }
        try await media.avatar(input, folder: folder)
        do {
            for size in Self.sizes {
                try await storage.put(
                    Self.key(userID: me.id, size: size), contentType: "image/jpeg", file: "\(folder)/\(size).jpg",
                    requestID: context.requestID)
            }
        } catch {
            throw IngestFailure.problem(error)
        }
        // A new version: the new ETag, and a new URL that no cache holds an old picture under.
        var updated = me
        updated.avatarVersion = RandomID.make(bytes: 5)
        try database.profiles.setAvatarVersion(id: me.id, updated.avatarVersion)
        context.logger.info("avatar stored", metadata: ["user": .string(me.id)])
        return try JSONResponse.make(
            .ok,
            [
                "avatar_url": ProfileRoutes.avatarURL(updated).map { $0 as Any } ?? NSNull(),
                "sizes": Dictionary(uniqueKeysWithValues: Self.sizes.map { (String($0), ProfileRoutes.avatarURL(updated, size: $0) ?? "") }),
            ])
    }

    func serve(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let size = request.uri.queryParameters.get("size").map { Int($0) } ?? 256
        guard let size, Self.sizes.contains(size) else {
            throw Problem(.badRequest, detail: "size must be 64 or 256", extra: ["parameter": "size"])
        }
        guard id.count <= 64, let profile = try database.profiles.find(id: id), !profile.disabled, let version = profile.avatarVersion else {
            throw Problem(.notFound, detail: "no avatar for user \(id.prefix(64))")
        }
        let etag = "\"\(version)-\(size)\""
        // A URL naming the current version never changes content; others may, soon.
        let cacheControl = request.uri.queryParameters.get("v") == version ? "public, max-age=31536000, immutable" : "public, max-age=300"
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" })
        {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: cacheControl])
        }
        let bytes: [UInt8]
        do {
            bytes = try await storage().read(Self.key(userID: profile.id, size: size), limit: 2 << 20)
        } catch let error as PluginCallError where error.status == .notFound {
            throw Problem(.notFound, detail: "no avatar for user \(id.prefix(64))")
        }
        return Response(
            status: .ok, headers: [.contentType: "image/jpeg", .eTag: etag, .cacheControl: cacheControl],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
