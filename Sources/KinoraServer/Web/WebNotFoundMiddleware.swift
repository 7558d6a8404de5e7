import Hummingbird

/// A browser asking for a page that does not exist gets the web UI's HTML 404 page instead
/// of problem+json. API clients (no `text/html` in `Accept`) and the API, stream and static
/// paths keep their problem+json answers.
struct WebNotFoundMiddleware: RouterMiddleware {
    typealias Context = KinoraRequestContext
    let web: WebRoutes

    static let apiPrefixes = ["/api/", "/streams/", "/static/", "/files/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && Self.wantsPage(request) {
            return try await web.notFound(context)
        }
    }

    static func wantsPage(_ request: Request) -> Bool {
        guard request.method == .get else { return false }
        let path = request.uri.path
        guard !apiPrefixes.contains(where: { path.hasPrefix($0) }) else { return false }
        return request.headers[.accept]?.contains("text/html") == true
    }
}
