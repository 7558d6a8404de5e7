/// An error a service throws for the user to read: which problem it is, in whose words, and
/// nothing about transport. Each domain has its own error type conforming to this (an enum
/// where the cases are worth switching on, ``Refused`` for a one-off); the HTTP edge maps every
/// one to problem+json in a single place, so a route never builds an error body itself.
///
/// ```swift
/// enum CaptionError: DomainError {
///     case badLanguage(String)
///     var problemType: ProblemType { .badLanguage }
///     var detail: String? { if case .badLanguage(let tag) = self { "\"\(tag)\" is not a BCP 47 tag" } else { nil } }
/// }
/// ```
public protocol DomainError: Error, Sendable {
    var problemType: ProblemType { get }
    /// Where one type is answered two ways (a disabled account: 403 when signing in, 401 on a
    /// token it issued earlier); the type's own refusal otherwise.
    var refusal: Refusal { get }
    /// The type's title unless a case words it more precisely.
    var title: String { get }
    /// What was wrong, for a person: never a secret, token or password.
    var detail: String? { get }
    /// More members of the problem object (`field`, `parameter`, `limit`, …).
    var extra: [String: String] { get }
    /// Seconds after which trying again may succeed (`Retry-After`).
    var retryAfter: Int? { get }
}

extension DomainError {
    public var refusal: Refusal { problemType.refusal }
    public var title: String { problemType.title }
    public var extra: [String: String] { [:] }
    public var retryAfter: Int? { nil }
}

/// A refusal that needs no type of its own: a problem type and the sentence that explains it.
///
/// ```swift
/// throw Refused(.playlistFull, "a playlist holds at most \(limit) videos", extra: ["limit": "\(limit)"])
/// ```
public struct Refused: DomainError, CustomStringConvertible {
    public var problemType: ProblemType
    public var detail: String?
    public var extra: [String: String]
    public var refusal: Refusal
    public var title: String
    public var retryAfter: Int?

    public init(
        _ type: ProblemType, _ detail: String? = nil, extra: [String: String] = [:],
        refusal: Refusal? = nil, title: String? = nil, retryAfter: Int? = nil
    ) {
        self.problemType = type
        self.detail = detail
        self.extra = extra
        self.refusal = refusal ?? type.refusal
        self.title = title ?? type.title
        self.retryAfter = retryAfter
    }

    public var description: String { detail ?? title }
}
