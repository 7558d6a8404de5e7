import Foundation
import KinoraStore

/// The rules of the values an account route takes, beside the username and password policy
/// in ``Accounts``: each refusal names its field.
extension Accounts {
    /// A display name: 1 to 64 characters, no control characters, not only spaces. Answers it trimmed.
    public static func checkDisplayName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmed.count), !trimmed.containsControlCharacters() else {
            throw AccountError.invalidField(field: "display_name", detail: "the display name must have 1 to 64 characters and no control characters")
        }
        return trimmed
    }

    /// "role must be one of admin, creator, viewer".
    public static let roleChoices = "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))"

    /// The role named `name`, or 422 on `role`.
    public static func role(named name: String) throws -> Role {
        guard let role = Role(rawValue: name) else { throw AccountError.invalidField(field: "role", detail: roleChoices) }
        return role
    }

    /// A whole number of days in `range` for `field`, as a span from `now`.
    public static func days(_ days: Int, in range: ClosedRange<Int>, field: String, from now: Date) throws -> Date {
        guard range.contains(days) else {
            throw AccountError.invalidField(field: field, detail: "\(field) must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return now.addingTimeInterval(TimeInterval(days) * 86400)
    }
}
