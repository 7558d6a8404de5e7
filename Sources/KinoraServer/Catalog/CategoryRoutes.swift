import Foundation
import Hummingbird
import KinoraStore

/// `/api/v1/categories`: anyone lists them, admins manage them. Deleting one leaves its
/// videos without a category.
struct CategoryRoutes {
    let database: KinoraDatabase

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/categories") { _, context in
            try Access.anyone.check(context)
            return try JSONResponse.make(.ok, ["items": try database.categories.list().map(Self.object)])
        }
        router.post("api/v1/categories") { request, context in
            try Access.admin.check(context)
            let object = try await JSONBody.object(request)
            try Self.refuseUnknown(object, known: ["id", "name"])
            guard let id = object["id"] as? String, CategoryRecord.isValidSlug(id) else {
                throw Self.invalid("id", "id must be 1 to 40 lower-case letters and digits, words joined by single hyphens (how-to)")
            }
            let category = CategoryRecord(id: id, name: try Self.name(object["name"]))
            do {
                try database.categories.create(category)
            } catch is CategoryExists {
                throw Problem(.conflict, type: "category-exists", title: "Category exists", detail: "a category \(id) exists already", extra: ["field": "id"])
            }
            var response = try JSONResponse.make(.created, Self.object(category))
            response.headers[.location] = "/api/v1/categories/\(id)"
            return response
        }
        router.patch("api/v1/categories/:id") { request, context in
            try Access.admin.check(context)
            let id = context.parameters.get("id") ?? ""
            let object = try await JSONBody.object(request)
            try Self.refuseUnknown(object, known: ["name"])
            guard CategoryRecord.isValidSlug(id), let category = try database.categories.rename(id: id, to: try Self.name(object["name"])) else {
                throw Problem.notFound("no category \(id.prefix(40))")
            }
            return try JSONResponse.make(.ok, Self.object(category))
        }
        router.delete("api/v1/categories/:id") { _, context in
            try Access.admin.check(context)
            let id = context.parameters.get("id") ?? ""
            guard CategoryRecord.isValidSlug(id), try database.categories.delete(id: id) else {
                throw Problem.notFound("no category \(id.prefix(40))")
            }
            return Response(status: .noContent)
        }
    }

    static func object(_ category: CategoryRecord) -> [String: Any] {
        ["id": category.id, "name": category.name]
    }

    static func invalid(_ field: String, _ detail: String) -> Problem {
        CatalogField.Invalid(field: field, detail: detail).problem(.unprocessableContent)
    }

    static func refuseUnknown(_ object: [String: Any], known: Set<String>) throws {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid(unknown, "unknown field; the fields are \(known.sorted().joined(separator: ", "))")
        }
    }

    static func name(_ value: Any?) throws -> String {
        let name = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !name.isEmpty, name.count <= CategoryRecord.maxNameLength, !name.containsControlCharacters() else {
            throw invalid("name", "name must be 1 to \(CategoryRecord.maxNameLength) characters")
        }
        return name
    }
}
