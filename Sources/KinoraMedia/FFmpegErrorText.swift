import CFFmpeg

/// FFmpeg error codes as text (av_err2str without its compound literal).
enum FFmpegErrorText {
    static func message(_ code: Int32) -> String {
        let capacity = 256
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> String in
            guard let base = buffer.baseAddress else { return "error \(code)" }
            base.initialize(to: 0)
            return String(cString: kn_err2str(code, base, capacity))
        }
    }

    /// The message lower-cased at the start, to read inside a sentence.
    static func phrase(_ code: Int32) -> String {
        let text = message(code)
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
