import CFFmpeg
import Logging

/// FFmpeg writes its own log lines to stderr unless told otherwise. Kinora routes them into
/// swift-log (label `kinora.ffmpeg`) instead, once per process, before any FFmpeg call.
///
/// Only FFmpeg's errors (and worse) are formatted at all (av_log_set_level(AV_LOG_ERROR)).
/// FFmpeg's errors about one input ("moov atom not found") are reported to the caller through
/// `MediaProbeError`, so they are logged at `.debug`; FFmpeg's fatal and panic lines at `.error`.
public enum FFmpegLogging {
    /// The swift-log label FFmpeg's messages are logged under.
    public static let label = "kinora.ffmpeg"

    /// Installs the routing. Idempotent and thread-safe; every KinoraMedia entry point calls it.
    public static func install() {
        _ = installed
    }

    static let logger = Logger(label: label)

    // Swift runs a global or static `let` initialiser exactly once, thread-safely.
    private static let installed: Bool = {
        av_log_set_level(AV_LOG_ERROR)
        av_log_set_callback { context, level, format, arguments in
            FFmpegLogging.forward(context: context, level: level, format: format, arguments: arguments)
        }
        return true
    }()

    private static func forward(
        context: UnsafeMutableRawPointer?,
        level: Int32,
        format: UnsafePointer<CChar>?,
        arguments: CVaListPointer?
    ) {
        guard level <= av_log_get_level(), let format, let arguments else { return }
        let capacity = 1024
        let message = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> String in
            guard let base = buffer.baseAddress else { return "" }
            base.initialize(to: 0)
            var printPrefix: Int32 = 1
            _ = kn_log_format_line(context, level, format, arguments, base, Int32(capacity), &printPrefix)
            return String(cString: base)
        }
        let trimmed = message.trimmingTrailingNewlines()
        guard !trimmed.isEmpty else { return }
        logger.log(level: level <= AV_LOG_FATAL ? .error : .debug, "\(trimmed)")
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var result = Substring(self)
        while let last = result.last, last == "\n" || last == "\r" || last == " " {
            result = result.dropLast()
        }
        return String(result)
    }
}
