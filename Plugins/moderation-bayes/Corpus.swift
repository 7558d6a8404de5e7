import KinoraPluginKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Labelled messages as files: one message a line, `spam<TAB>text` or `ham<TAB>text`
/// (the label case-insensitive), UTF-8. Empty lines and lines starting with `#` are skipped.
/// The corpus the instance is trained from and the file it appends learnt decisions to share
/// this format, so a learnt file can be reviewed, edited, or merged into the corpus.
///
/// ```
/// # a comment
/// spam	WIN a FREE prize now https://prize.example
/// ham	Lovely editing on the harbour scene
/// ```
enum Corpus {
    struct Message {
        var spam: Bool
        var text: String
    }

    /// Every message of `path`, in order.
    ///
    /// - Parameters:
    ///   - setting: The settings key naming the file, for messages ("settings.corpus").
    ///   - missingIsEmpty: A file that does not exist yet is empty (the learnt file before the
    ///     first decision) rather than an error.
    /// - Throws: ``PluginStatus/config`` naming the setting, the file and the line.
    static func read(_ path: String, setting: String, missingIsEmpty: Bool = false) throws -> [Message] {
        guard let file = fopen(path, "r") else {
            let code = errno
            if code == ENOENT && missingIsEmpty { return [] }
            throw PluginError(.config, "\(setting): cannot open \(path): \(String(cString: strerror(code)))", detail: code)
        }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var messages: [Message] = []
        var number = 0
        while true {
            let count = getline(&buffer, &capacity, file)
            guard count >= 0, let buffer else { break }
            number += 1
            let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
            if let message = try parse(Array(bytes), where: "\(setting): \(path) line \(number)") { messages.append(message) }
        }
        if ferror(file) != 0 {
            throw PluginError(.config, "\(setting): reading \(path) after line \(number): \(String(cString: strerror(errno)))")
        }
        return messages
    }

    /// One line, without its line break: nil for an empty or `#` line.
    static func parse(_ line: [UInt8], where place: String) throws -> Message? {
        var line = line[...]
        while let last = line.last, last == 0x0A || last == 0x0D { line.removeLast() }
        if line.isEmpty || line.first == UInt8(ascii: "#") { return nil }
        guard let tab = line.firstIndex(of: 0x09) else {
            throw PluginError(.config, "\(place): expected \"spam<TAB>text\" or \"ham<TAB>text\", found no tab")
        }
        guard let label = String(validating: line[..<tab], as: UTF8.self)?.lowercased().trimmingSpaces(), label == "spam" || label == "ham" else {
            let shown = String(decoding: line[..<tab].prefix(32), as: UTF8.self)
            throw PluginError(.config, "\(place): the label \"\(shown)\" is neither spam nor ham")
        }
        guard let text = String(validating: line[line.index(after: tab)...], as: UTF8.self) else {
            throw PluginError(.config, "\(place): the text is not valid UTF-8")
        }
        return Message(spam: label == "spam", text: text)
    }

    /// The line a message is kept as: its text on one line (tabs and line breaks become
    /// spaces, which the tokenizer splits on anyway).
    static func line(_ text: String, spam: Bool) -> String {
        let flat = String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        return (spam ? "spam" : "ham") + "\t" + flat + "\n"
    }

    /// Appends one message to `path` (created with mode 0640 if missing) and syncs it, so a
    /// decision learnt is not lost with the process.
    ///
    /// - Throws: ``PluginStatus/io`` (or the closest status) naming the file.
    static func append(_ text: String, spam: Bool, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw PluginError.errno(errno, "opening \(path) to append a learnt message") }
        defer { close(fd) }
        let bytes = Array(line(text, spam: spam).utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PluginError.errno(errno, "appending a learnt message to \(path)")
            }
            written += n
        }
        guard fdatasync(fd) == 0 else { throw PluginError.errno(errno, "syncing \(path)") }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
