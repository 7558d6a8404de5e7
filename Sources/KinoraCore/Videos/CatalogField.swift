import Foundation
import KinoraStore

/// Checks of the metadata fields that uploads and `PATCH /api/v1/videos/{id}` share. Each
/// returns the value as stored or throws ``Invalid`` naming the field.
public enum CatalogField {
    /// A field's value refused, named in the problem's `field` member. A change refuses it as
    /// unprocessable (422), an upload as a bad request (400): ``asUploadRefusal``.
    public struct Invalid: DomainError, Equatable {
        public var field: String
        public var detail: String?
        public var refusal: Refusal

        public init(field: String, detail: String, refusal: Refusal = .unprocessable) {
            self.field = field
            self.detail = detail
            self.refusal = refusal
        }

        /// Uploads have always answered `bad-visibility` for the visibility; the field is named either way.
        public var problemType: ProblemType { field == "visibility" && refusal == .badRequest ? .badVisibility : .invalidField }
        public var title: String { "Invalid \(field)" }
        public var extra: [String: String] { ["field": field] }

        /// The same refusal, as an upload answers it.
        public var asUploadRefusal: Invalid {
            var copy = self
            copy.refusal = .badRequest
            return copy
        }
    }

    public static let maxTitleLength = 200
    public static let maxDescriptionLength = 5000
    public static let maxLicenseLength = 64
    public static let visibilities: Set<String> = ["public", "unlisted", "private"]

    /// Trimmed, 1 to 200 characters, no control characters.
    public static func title(_ value: String) throws(Invalid) -> String {
        let title = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= maxTitleLength, !title.containsControlCharacters() else {
            throw Invalid(field: "title", detail: "title must be 1 to \(maxTitleLength) characters without control characters")
        }
        return title
    }

    /// At most 5000 characters; line breaks and tabs are the only control characters allowed.
    public static func description(_ value: String) throws(Invalid) -> String {
        guard value.count <= maxDescriptionLength, !value.containsControlCharacters(allowingNewlines: true) else {
            throw Invalid(
                field: "description",
                detail: "description must be at most \(maxDescriptionLength) characters without control characters other than line breaks and tabs")
        }
        return value
    }

    /// public, unlisted or private.
    public static func visibility(_ value: String) throws(Invalid) -> String {
        guard visibilities.contains(value) else { throw Invalid(field: "visibility", detail: "visibility must be public, unlisted or private") }
        return value
    }

    /// Normalised as the store keeps them (``VideoTags``).
    public static func tags(_ value: [String]) throws(Invalid) -> [String] {
        do {
            return try VideoTags.normalize(value)
        } catch {
            throw Invalid(field: "tags", detail: error.description)
        }
    }

    /// Tags sent as one comma-separated string (form fields, tus metadata).
    public static func tags(commaSeparated value: String) throws(Invalid) -> [String] {
        try tags(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    /// A language tag (``LanguageTag``), in its conventional case.
    public static func language(_ value: String) throws(Invalid) -> String {
        guard let tag = LanguageTag(value) else {
            throw Invalid(field: "language", detail: "language must be a BCP 47 tag such as en, fr or pt-BR")
        }
        return tag.value
    }

    /// Trimmed, 1 to 64 characters, such as CC-BY-4.0.
    public static func license(_ value: String) throws(Invalid) -> String {
        let license = value.trimmingCharacters(in: .whitespaces)
        guard !license.isEmpty, license.count <= maxLicenseLength, !license.containsControlCharacters() else {
            throw Invalid(field: "license", detail: "license must be 1 to \(maxLicenseLength) characters, such as CC-BY-4.0")
        }
        return license
    }

    /// An RFC 3339 date-time with an offset.
    public static func publishAt(_ value: String) throws(Invalid) -> Date {
        guard let date = RFC3339.parse(value) else {
            throw Invalid(field: "publish_at", detail: "publish_at must be an RFC 3339 date-time such as 2030-01-31T18:00:00Z")
        }
        return date
    }

    /// The slug of an existing category.
    public static func category(_ value: String, database: KinoraDatabase) throws -> String {
        guard CategoryRecord.isValidSlug(value), try database.categories.find(id: value) != nil else {
            throw Invalid(field: "category", detail: "no category \"\(value.prefix(40))\"; GET /api/v1/categories lists them")
        }
        return value
    }
}
