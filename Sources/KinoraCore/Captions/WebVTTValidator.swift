/// Checks that bytes are a WebVTT file players will accept, before it is stored and named by
/// the manifests. Stricter than a browser's parser, which skips what it cannot read: a file
/// with a broken cue would upload fine and then silently lose that cue, so it is refused with
/// the line to fix instead.
///
/// Rules (W3C WebVTT): UTF-8 with an optional byte order mark, no NUL; lines end in LF, CRLF
/// or CR; the first line is `WEBVTT`, alone or followed by a space or tab and any text; then
/// blocks separated by blank lines: the header's own lines, `NOTE`, `STYLE` and `REGION`
/// blocks, and cues (an optional identifier line, a timing line
/// `[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]` with end ≥ start, then text lines, none of
/// which may contain `-->`).
public enum WebVTTValidator {
    /// Why a file is refused, with its 1-based line.
    public struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "line \(line): \(reason)" }
    }

    /// What a valid file holds.
    public struct Summary: Equatable, Sendable {
        public let cues: Int
        /// End of the last-ending cue, in milliseconds.
        public let endMilliseconds: Int64

        public init(cues: Int, endMilliseconds: Int64) {
            self.cues = cues
            self.endMilliseconds = endMilliseconds
        }
    }

    public static func validate(_ bytes: [UInt8]) throws(Failure) -> Summary {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let lines = try decodeLines(body)

        let first = lines.first ?? ""
        let signature = Array(first.utf8)
        guard signature.starts(with: "WEBVTT".utf8), signature.count == 6 || signature[6] == 0x20 || signature[6] == 0x09 else {
            throw Failure(line: 1, reason: "a WebVTT file starts with the line \"WEBVTT\" (found \(quote(first)))")
        }
        var index = 1
        // Header lines (metadata) up to the first blank line; they cannot hold a cue.
        while index < lines.count, !lines[index].isEmpty {
            if lines[index].contains("-->") {
                throw Failure(line: index + 1, reason: "a blank line must separate the WEBVTT header from the first cue")
            }
            index += 1
        }
        var cues = 0
        var end: Int64 = 0
        while index < lines.count {
            if lines[index].isEmpty {
                index += 1
                continue
            }
            let start = index
            while index < lines.count, !lines[index].isEmpty { index += 1 }
            let block = lines[start..<index]
            if let cueEnd = try checkBlock(block, firstLine: start + 1) {
                cues += 1
                end = max(end, cueEnd)
            }
        }
        return Summary(cues: cues, endMilliseconds: end)
    }

    /// Checks one block; returns the cue's end time, or nil for a NOTE, STYLE or REGION block.
    static func checkBlock(_ block: ArraySlice<String>, firstLine: Int) throws(Failure) -> Int64? {
        let head = block[block.startIndex]
        for keyword in ["NOTE", "STYLE", "REGION"] where head == keyword || head.hasPrefix(keyword + " ") || head.hasPrefix(keyword + "\t") {
            if keyword != "NOTE", let arrow = block.firstIndex(where: { $0.contains("-->") }) {
                throw Failure(line: firstLine + arrow - block.startIndex, reason: "\"-->\" inside a \(keyword) block")
            }
            return nil
        }
        // The timing line is the block's first line, or its second after a cue identifier.
        var timing = block.startIndex
        if !head.contains("-->") {
            timing += 1
            guard timing < block.endIndex, block[timing].contains("-->") else {
                throw Failure(
                    line: firstLine, reason: "\(quote(head)) starts a block that is not a cue (no \"-->\" timing line) nor NOTE, STYLE or REGION")
            }
        }
        let timingLine = firstLine + timing - block.startIndex
        let (start, end) = try parseTiming(block[timing], line: timingLine)
        guard end >= start else {
            throw Failure(line: timingLine, reason: "the cue ends (\(format(end))) before it starts (\(format(start)))")
        }
        if let text = block[(timing + 1)...].firstIndex(where: { $0.contains("-->") }) {
            throw Failure(
                line: firstLine + text - block.startIndex,
                reason: "\"-->\" in cue text (a missing blank line before the next cue?)")
        }
        return end
    }

    /// `start --> end` with optional cue settings after the end time.
    static func parseTiming(_ line: String, line number: Int) throws(Failure) -> (Int64, Int64) {
        let bad = Failure(line: number, reason: "\(quote(line)) is not a cue timing line \"hh:mm:ss.ttt --> hh:mm:ss.ttt\"")
        let scalars = Array(line.unicodeScalars)
        var i = 0
        func skipBlanks() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        func timestamp() -> Int64? {
            let startIndex = i
            while i < scalars.count, scalars[i] != " ", scalars[i] != "\t" { i += 1 }
            return parseTimestamp(String(String.UnicodeScalarView(scalars[startIndex..<i])))
        }
        guard let start = timestamp() else { throw bad }
        let beforeArrow = i
        skipBlanks()
        guard i > beforeArrow, i + 3 <= scalars.count, String(String.UnicodeScalarView(scalars[i..<i + 3])) == "-->" else { throw bad }
        i += 3
        let afterArrow = i
        skipBlanks()
        guard i > afterArrow, let end = timestamp() else { throw bad }
        // Settings, if any, are separated from the end time by blanks.
        guard i == scalars.count || scalars[i] == " " || scalars[i] == "\t" else { throw bad }
        return (start, end)
    }

    /// `[hh+:]mm:ss.ttt` in milliseconds; minutes and seconds 00-59, hours two digits or more.
    static func parseTimestamp(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let last = parts.last else { return nil }
        let secondsParts = last.split(separator: ".", omittingEmptySubsequences: false)
        guard secondsParts.count == 2 else { return nil }
        func digits(_ s: Substring, count: ClosedRange<Int>) -> Int64? {
            guard count.contains(s.utf8.count), s.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int64(s)
        }
        guard let seconds = digits(secondsParts[0], count: 2...2), seconds < 60,
            let millis = digits(secondsParts[1], count: 3...3),
            let minutes = digits(parts[parts.count - 2], count: 2...2), minutes < 60
        else { return nil }
        var hours: Int64 = 0
        if parts.count == 3 {
            guard let h = digits(parts[0], count: 2...10) else { return nil }
            hours = h
        }
        return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    }

    /// Splits on LF, CRLF and CR, decoding each line as strict UTF-8 so a bad byte is named
    /// by its line.
    static func decodeLines(_ bytes: ArraySlice<UInt8>) throws(Failure) -> [String] {
        var lines: [String] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        func finish(_ end: Int) throws(Failure) {
            let raw = bytes[start..<end]
            if raw.contains(0) { throw Failure(line: lines.count + 1, reason: "NUL character") }
            guard let line = String(validating: raw, as: UTF8.self) else {
                throw Failure(line: lines.count + 1, reason: "not valid UTF-8 (WebVTT files are UTF-8)")
            }
            lines.append(line)
        }
        while i < bytes.endIndex {
            switch bytes[i] {
            case 0x0A:
                try finish(i)
                i += 1
                start = i
            case 0x0D:
                try finish(i)
                i += 1
                if i < bytes.endIndex, bytes[i] == 0x0A { i += 1 }
                start = i
            default:
                i += 1
            }
        }
        if start < bytes.endIndex { try finish(bytes.endIndex) }
        return lines
    }

    static func quote(_ line: String) -> String {
        let shown = line.count > 60 ? String(line.prefix(60)) + "…" : line
        return "\"" + shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : String($0) }.joined() + "\""
    }

    static func format(_ milliseconds: Int64) -> String {
        let ms = milliseconds % 1000, s = milliseconds / 1000 % 60, m = milliseconds / 60_000 % 60, h = milliseconds / 3_600_000
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(h)):\(two(m)):\(two(s)).\(ms < 10 ? "00" : ms < 100 ? "0" : "")\(ms)"
    }
}
