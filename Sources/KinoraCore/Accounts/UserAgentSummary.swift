import Foundation

/// "Firefox on Windows" from a `User-Agent` header: enough for someone to recognise their own
/// browsers in a list of sessions. Not a full parser; an agent it cannot place is named by its
/// first product token ("curl"), or "Unknown browser".
public enum UserAgentSummary {
    /// Checked in order: Edge and Opera also say Chrome, Chrome also says Safari.
    static let browsers: [(token: String, name: String)] = [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"),
        ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
    ]
    /// Android and iOS before Linux and macOS, which their agents also mention.
    static let systems: [(token: String, name: String)] = [
        ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"), ("Windows", "Windows"),
        ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"), ("X11", "Linux"),
    ]

    public static func describe(_ agent: String) -> String {
        let browser = browsers.first { agent.contains($0.token) }?.name
        let system = systems.first { agent.contains($0.token) }?.name
        switch (browser, system) {
        case let (browser?, system?): return "\(browser) on \(system)"
        case let (browser?, nil): return browser
        case let (nil, system?): return "A browser on \(system)"
        case (nil, nil):
            // A tool's own token, such as curl/8.5.0, cut at the version; only plain characters.
            let product = agent.prefix { $0 != "/" && $0 != " " }.prefix(40)
            return !product.isEmpty && product.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
                ? String(product) : "Unknown browser"
        }
    }
}
