import Foundation

/// One cue of a WebVTT file, as the caption cutter needs it: times in milliseconds and the
/// text lines as written (the cue's markup is the player's to render).
public struct WebVTTCue: Equatable, Sendable {
    public var identifier: String?
    public var start: Int64
    public var end: Int64
    /// Cue settings after the end time ("line:90% align:start"), nil when none.
    public var settings: String?
    public var payload: String

    /// The cues of a file, in file order. The file is validated first, so a file that
    /// reaches here was accepted on upload; a failure names the line as validation does.
    public static func parse(_ bytes: [UInt8]) throws(WebVTTValidator.Failure) -> [WebVTTCue] {
        _ = try WebVTTValidator.validate(bytes)
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let lines = try WebVTTValidator.decodeLines(body)
        var index = 1
        while index < lines.count, !lines[index].isEmpty { index += 1 }  // the header
        var cues: [WebVTTCue] = []
        while index < lines.count {
            if lines[index].isEmpty {
                index += 1
                continue
            }
            let start = index
            while index < lines.count, !lines[index].isEmpty { index += 1 }
            let block = Array(lines[start..<index])
            guard let timing = block.firstIndex(where: { $0.contains("-->") }), timing <= 1 else { continue }
            if timing == 1 && ["NOTE", "STYLE", "REGION"].contains(where: { block[0] == $0 || block[0].hasPrefix($0 + " ") || block[0].hasPrefix($0 + "\t") }) {
                continue
            }
            if timing == 0 && block[0].hasPrefix("NOTE") { continue }
            guard let cue = cue(block, timing: timing) else { continue }
            cues.append(cue)
        }
        return cues
    }

    static func cue(_ block: [String], timing: Int) -> WebVTTCue? {
        let line = block[timing]
        guard let arrow = line.range(of: "-->") else { return nil }
        let blanks: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let left = line[..<arrow.lowerBound].trimmingCharacters(in: .whitespaces)
        let right = line[arrow.upperBound...].drop(while: blanks)
        let endText = right.prefix { !blanks($0) }
        let settings = right.dropFirst(endText.count).trimmingCharacters(in: .whitespaces)
        guard let start = WebVTTValidator.parseTimestamp(left), let end = WebVTTValidator.parseTimestamp(String(endText)) else { return nil }
        return WebVTTCue(
            identifier: timing == 1 ? block[0] : nil, start: start, end: end, settings: settings.isEmpty ? nil : settings,
            payload: block[(timing + 1)...].joined(separator: "\n"))
    }

    /// The cue as a WebVTT block.
    public var text: String {
        var lines: [String] = []
        if let identifier { lines.append(identifier) }
        lines.append(WebVTTValidator.format(start) + " --> " + WebVTTValidator.format(end) + (settings.map { " " + $0 } ?? ""))
        if !payload.isEmpty { lines.append(payload) }
        return lines.joined(separator: "\n")
    }
}
