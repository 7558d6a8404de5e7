import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// `/api/v1/categories`: anyone lists them, admins manage them (``Categories``).
struct CategoryRoutes {
    let database: KinoraDatabase

    var categories: Categories { Categories(database: database) }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/categories") { _, context in
            try Access.anyone.check(context)
            return try JSONResponse.make(.ok, ["items": try categories.list().map(Self.object)])
        }
        router.post("api/v1/categories") { request, context in
            try Access.admin.check(context)
            let category = try categories.create(try await request.jsonMembers())
            var response = try JSONResponse.make(.created, Self.object(category))
            response.headers[.location] = "/api/v1/categories/\(category.id)"
            return response
        }
        router.patch("api/v1/categories/:id") { request, context in
            try Access.admin.check(context)
            let id = context.parameters.get("id") ?? ""
            return try JSONResponse.make(.ok, Self.object(try categories.rename(id, try await request.jsonMembers())))
        }
        router.delete("api/v1/categories/:id") { _, context in
            try Access.admin.check(context)
            try categories.delete(context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
    }

    static func object(_ category: CategoryRecord) -> [String: Any] {
        ["id": category.id, "name": category.name]
    }
}
