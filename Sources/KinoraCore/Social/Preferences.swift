import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraMediaContract

/// An account's preferences. Only keys the account set are stored; the rest are defaults, so a
/// default changed later applies to everyone who never chose.
public struct Preferences {
    public static let qualities: [Int64] = LadderStep.standardShortSides.map(Int64.init)
    public static let emailKinds = ["comments", "subscriptions", "mentions", "digest"]
    public static let defaults: [String: JSONValue] = [
        "language": .null,
        "autoplay": .bool(true),
        "default_quality": .string("auto"),
        "email_notifications": .object(["comments": .bool(true), "subscriptions": .bool(true), "mentions": .bool(true), "digest": .bool(false)]),
    ]

    /// What was stored (only the keys set).
    public var stored: [String: JSONValue]

    public init(json: String?) {
        if let json, case .object(let members)? = try? JSONValue(parsing: json) { stored = members } else { stored = [:] }
    }

    /// Every key, stored values over defaults (email choices merged one by one).
    public var effective: JSONValue {
        var result = Self.defaults
        for (key, value) in stored where key != "email_notifications" { result[key] = value }
        if case .object(var email)? = result["email_notifications"], case .object(let chosen)? = stored["email_notifications"] {
            for (kind, value) in chosen { email[kind] = value }
            result["email_notifications"] = .object(email)
        }
        return .object(result)
    }

    /// Applies a change: the keys given replace the stored ones (null puts a key back to its
    /// default), the keys left out keep their value. Throws ``InvalidField`` or ``UnknownField``.
    public mutating func apply(_ change: JSONValue) throws {
        guard case .object(let members) = change else { throw Refused(.badRequest, "the body must be a JSON object") }
        try BodyFields.refuseUnknownKeys(members, allowed: Set(Self.defaults.keys))
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            if value.isNull {
                stored[key] = nil
                continue
            }
            switch key {
            case "language":
                guard let text = value.stringValue, let tag = LanguageTag(text) else {
                    throw InvalidField(key, "language must be a BCP 47 tag such as en, fr or pt-BR, or null")
                }
                stored[key] = .string(tag.value)
            case "autoplay":
                guard value.boolValue != nil else { throw InvalidField(key, "autoplay must be true or false") }
                stored[key] = value
            case "default_quality":
                if value.stringValue == "auto" {
                    stored[key] = value
                } else if case .integer(let height) = value, Self.qualities.contains(height) {
                    stored[key] = value
                } else {
                    throw InvalidField(key, "default_quality must be \"auto\" or one of \(Self.qualities.map(String.init).joined(separator: ", "))")
                }
            default:
                guard case .object(let kinds) = value else {
                    throw InvalidField(key, "email_notifications must be an object of booleans: \(Self.emailKinds.joined(separator: ", "))")
                }
                var email: [String: JSONValue] = [:]
                if case .object(let current)? = stored[key] { email = current }
                for (kind, choice) in kinds {
                    guard Self.emailKinds.contains(kind) else {
                        throw UnknownField(kind, known: Self.emailKinds, noun: "an email notification", parent: key)
                    }
                    guard choice.boolValue != nil else { throw InvalidField("email_notifications.\(kind)", "\(kind) must be true or false") }
                    email[kind] = choice
                }
                stored[key] = .object(email)
            }
        }
    }
}
