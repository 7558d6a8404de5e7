/// The one rule for text that people type (titles, names, tags, labels): no control
/// characters (Unicode category Cc), except line breaks and tabs where a field is prose.
/// Format characters (Cf) stay allowed: emoji sequences and right-to-left text need them.
extension StringProtocol {
    public func containsControlCharacters(allowingNewlines: Bool = false) -> Bool {
        unicodeScalars.contains {
            if allowingNewlines && ($0 == "\n" || $0 == "\r" || $0 == "\t") { return false }
            return $0.properties.generalCategory == .control
        }
    }
}
