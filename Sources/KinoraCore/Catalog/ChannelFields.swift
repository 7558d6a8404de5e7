import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// A channel's editable fields as a body gives them: handle, name, description, each
/// optional (a change names only what changes). Handles are kept lower case.
public struct ChannelFields: Sendable, Equatable {
    public var handle: String?
    public var name: String?
    public var description: String?
    /// The channel's comment switch (each video has its own as well).
    public var commentsEnabled: Bool?

    public init(handle: String? = nil, name: String? = nil, description: String? = nil, commentsEnabled: Bool? = nil) {
        self.handle = handle
        self.name = name
        self.description = description
        self.commentsEnabled = commentsEnabled
    }

    static let known = ["handle", "name", "description", "comments_enabled"]

    /// Checks a body's members; handle and name are required when `creating`. A null
    /// description empties it.
    public static func parse(_ body: [String: JSONValue], creating: Bool) throws(InvalidField) -> ChannelFields {
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) {
            throw InvalidField(unknown, "unknown field; the fields are handle, name, description, comments_enabled")
        }
        var fields = ChannelFields()
        if let value = body["handle"] {
            guard let text = value.stringValue, ChannelRecord.isValidHandle(text) else {
                throw InvalidField("handle", "handle must be 3 to 32 letters, digits, '.', '_', '-', starting with a letter or digit")
            }
            fields.handle = text.lowercased()
        } else if creating {
            throw InvalidField("handle", "handle is required")
        }
        if let value = body["name"] {
            let text = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !text.isEmpty, text.count <= ChannelRecord.maxNameLength, !text.containsControlCharacters() else {
                throw InvalidField("name", "name must be 1 to \(ChannelRecord.maxNameLength) characters without control characters")
            }
            fields.name = text
        } else if creating {
            throw InvalidField("name", "name is required")
        }
        if let value = body["description"] {
            if value.isNull {
                fields.description = ""
            } else {
                guard let text = value.stringValue, text.count <= ChannelRecord.maxDescriptionLength,
                    !text.containsControlCharacters(allowingNewlines: true)
                else {
                    throw InvalidField("description", "description must be at most \(ChannelRecord.maxDescriptionLength) characters")
                }
                fields.description = text
            }
        }
        if let value = body["comments_enabled"] {
            guard let flag = value.boolValue else { throw InvalidField("comments_enabled", "comments_enabled must be true or false") }
            fields.commentsEnabled = flag
        }
        return fields
    }
}
