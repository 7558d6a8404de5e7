import Foundation
import Hummingbird
import KinoraStore

/// Checks of the metadata fields that uploads and `PATCH /api/v1/videos/{id}` share. Each
/// returns the value as stored or throws ``Invalid`` naming the field; the route decides the
/// status (uploads 400, PATCH 422), the problem type is always `invalid-field`.
enum CatalogField {
    struct Invalid: Error {
        var field: String
        var detail: String

        func problem(_ status: HTTPResponse.Status) -> Problem {
            // Uploads have always answered `bad-visibility`; the field is named either way.
            let type = field == "visibility" && status == .badRequest ? "bad-visibility" : "invalid-field"
            return Problem(status, type: type, title: "Invalid \(field)", detail: detail, extra: ["field": field])
        }
    }

    static let maxTitleLength = 200
    static let maxDescriptionLength = 5000
    static let maxLicenseLength = 64
    static let visibilities: Set<String> = ["public", "unlisted", "private"]

    static func title(_ value: String) throws(Invalid) -> String {
        let title = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= maxTitleLength, !title.containsControlCharacters() else {
            throw Invalid(field: "title", detail: "title must be 1 to \(maxTitleLength) characters without control characters")
        }
        return title
    }

    static func description(_ value: String) throws(Invalid) -> String {
        guard value.count <= maxDescriptionLength, !value.containsControlCharacters(allowingNewlines: true) else {
            throw Invalid(field: "description", detail: "description must be at most \(maxDescriptionLength) characters without control characters other than line breaks and tabs")
        }
        return value
    }

    static func visibility(_ value: String) throws(Invalid) -> String {
        guard visibilities.contains(value) else { throw Invalid(field: "visibility", detail: "visibility must be public, unlisted or private") }
        return value
    }

    static func tags(_ value: [String]) throws(Invalid) -> [String] {
        do {
            return try VideoTags.normalize(value)
        } catch {
            throw Invalid(field: "tags", detail: error.description)
        }
    }

    static func tags(commaSeparated value: String) throws(Invalid) -> [String] {
        try tags(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    static func language(_ value: String) throws(Invalid) -> String {
        guard let tag = LanguageTag(value) else {
            throw Invalid(field: "language", detail: "language must be a BCP 47 tag such as en, fr or pt-BR")
        }
        return tag.value
    }

    static func license(_ value: String) throws(Invalid) -> String {
        let license = value.trimmingCharacters(in: .whitespaces)
        guard !license.isEmpty, license.count <= maxLicenseLength, !license.containsControlCharacters() else {
            throw Invalid(field: "license", detail: "license must be 1 to \(maxLicenseLength) characters, such as CC-BY-4.0")
        }
        return license
    }

    static func publishAt(_ value: String) throws(Invalid) -> Date {
        guard let date = RFC3339.parse(value) else {
            throw Invalid(field: "publish_at", detail: "publish_at must be an RFC 3339 date-time such as 2030-01-31T18:00:00Z")
        }
        return date
    }

    static func category(_ value: String, database: KinoraDatabase) throws -> String {
        guard CategoryRecord.isValidSlug(value), try database.categories.find(id: value) != nil else {
            throw Invalid(field: "category", detail: "no category \"\(value.prefix(40))\"; GET /api/v1/categories lists them")
        }
        return value
    }
}

/// RFC 3339 date-times (`2030-01-31T18:00:00Z`, `…T18:00:00.5+01:00`); an offset is required.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        guard text.count <= 40 else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `2030-01-31T18:00:00Z` (UTC, whole seconds), as ISO8601DateFormatter writes it, without
    /// building a formatter per call (a listing writes several dates per video).
    static func string(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(parts.tm_mon + 1) + "-" + two(parts.tm_mday)
            + "T" + two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec) + "Z"
    }
}
