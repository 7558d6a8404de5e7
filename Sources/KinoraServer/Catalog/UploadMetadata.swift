import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// What an upload says about its video (multipart form fields or tus metadata keys), checked,
/// with the account and channel it belongs to.
struct UploadMetadata: Sendable {
    var title: String?
    var description = ""
    var tags: [String] = []
    var categoryID: String?
    var language: String?
    var license: String?
    var visibility: String
    var publishAt: Date?
    /// Nil for uploads made with the bootstrap token (no account, no channel).
    var ownerID: String?
    var channelID: String?

    /// Field names uploads read (tus: Upload-Metadata keys, besides `filename`).
    static let fieldNames = ["channel", "title", "description", "tags", "category", "language", "license", "visibility", "publish_at"]

    /// Checks `fields` for the uploader: `uploaderID` nil is the bootstrap token. Without a
    /// `channel`, an account's upload goes to its default channel; a channel must be the
    /// uploader's own unless the uploader is an admin, and the video belongs to the channel's
    /// owner. Throws 400 `invalid-field` naming the field, 403 for another's channel.
    static func resolve(_ fields: [String: String], uploaderID: String?, database: KinoraDatabase, defaultVisibility: String) throws -> UploadMetadata {
        do {
            return try resolveFields(fields, uploaderID: uploaderID, database: database, defaultVisibility: defaultVisibility)
        } catch let invalid as CatalogField.Invalid {
            throw invalid.problem(.badRequest)
        }
    }

    private static func resolveFields(_ fields: [String: String], uploaderID: String?, database: KinoraDatabase,
                                      defaultVisibility: String) throws -> UploadMetadata {
        var metadata = UploadMetadata(visibility: try CatalogField.visibility(fields["visibility"] ?? defaultVisibility))
        if let title = fields["title"], !title.trimmingCharacters(in: .whitespaces).isEmpty { metadata.title = try CatalogField.title(title) }
        if let description = fields["description"] { metadata.description = try CatalogField.description(description) }
        if let tags = fields["tags"] { metadata.tags = try CatalogField.tags(commaSeparated: tags) }
        if let category = nonEmpty(fields["category"]) { metadata.categoryID = try CatalogField.category(category, database: database) }
        if let language = nonEmpty(fields["language"]) { metadata.language = try CatalogField.language(language) }
        if let license = nonEmpty(fields["license"]) { metadata.license = try CatalogField.license(license) }
        if let publishAt = nonEmpty(fields["publish_at"]) { metadata.publishAt = try CatalogField.publishAt(publishAt) }

        var uploader: UserRecord?
        if let uploaderID {
            guard let user = try database.users.find(id: uploaderID), !user.disabled else {
                throw Problem.unauthorized("the account of this token no longer exists")
            }
            uploader = user
        }
        if let channelID = nonEmpty(fields["channel"]) {
            guard channelID.count <= 64, let channel = try database.channels.find(id: channelID) else {
                throw CatalogField.Invalid(field: "channel", detail: "no channel \(channelID.prefix(64))")
            }
            if let uploader, uploader.role != Role.admin.rawValue, channel.ownerID != uploader.id {
                throw Problem(.forbidden, type: "forbidden", title: "Not allowed", detail: "channel \(channel.id) is not yours", extra: ["field": "channel"])
            }
            metadata.channelID = channel.id
            metadata.ownerID = channel.ownerID
        } else if let uploader {
            let channel = try database.channels.defaultChannel(for: uploader)
            metadata.channelID = channel.id
            metadata.ownerID = uploader.id
        }
        return metadata
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
