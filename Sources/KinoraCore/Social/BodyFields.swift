import Foundation
import KinoraConfiguration
import KinoraHost

/// The rules every social body field follows: only known keys, text without control
/// characters and within its length.
public enum BodyFields {
    /// Refuses the first key of `body` (in sorted order) outside `allowed`.
    public static func refuseUnknownKeys<Value>(_ body: [String: Value], allowed: Set<String>) throws(UnknownField) {
        if let unknown = body.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw UnknownField(unknown, known: allowed.sorted())
        }
    }

    /// A text field: nil when absent, else a string of at most `max` characters without
    /// control characters (line breaks and tabs allowed when `multiline`), trimmed unless
    /// told otherwise, and not empty unless `allowEmpty`.
    public static func text(
        _ body: [String: JSONValue], _ field: String, max: Int, multiline: Bool = false, trimmed: Bool = true,
        allowEmpty: Bool = true
    ) throws(InvalidField) -> String? {
        guard let value = body[field] else { return nil }
        guard var text = value.stringValue else { throw InvalidField(field, "\(field) must be a string") }
        if trimmed { text = text.trimmingCharacters(in: .whitespacesAndNewlines) }
        let control = text.containsControlCharacters(allowingNewlines: multiline)
        guard text.count <= max, !control, allowEmpty || !text.isEmpty else {
            throw InvalidField(
                field,
                "\(field) must be \(allowEmpty ? "at most" : "1 to") \(max) characters without control characters"
                    + (multiline ? " other than line breaks and tabs" : ""))
        }
        return text
    }
}
