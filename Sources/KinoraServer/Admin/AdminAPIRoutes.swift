import Foundation
import Hummingbird
import KinoraHost
import KinoraStore

/// `/api/v1/admin/…`: the job list with retry and cancel, and the dashboard's overview.
/// Admins only.
struct AdminAPIRoutes {
    let overview: AdminOverview
    var database: KinoraDatabase { overview.database }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/admin/overview") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, try await overview.make())
        }
        router.get("api/v1/admin/jobs") { request, context in
            try Access.admin.check(context)
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
            let state = value("state")
            if let state, !JobQueue.states.contains(state) {
                throw ListingParameters.invalid("state", "state must be one of \(JobQueue.states.joined(separator: ", "))")
            }
            var before: Int64?
            if let cursor = value("cursor") {
                guard let id = Int64(cursor), id > 0 else {
                    throw Problem(.badRequest, type: "bad-cursor", title: "Invalid cursor", detail: "use the next_cursor of an earlier page")
                }
                before = id
            }
            let page = try database.jobs.list(state: state, before: before, limit: try ListingParameters.limit(value("limit")))
            return try JSONResponse.make(.ok, ["items": page.items.map(Self.object), "next_cursor": page.next.map { String($0) } ?? NSNull()])
        }
        router.post("api/v1/admin/jobs/:id/retry") { _, context in
            try Access.admin.check(context)
            let id = try Self.jobID(context)
            return try answer(id, try database.jobs.retry(id: id), refused: "only a failed or cancelled job can be retried")
        }
        router.post("api/v1/admin/jobs/:id/cancel") { _, context in
            try Access.admin.check(context)
            let id = try Self.jobID(context)
            return try answer(id, try database.jobs.cancel(id: id), refused: "only a queued or running job can be cancelled")
        }
    }

    func answer(_ id: Int64, _ change: JobChange, refused: String) throws -> Response {
        switch change {
        case .notFound:
            throw Problem.notFound("no job \(id)")
        case .conflict(let state):
            throw Problem(.conflict, type: "job-state", title: "Not possible in this state",
                          detail: "job \(id) is \(state): \(refused)", extra: ["state": state])
        case .videoBusy:
            throw Problem(.conflict, type: "job-state", title: "Not possible in this state",
                          detail: "job \(id)'s video already has another transcode queued or running")
        case .changed:
            guard let job = try database.jobs.find(id: id) else { throw Problem.notFound("no job \(id)") }
            return try JSONResponse.make(.ok, Self.object(job))
        }
    }

    static func jobID(_ context: KinoraRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw Problem.notFound("no such job")
        }
        return id
    }

    static func object(_ job: AdminJob) -> [String: Any] {
        ["id": job.id, "video_id": job.videoID, "video_title": job.videoTitle, "kind": job.kind, "state": job.state,
         "attempts": job.attempts, "progress": job.progress, "step": job.step ?? NSNull(), "error": job.error ?? NSNull(),
         "created_at": AccountRequests.iso(job.createdAt), "updated_at": AccountRequests.iso(job.updatedAt)]
    }
}
