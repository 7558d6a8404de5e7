import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Categories: anyone lists them, admins manage them. Deleting one leaves its videos without
/// a category.
public struct Categories: Sendable {
    let database: KinoraDatabase

    public init(database: KinoraDatabase) {
        self.database = database
    }

    public func list() throws -> [CategoryRecord] {
        try database.categories.list()
    }

    /// A new category from a body of `id` and `name`.
    public func create(_ body: [String: JSONValue]) throws -> CategoryRecord {
        try Self.refuseUnknown(body, known: ["id", "name"])
        guard let id = body["id"]?.stringValue, CategoryRecord.isValidSlug(id) else {
            throw InvalidField("id", "id must be 1 to 40 lower-case letters and digits, words joined by single hyphens (how-to)")
        }
        let category = CategoryRecord(id: id, name: try Self.name(body["name"]))
        do {
            try database.categories.create(category)
        } catch is CategoryExists {
            throw CategoryError.exists(id: id)
        }
        return category
    }

    public func rename(_ id: String, _ body: [String: JSONValue]) throws -> CategoryRecord {
        try Self.refuseUnknown(body, known: ["name"])
        guard CategoryRecord.isValidSlug(id), let category = try database.categories.rename(id: id, to: try Self.name(body["name"])) else {
            throw CategoryError.notFound(id: id)
        }
        return category
    }

    public func delete(_ id: String) throws {
        guard CategoryRecord.isValidSlug(id), try database.categories.delete(id: id) else { throw CategoryError.notFound(id: id) }
    }

    static func refuseUnknown(_ body: [String: JSONValue], known: Set<String>) throws(InvalidField) {
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) {
            throw InvalidField(unknown, "unknown field; the fields are \(known.sorted().joined(separator: ", "))")
        }
    }

    static func name(_ value: JSONValue?) throws(InvalidField) -> String {
        let name = value?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !name.isEmpty, name.count <= CategoryRecord.maxNameLength, !name.containsControlCharacters() else {
            throw InvalidField("name", "name must be 1 to \(CategoryRecord.maxNameLength) characters")
        }
        return name
    }
}
