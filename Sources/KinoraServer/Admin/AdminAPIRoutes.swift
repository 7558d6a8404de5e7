import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore

/// `/api/v1/admin/…`: the job list with retry and cancel, and the dashboard's overview.
/// Admins only.
struct AdminAPIRoutes {
    let overview: AdminOverview
    var database: KinoraDatabase { overview.database }

    var jobs: JobAdministration { JobAdministration(database: database) }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/admin/overview") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, try await overview.make())
        }
        router.get("api/v1/admin/jobs") { request, context in
            try Access.admin.check(context)
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
            let state = try JobAdministration.state(value("state"))
            var before: Int64?
            if let cursor = value("cursor") {
                guard let id = Int64(cursor), id > 0 else { throw Problem(.badCursor, detail: "use the next_cursor of an earlier page") }
                before = id
            }
            let page = try jobs.list(state: state, before: before, limit: try ListingParameters.limit(value("limit")))
            return try JSONResponse.make(.ok, ["items": page.items.map(Self.object), "next_cursor": page.next.map { String($0) } ?? NSNull()])
        }
        router.post("api/v1/admin/jobs/:id/retry") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, Self.object(try jobs.retry(try Self.jobID(context))))
        }
        router.post("api/v1/admin/jobs/:id/cancel") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, Self.object(try jobs.cancel(try Self.jobID(context))))
        }
    }

    static func jobID(_ context: KinoraRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else { throw Refused(.notFound, "no such job") }
        return id
    }

    static func object(_ job: AdminJob) -> [String: Any] {
        [
            "id": job.id, "video_id": job.videoID, "video_title": job.videoTitle, "kind": job.kind, "state": job.state,
            "attempts": job.attempts, "progress": job.progress, "step": job.step ?? NSNull(), "error": job.error ?? NSNull(),
            "created_at": AccountRequests.iso(job.createdAt), "updated_at": AccountRequests.iso(job.updatedAt),
        ]
    }
}
