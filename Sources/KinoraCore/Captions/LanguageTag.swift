import Foundation

/// A caption's language: a BCP 47-like tag (`en`, `pt-BR`, `zh-Hant-TW`). It names the file in
/// storage and in URLs, so only letters, digits and inner hyphens ever pass: no path can be
/// smuggled through it.
public struct LanguageTag: Hashable, Sendable, CustomStringConvertible {
    /// The tag in BCP 47's conventional case, so `EN` and `en` are one track.
    public let value: String

    public static let maxLength = 35

    /// `^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`, at most 35 characters.
    public init?(_ text: String) {
        guard (2...Self.maxLength).contains(text.utf8.count), text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count), primary.allSatisfy(\.isLetter) else { return nil }
        for part in parts.dropFirst() {
            guard (1...8).contains(part.count), part.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        }
        // Language lower case, script title case, region upper case, the rest lower case
        // (RFC 5646 §2.1.1); only subtags after the language are scripts or regions.
        value = parts.enumerated().map { index, part in
            if index > 0 && part.count == 4 && part.allSatisfy(\.isLetter) { return part.prefix(1).uppercased() + part.dropFirst().lowercased() }
            if index > 0 && part.count == 2 && part.allSatisfy(\.isLetter) { return part.uppercased() }
            return part.lowercased()
        }.joined(separator: "-")
    }

    public var description: String { value }

    /// The language's name in itself ("English", "Français", "Português (Brasil)") when the
    /// system knows it, else the tag: what a player's subtitle menu shows.
    public var displayName: String {
        let locale = Locale(identifier: value)
        guard let name = locale.localizedString(forIdentifier: value), !name.isEmpty, name != value else { return value }
        return name.prefix(1).uppercased() + name.dropFirst()
    }
}
