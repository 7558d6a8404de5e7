import Foundation
import KinoraClient

/// `upload FILE [--title …] [--visibility …] …`: a tus upload with its progress on standard
/// error; the new video's id on standard output.
enum Upload {
    static let fields: Set<String> = ["title", "description", "tags", "category", "language", "license", "visibility", "channel", "publish-at"]

    static func run(_ words: ArraySlice<String>) async throws {
        let arguments = try Arguments(words, options: fields.union(["chunk-size"]))
        let path = try arguments.expectPositional(["FILE"])[0]
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw UsageError("\(path): no such file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else { throw CommandError("\(path): not readable") }
        let chunkSize = try arguments.integer("chunk-size", in: 1024...(256 << 20))
        var metadata: [String: String] = [:]
        for field in fields { if let value = arguments[option: field] { metadata[field.replacingOccurrences(of: "-", with: "_")] = value } }

        let session = try Session.load()
        let file = URL(fileURLWithPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // About 50 steps of progress for small files, 8 MiB requests for large ones.
        let upload = TusUpload(client: session.client, chunkSize: chunkSize ?? min(max(size / 50, 64 << 10), 8 << 20))
        let reporter = ProgressReporter(name: file.lastPathComponent)
        let id = try await upload.upload(file: file, metadata: metadata) { sent, total in reporter.report(sent, total) }
        reporter.finish()
        print(id)
    }
}

/// `name: 42%` on standard error whenever the whole percent changes: on one rewritten line on a
/// terminal, one line each otherwise (a log, a test reading it).
final class ProgressReporter: @unchecked Sendable {
    let name: String
    let terminal = isatty(2) == 1
    private var last = -1
    private let lock = NSLock()

    init(name: String) { self.name = name }

    func report(_ sent: Int64, _ total: Int64) {
        let percent = total > 0 ? Int(sent * 100 / total) : 100
        lock.lock()
        defer { lock.unlock() }
        guard percent != last else { return }
        last = percent
        let line = "\(name): \(percent)%"
        FileHandle.standardError.write(Data((terminal ? "\r" + line : line + "\n").utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
