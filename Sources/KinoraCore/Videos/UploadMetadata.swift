import Foundation
import KinoraStore

/// What an upload says about its video (multipart form fields or tus metadata keys), checked,
/// with the account and channel it belongs to.
public struct UploadMetadata: Sendable {
    public var title: String?
    public var description = ""
    public var tags: [String] = []
    public var categoryID: String?
    public var language: String?
    public var license: String?
    public var visibility: String
    public var publishAt: Date?
    /// Nil for uploads made with the bootstrap token (no account, no channel).
    public var ownerID: String?
    public var channelID: String?

    public init(visibility: String) {
        self.visibility = visibility
    }

    /// Field names uploads read (tus: Upload-Metadata keys, besides `filename`).
    public static let fieldNames = ["channel", "title", "description", "tags", "category", "language", "license", "visibility", "publish_at"]

    /// Checks `fields` for the uploader: `uploaderID` nil is the bootstrap token. Without a
    /// `channel`, an account's upload goes to its default channel; a channel must be the
    /// uploader's own unless the uploader is an admin, and the video belongs to the channel's
    /// owner. Throws ``CatalogField/Invalid`` (400) naming the field, ``Refused`` `forbidden`
    /// for another's channel and `unauthorized` when the uploader's account is gone.
    public static func resolve(
        _ fields: [String: String], uploaderID: String?, database: KinoraDatabase, defaultVisibility: String
    ) throws -> UploadMetadata {
        do {
            return try resolveFields(fields, uploaderID: uploaderID, database: database, defaultVisibility: defaultVisibility)
        } catch let invalid as CatalogField.Invalid {
            throw invalid.asUploadRefusal
        }
    }

    private static func resolveFields(
        _ fields: [String: String], uploaderID: String?, database: KinoraDatabase,
        defaultVisibility: String
    ) throws -> UploadMetadata {
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
                throw Refused(.unauthorized, "the account of this token no longer exists")
            }
            uploader = user
        }
        if let channelID = nonEmpty(fields["channel"]) {
            guard channelID.count <= 64, let channel = try database.channels.find(id: channelID) else {
                throw CatalogField.Invalid(field: "channel", detail: "no channel \(channelID.prefix(64))")
            }
            if let uploader, uploader.role != "admin", channel.ownerID != uploader.id {
                throw Refused(.forbidden, "channel \(channel.id) is not yours", extra: ["field": "channel"])
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

    /// The title to use: the client's (trimmed to 200 characters), else the file name without
    /// its extension, else "Untitled".
    public static func title(_ requested: String?, originalName: String?) -> String {
        requested.map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? originalName.map { ($0 as NSString).deletingPathExtension }.flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
    }
}
