import Foundation
import Logging
import NIOConcurrencyHelpers

/// The daemon's latest error-level log lines, kept in memory for the admin dashboard so an
/// operator sees what went wrong without reading the journal. Lost on restart, by design.
final class RecentErrorLog: Sendable {
    struct Entry: Sendable {
        var at: Date
        var label: String
        var message: String
    }

    static let shared = RecentErrorLog(capacity: 50)

    let capacity: Int
    private let entries = NIOLockedValueBox<[Entry]>([])

    init(capacity: Int) { self.capacity = capacity }

    func append(_ entry: Entry) {
        entries.withLockedValue { list in
            list.append(entry)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
        }
    }

    /// Newest first.
    func latest(_ limit: Int) -> [Entry] {
        entries.withLockedValue { Array($0.suffix(limit).reversed()) }
    }
}

/// Feeds error and critical lines into ``RecentErrorLog``, beside the real handler.
struct RecentErrorLogHandler: PlainMetadataLogHandler {
    let label: String
    let log: RecentErrorLog
    var logLevel: Logger.Level = .error
    var metadata: Logger.Metadata = [:]

    func log(event: LogEvent) {
        var text = event.message.description
        if let video = (event.metadata?["video"] ?? metadata["video"])?.description { text += " (video \(video))" }
        log.append(.init(at: Date(), label: label, message: text))
    }
}
