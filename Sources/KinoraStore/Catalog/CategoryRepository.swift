import Foundation
import GRDB

/// A category admins define; its id is a slug they choose (`music`, `how-to`).
public struct CategoryRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "categories"

    public var id: String
    public var name: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name
        case createdAt = "created_at"
    }

    public init(id: String, name: String, now: Date = Date()) {
        self.id = id
        self.name = name
        createdAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    }

    public static let maxNameLength = 80

    /// 1-40 characters: lower-case letters and digits in groups joined by single hyphens.
    public static func isValidSlug(_ slug: String) -> Bool {
        guard (1...40).contains(slug.count), !slug.hasPrefix("-"), !slug.hasSuffix("-"), !slug.contains("--") else { return false }
        return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// A category with that id exists already.
public struct CategoryExists: Error {
    public let id: String
}

/// Every query on the categories table.
public struct CategoryRepository: Sendable {
    let writer: DatabasePool

    public func list() throws -> [CategoryRecord] {
        try writer.read { try CategoryRecord.fetchAll($0, sql: "SELECT * FROM categories ORDER BY name COLLATE NOCASE, id") }
    }

    public func find(id: String) throws -> CategoryRecord? {
        try writer.read { try CategoryRecord.fetchOne($0, key: id) }
    }

    public func create(_ category: CategoryRecord) throws {
        do {
            try writer.write { try category.insert($0) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw CategoryExists(id: category.id)
        }
    }

    /// Returns the renamed category, nil when it does not exist.
    public func rename(id: String, to name: String) throws -> CategoryRecord? {
        try writer.write { db in
            guard var category = try CategoryRecord.fetchOne(db, key: id) else { return nil }
            category.name = name
            try category.update(db)
            return category
        }
    }

    /// Deletes the category; its videos keep existing without one (the foreign key sets NULL).
    @discardableResult
    public func delete(id: String) throws -> Bool {
        try writer.write { try CategoryRecord.deleteOne($0, key: id) }
    }
}

extension KinoraDatabase {
    public var categories: CategoryRepository { CategoryRepository(writer: writer) }
}
