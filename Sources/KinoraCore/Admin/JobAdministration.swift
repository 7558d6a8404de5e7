import KinoraStore

/// The admin console's job list, with retry and cancel.
public struct JobAdministration: Sendable {
    public let database: KinoraDatabase

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// `state` when it is a job state (or nil), else `invalid-parameter`.
    public static func state(_ state: String?) throws -> String? {
        if let state, !JobQueue.states.contains(state) {
            throw Refused(
                .invalidParameter, "state must be one of \(JobQueue.states.joined(separator: ", "))",
                extra: ["parameter": "state"], title: "Invalid state")
        }
        return state
    }

    /// A page of jobs, newest first, of one state when `state` names one; `before` is the id
    /// of the last job of the previous page.
    public func list(state: String?, before: Int64?, limit: Int) throws -> (items: [AdminJob], next: Int64?) {
        try database.jobs.list(state: try Self.state(state), before: before, limit: limit)
    }

    /// Queues a failed or cancelled job again.
    public func retry(_ id: Int64) throws -> AdminJob {
        try answer(id, try database.jobs.retry(id: id), refused: "only a failed or cancelled job can be retried")
    }

    /// Cancels a queued or running job.
    public func cancel(_ id: Int64) throws -> AdminJob {
        try answer(id, try database.jobs.cancel(id: id), refused: "only a queued or running job can be cancelled")
    }

    private func answer(_ id: Int64, _ change: JobChange, refused: String) throws -> AdminJob {
        switch change {
        case .notFound:
            throw Refused(.notFound, "no job \(id)")
        case .conflict(let state):
            throw Refused(.jobState, "job \(id) is \(state): \(refused)", extra: ["state": state])
        case .videoBusy:
            throw Refused(.jobState, "job \(id)'s video already has another transcode queued or running")
        case .changed:
            guard let job = try database.jobs.find(id: id) else { throw Refused(.notFound, "no job \(id)") }
            return job
        }
    }
}
