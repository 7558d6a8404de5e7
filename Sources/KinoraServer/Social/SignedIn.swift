import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// The account behind the caller's credentials, for routes about "my" things
/// (``Profiles/signedIn(_:)``).
enum SignedIn {
    static func profile(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> Profile {
        try Profiles(database: database).signedIn(context.viewer)
    }
}

/// JSON in and out for the social routes.
enum SocialHTTP {
    static func limit(_ request: Request) -> Int {
        min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 20, 1), 100)
    }

    static func cursor(_ request: Request) -> String? {
        request.uri.queryParameters.get("cursor")
    }

    static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
