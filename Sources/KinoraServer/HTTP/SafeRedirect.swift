import Foundation

/// The one check on every destination the server sends a browser to after signing in (SSO's
/// `redirect`, the `next` of the login links it builds). Only a path of this site passes:
/// starting with a single `/`, with no backslash or control character even after repeated
/// percent-decoding (the probe's `/%09/host` and a double-encoded `/\host` became `//host` in
/// the browser), that resolves against the public origin to that same origin, and whose own
/// `next`/`redirect`/`return_to` parameters pass the same check (the login page follows them).
/// share/web/static/js/api.js `safePath` is the browser's half.
public enum SafeRedirect {
    /// Query parameters that carry a further destination.
    static let nestedParameters: Set<String> = ["next", "redirect", "return_to"]
    static let maxLength = 2048
    /// Resolves relative targets when `[server] public_url` is not set; a path cannot change
    /// the host of any origin, so this one proves as much as the real one would.
    static let placeholderOrigin = "http://kinora.invalid"

    /// `target` unchanged when it is a path of this site, else nil.
    public static func path(_ target: String, publicURL: String? = nil) -> String? {
        guard let base = URL(string: publicURL.flatMap { $0.isEmpty ? nil : $0 } ?? placeholderOrigin), base.host != nil else { return nil }
        return check(target, base: base, depth: 0) ? target : nil
    }

    /// `/login?next=<path>`, or plain `/login` when `next` does not pass ``path(_:publicURL:)``.
    public static func loginLocation(next: String) -> String {
        guard path(next) != nil,
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.")))
        else {
            return "/login"
        }
        return "/login?next=" + encoded
    }

    private static func check(_ target: String, base: URL, depth: Int) -> Bool {
        guard depth < 4, target.utf8.count <= maxLength else { return false }
        // As sent: visible ASCII only; no '#' (the SSO callback appends its own fragment).
        guard target.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" && $0 != "#" }) else { return false }
        guard let decoded = fullyDecoded(target) else { return false }
        for form in [target, decoded] where !form.hasPrefix("/") || form.hasPrefix("//") { return false }
        guard decoded.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\" }) else { return false }
        guard let resolved = URL(string: target, relativeTo: base)?.absoluteURL,
            resolved.scheme?.lowercased() == base.scheme?.lowercased(),
            resolved.host?.lowercased() == base.host?.lowercased(), resolved.port == base.port
        else { return false }
        for item in URLComponents(string: target)?.queryItems ?? [] where nestedParameters.contains(item.name.lowercased()) {
            guard let value = item.value, !value.isEmpty else { continue }
            // The nested value as the next page reads it (decoded once), held to the same rules.
            guard let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "#"))),
                check(encoded, base: base, depth: depth + 1)
            else { return false }
        }
        return true
    }

    /// Percent-decoded until nothing changes; nil for a malformed escape or one that is still
    /// decoding after a few rounds.
    static func fullyDecoded(_ text: String) -> String? {
        var current = text
        for _ in 0..<4 {
            guard let next = current.removingPercentEncoding else { return nil }
            if next == current { return current }
            current = next
        }
        return nil
    }
}
