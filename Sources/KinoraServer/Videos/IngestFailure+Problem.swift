import KinoraCore

extension IngestFailure {
    /// `error` as the answer to the request that hit it (a problem a route raised stays as it is).
    static func problem(_ error: any Error) -> Problem {
        if let problem = error as? Problem { return problem }
        return Problem(domainError(error))
    }
}

extension Problem {
    /// "Title: detail." — what the problem says, for a person reading a log or a console.
    var readableReason: String {
        IngestFailure.readableReason(title: title, detail: detail)
    }
}
