import CFFmpeg

/// Whether the file really reaches the duration its header declares: a Matroska/WebM, AVI or
/// FLV upload that stopped early still has a complete header, and its first frames decode.
/// (MP4 is checked through its index instead; formats whose duration comes from timestamps or
/// the bit rate say nothing a truncation could contradict.)
enum TailCheck {
    /// The most packets read from the seek point before deciding the file does reach its end.
    static let packetBudget = 4000

    /// The seconds of media the file ends at, when that falls short of `declared`; nil when it
    /// does not (or when the check does not apply).
    static func shortfall(input: InputFile, declared: Double, streams: Set<Int>) -> Double? {
        let context = input.context
        guard context.pointee.duration_estimation_method == AVFMT_DURATION_FROM_STREAM,
            !input.formatName.split(separator: ",").contains("mov"),
            declared > 0, !streams.isEmpty
        else { return nil }
        let start = context.pointee.start_time == kn_nopts() ? 0 : Double(context.pointee.start_time) / Double(kn_time_base())
        let target = Int64(max(0, start + declared - 3) * Double(kn_time_base()))
        guard av_seek_frame(context, -1, target, AVSEEK_FLAG_BACKWARD) >= 0 else { return nil }

        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let packet else { return nil }
        var reached = -Double.infinity
        for _ in 0..<packetBudget {
            let result = av_read_frame(context, packet)
            if result < 0 {
                // EOF (or an error past the first frames): judge by what was read.
                let tolerance = max(1.0, declared * 0.02)
                return reached + tolerance < start + declared ? max(0, reached - start) : nil
            }
            defer { av_packet_unref(packet) }
            let index = Int(packet.pointee.stream_index)
            guard streams.contains(index), let stream = input.stream(index) else { continue }
            let timestamp = packet.pointee.pts != kn_nopts() ? packet.pointee.pts : packet.pointee.dts
            guard timestamp != kn_nopts() else { continue }
            let end = Double(timestamp + max(0, packet.pointee.duration)) * av_q2d(stream.pointee.time_base)
            reached = max(reached, end)
        }
        return nil
    }
}
