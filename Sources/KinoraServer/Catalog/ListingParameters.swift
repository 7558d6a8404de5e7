import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// `GET /api/v1/videos` query parameters as a ``VideoQuery``. A value that does not parse
/// answers 400 `invalid-parameter` naming the parameter; who may widen the listing is
/// ``VideoListing``'s to say.
enum ListingParameters {
    static func invalid(_ parameter: String, _ detail: String) -> InvalidParameter {
        InvalidParameter(parameter, detail)
    }

    static func query(_ request: Request, _ context: KinoraRequestContext) throws -> VideoQuery {
        let parameters = request.uri.queryParameters
        func value(_ name: String) -> String? { parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var query = VideoQuery()
        query.limit = try limit(value("limit"))
        query.cursor = value("cursor")
        if let sort = value("sort") {
            guard let parsed = VideoQuery.Sort(rawValue: sort) else { throw invalid("sort", "sort must be newest, most_viewed, title or trending") }
            query.sort = parsed
        }
        if let owner = value("owner") {
            guard owner == "me" else { throw invalid("owner", "owner can only be \"me\"") }
            query.scope = try VideoListing.ownerScope(context.viewer)
        }
        switch value("all") {
        case nil, "false": break
        case "true":
            query.scope = try VideoListing.widenToAll(query.scope, context.viewer)
        default: throw invalid("all", "all must be true or false")
        }
        if let channel = value("channel") {
            guard channel.count <= 64 else { throw invalid("channel", "not a channel id") }
            query.channelID = channel
        }
        if let category = value("category") {
            guard CategoryRecord.isValidSlug(category) else { throw invalid("category", "not a category id (lower-case letters, digits, hyphens)") }
            query.categoryID = category
        }
        if let tag = value("tag") {
            let normalized = VideoTags.normalize(tag: tag)
            guard !normalized.isEmpty, normalized.count <= VideoTags.maxLength else {
                throw invalid("tag", "tag must be 1 to \(VideoTags.maxLength) characters")
            }
            query.tag = normalized
        }
        query.minDuration = try seconds("min_duration", value("min_duration"))
        query.maxDuration = try seconds("max_duration", value("max_duration"))
        query.publishedAfter = try date("published_after", value("published_after"))
        query.publishedBefore = try date("published_before", value("published_before"))
        return query
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 20 }
        guard let limit = Int(text), (1...100).contains(limit) else { throw invalid("limit", "limit must be a whole number from 1 to 100") }
        return limit
    }

    static func seconds(_ name: String, _ text: String?) throws -> Double? {
        guard let text else { return nil }
        guard let value = Double(text), value.isFinite, value >= 0 else { throw invalid(name, "\(name) must be a number of seconds, 0 or more") }
        return value
    }

    static func date(_ name: String, _ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = RFC3339.parse(text) else { throw invalid(name, "\(name) must be an RFC 3339 date-time such as 2025-01-31T00:00:00Z") }
        return date
    }
}
