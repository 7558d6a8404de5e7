/// A field of a request body that breaks its rule: 422 `invalid-field` naming it, titled
/// "Invalid <field>" as the catalog and social routes have always answered.
public struct InvalidField: DomainError, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var problemType: ProblemType { .invalidField }
    public var title: String { "Invalid \(field)" }
    public var detail: String? { reason }
    public var extra: [String: String] { ["field": field] }
    public var description: String { reason }
}

/// A key a body may not carry: 422 `unknown-field` naming it and listing the known ones.
public struct UnknownField: DomainError, Equatable {
    /// The key as sent (at most 64 characters of it).
    public var key: String
    /// Where it sits, for the problem's `field` member (`email_notifications.sms`).
    public var field: String
    public var known: [String]
    /// What the known keys are, for the sentence: "a field here", "an email notification".
    public var noun: String

    /// `known` is listed in the order given; `parent` names the object the key sits in.
    public init(_ key: String, known: [String], noun: String = "a field here", parent: String? = nil) {
        let key = String(key.prefix(64))
        self.key = key
        self.field = parent.map { "\($0).\(key)" } ?? key
        self.known = known
        self.noun = noun
    }

    public var problemType: ProblemType { .unknownField }
    public var detail: String? { "\"\(key)\" is not \(noun); known: \(known.joined(separator: ", "))" }
    public var extra: [String: String] { ["field": field] }
}
