import Foundation
import KinoraConfiguration
import KinoraHost
import Logging

/// Text logs for people at a terminal, JSON lines for log shippers.
public enum LogSetup {
    public static func bootstrap(format: KinoraConfig.LogFormat, level: String) {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : TextLogHandler(label: label)
            handler.logLevel = logLevel
            return MultiplexLogHandler([handler, RecentErrorLogHandler(label: label, log: RecentErrorLog.shared)])
        }
    }
}

/// One JSON object per line on stderr: time, level, label, message and metadata.
struct JSONLogHandler: PlainMetadataLogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var object: [String: Any] = [
            "time": Date().formatted(.iso8601),
            "level": level.rawValue,
            "label": label,
            "message": message.description,
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) { object[key] = value.description }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        // Foundation's non-throwing write(_:) traps when the write fails (a full non-blocking
        // stderr, a restarted journal): a lost log line must not take the daemon down.
        try? FileHandle.standardError.write(contentsOf: data)
    }
}

/// Log handlers that keep their metadata in a plain dictionary share its subscript.
protocol PlainMetadataLogHandler: LogHandler {}

extension PlainMetadataLogHandler {
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
