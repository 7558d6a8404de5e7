import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Logging

/// A change of a video's metadata (`PATCH /api/v1/videos/{id}`): a JSON object with any of
/// title, description, tags (array or comma-separated string), category, language, license,
/// visibility, publish_at, channel, poster (a thumbnail candidate, see ``PosterChoice``),
/// comments_enabled (the video's comment switch).
/// `null` clears what may be empty (description, tags, category, language, license,
/// publish_at). Every field is checked before anything is written; the first bad one is
/// refused (``CatalogField/Invalid``, 422 `invalid-field`) naming it, an unknown field too, so
/// a typo is not silently ignored.
public struct VideoPatch: Sendable {
    public let database: KinoraDatabase
    /// New words (title, description, tags) pass through the classifiers before the answer.
    let screening: VideoScreening?

    public init(database: KinoraDatabase, screening: VideoScreening? = nil) {
        self.database = database
        self.screening = screening
    }

    public static let fields: Set<String> = [
        "title", "description", "tags", "category", "language", "license", "visibility", "publish_at", "channel", "poster",
        "comments_enabled",
    ]

    /// Applies `object` to `video`, which the caller may change (its owner, or an admin:
    /// `byAdmin`). Returns the video as stored afterwards.
    public func apply(
        _ object: [String: JSONValue], to video: VideoRecord, byAdmin: Bool, logger: Logger, requestID: String? = nil
    ) async throws -> VideoDetails {
        var video = video
        var tags: [String]?
        var thumbnails: String?
        var commentsEnabled: Bool?
        if let unknown = object.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw CatalogField.Invalid(field: unknown, detail: "unknown field; the fields are \(Self.fields.sorted().joined(separator: ", "))")
        }
        for (field, value) in object.sorted(by: { $0.key < $1.key }) {
            let isNull = value.isNull
            func string() throws(CatalogField.Invalid) -> String {
                guard let text = value.stringValue else { throw CatalogField.Invalid(field: field, detail: "\(field) must be a string") }
                return text
            }
            switch field {
            case "title": video.title = try CatalogField.title(try string())
            case "description": video.description = try isNull ? "" : CatalogField.description(string())
            case "visibility": video.visibility = try CatalogField.visibility(try string())
            case "language": video.language = try isNull ? nil : CatalogField.language(string())
            case "license": video.license = try isNull ? nil : CatalogField.license(string())
            case "publish_at": video.setPublishAt(try isNull ? nil : CatalogField.publishAt(string()))
            case "category": video.categoryID = try isNull ? nil : CatalogField.category(string(), database: database)
            case "tags":
                if isNull {
                    tags = []
                } else if let list = value.arrayValue {
                    let strings = list.compactMap(\.stringValue)
                    guard strings.count == list.count else { throw CatalogField.Invalid(field: "tags", detail: "tags must be strings") }
                    tags = try CatalogField.tags(strings)
                } else {
                    tags = try CatalogField.tags(commaSeparated: try string())
                }
            case "channel": try moveChannel(&video, to: try string(), byAdmin: byAdmin)
            case "poster": thumbnails = try PosterChoice.apply(try string(), to: video)
            case "comments_enabled":
                guard let flag = value.boolValue else { throw CatalogField.Invalid(field: field, detail: "comments_enabled must be true or false") }
                commentsEnabled = flag
            default: break
            }
        }
        guard try database.videos.updateMetadata(video, tags: tags) else { throw Refused(.notFound, "no video \(video.id)") }
        if let thumbnails { try database.videos.setThumbnails(video.id, json: thumbnails) }
        if let commentsEnabled { _ = try database.comments.setCommentsEnabled(videoID: video.id, commentsEnabled) }
        // A visibility change must hold on every node at once, not after their caches expire.
        database.events.publish(.video(video.id))
        guard var details = try database.videos.details(id: video.id) else { throw Refused(.notFound, "no video \(video.id)") }
        logger.info("video metadata changed", metadata: ["video": .string(video.id), "fields": .string(object.keys.sorted().joined(separator: ","))])
        if let screening, !Set(object.keys).isDisjoint(with: ["title", "description", "tags"]) {
            let verdict = try await screening.screenWords(of: details, requestID: requestID)
            if verdict.action != .publish {
                logger.notice("video held for moderation", metadata: ["video": .string(video.id), "rule": .string(verdict.rule ?? "")])
                details = try database.videos.details(id: video.id) ?? details
            }
        }
        return details
    }

    /// Another channel of the video's owner. An admin may put a video without an owner
    /// (a bootstrap upload) in any channel; it then belongs to that channel's owner.
    func moveChannel(_ video: inout VideoRecord, to id: String, byAdmin: Bool) throws {
        guard id.count <= 64, let channel = try database.channels.find(id: id) else {
            throw CatalogField.Invalid(field: "channel", detail: "no channel \(id.prefix(64))")
        }
        if let owner = video.ownerID {
            guard channel.ownerID == owner else {
                throw CatalogField.Invalid(field: "channel", detail: "channel \(channel.id) does not belong to the video's owner")
            }
        } else if !byAdmin {
            throw CatalogField.Invalid(field: "channel", detail: "only admins may give a video without an owner a channel")
        }
        video.channelID = channel.id
        video.ownerID = channel.ownerID
    }
}
