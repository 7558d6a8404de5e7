import Foundation

/// A category admins define; its id is a slug they choose (`music`, `how-to`).
public struct CategoryRecord: Codable, Sendable, Hashable {
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

/// Every query on the categories table. Runs on both backends.
public struct CategoryRepository: Sendable {
    let db: any SQLDatabase

    /// By name whatever its case (the id breaks ties).
    public func list() throws -> [CategoryRecord] {
        try db.read { db in
            try db.fetchAll(CategoryRecord.self, "SELECT * FROM categories ORDER BY \(CatalogSQL.caseless("name", db.dialect)), id")
        }
    }

    public func find(id: String) throws -> CategoryRecord? {
        try db.read { try $0.fetchOne(CategoryRecord.self, "SELECT * FROM categories WHERE id = ?", [id]) }
    }

    public func create(_ category: CategoryRecord) throws {
        do {
            try db.write { try $0.insert(category, into: CategoryRecord.databaseTableName) }
        } catch SQLError.unique {
            throw CategoryExists(id: category.id)
        }
    }

    /// Returns the renamed category, nil when it does not exist.
    public func rename(id: String, to name: String) throws -> CategoryRecord? {
        try db.write { db in
            guard try db.execute("UPDATE categories SET name = ? WHERE id = ?", [name, id]) > 0 else { return nil }
            return try db.fetchOne(CategoryRecord.self, "SELECT * FROM categories WHERE id = ?", [id])
        }
    }

    /// Deletes the category; its videos keep existing without one (the foreign key sets NULL).
    @discardableResult
    public func delete(id: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM categories WHERE id = ?", [id]) } > 0
    }
}

extension KinoraDatabase {
    public var categories: CategoryRepository { CategoryRepository(db: sql) }
}
