import Foundation

/// A channel: where an account's videos are published. An account that may upload (creator,
/// admin) gets a default one with the account; it may make more.
public struct ChannelRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "channels"

    public var id: String
    public var ownerID: String
    /// Unique whatever its case; stored lower case.
    public var handle: String
    public var name: String
    public var description: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, handle, name, description
        case ownerID = "owner_id", createdAt = "created_at"
    }

    public init(id: String = RandomID.make(), ownerID: String, handle: String, name: String, description: String = "", now: Date = Date()) {
        self.id = id
        self.ownerID = ownerID
        self.handle = handle.lowercased()
        self.name = name
        self.description = description
        createdAt = now
    }

    /// Read from a row that holds the channel's columns (and maybe others, ignored).
    init(row: SQLRow) throws {
        id = try row.value("id")
        ownerID = try row.value("owner_id")
        handle = try row.value("handle")
        name = try row.value("name")
        description = try row.value("description")
        createdAt = try row.value("created_at")
    }

    public static let maxNameLength = 100
    public static let maxDescriptionLength = 5000

    /// 3-32 ASCII letters, digits, `.`, `_`, `-`, starting with a letter or digit: the same
    /// rule as usernames, so a username is always a valid handle.
    public static func isValidHandle(_ handle: String) -> Bool {
        let allowed = handle.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
        }
        return (3...32).contains(handle.count) && allowed && handle.first.map { $0.isLetter || $0.isNumber } == true
    }
}

/// The handle is in use by another channel (handles are unique whatever their case).
public struct HandleTaken: Error, CustomStringConvertible {
    public let handle: String
    public var description: String { "the handle \"\(handle)\" is taken" }
}
