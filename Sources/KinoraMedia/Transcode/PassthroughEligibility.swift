import CFFmpeg
import Foundation

/// How the source's video is copied into the top rung: its stream, its clock, and the shared
/// output clock (frame numbers at the rendition's frame rate, 0 at the first picture).
struct PassthroughPlan {
    let streamIndex: Int
    let rung: Ladder.Rung
    let frameRate: AVRational
    let grid: SegmentGrid
    /// The source stream's time base and the pts of its first picture (frame 0).
    let timeBase: AVRational
    let zero: Int64
    /// Frames by which decoding runs ahead of display (B-frame reordering). The copy's decode
    /// times are its own, packet n at frame n − delay: Matroska keeps no decode times, and
    /// the smallest delay that keeps every picture decoded no later than shown is always valid.
    var delay: Int64

    /// The frame number a source timestamp falls on (nearest; the stream is constant rate).
    func frame(_ timestamp: Int64) -> Int64 {
        av_rescale_q(timestamp - zero, timeBase, AVRational(num: frameRate.den, den: frameRate.num))
    }
}

/// Whether the source's H.264 can become the top rung without re-encoding.
///
/// Every rendition must share segment boundaries and play in the same players, so the copy
/// is allowed only when it would look exactly like an encoded rung: H.264 with avcC (MP4, MOV,
/// Matroska), 8-bit 4:2:0, progressive, upright, square pixels, the top rung's size, an average
/// bit rate at most `bitRateTolerance` times that rung's, a constant frame rate equal to the
/// ladder's, and a key frame (closed GOP) on every segment boundary. The timing is checked on
/// the demuxed packets alone. A refusal is a short reason for people and logs.
enum PassthroughEligibility {
    /// The source may run this much above the rung's configured bit rate: the encoded rungs
    /// themselves peak at 1.5x (their rate control's maximum), so a copy within it streams in
    /// the same bandwidth class as an encode would.
    static let bitRateTolerance = 1.5

    enum Decision {
        case copy(PassthroughPlan)
        case refuse(String)
    }

    /// The checks that need no packet: codec, layout, geometry. nil when they pass.
    static func staticRefusal(
        stream: MediaStreamInfo, parameters: UnsafePointer<AVCodecParameters>,
        size: (width: Int, height: Int), top: Ladder.Rung, cap: Int
    ) -> String? {
        let p = parameters.pointee
        guard p.codec_id == AV_CODEC_ID_H264 else { return "the video is \(stream.codecName), not H.264" }
        let extradata = p.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(p.extradata_size))) } ?? []
        guard extradata.count >= 7, extradata[0] == 1 else {
            // Annex B (MPEG-TS, raw .h264) would need its start codes rewritten into lengths.
            return "the H.264 stream is in Annex B form (MPEG-TS or raw H.264); only MP4, MOV and Matroska sources are copied"
        }
        // From the probe: a copy's input is opened on its header alone, without pixel format.
        guard stream.pixelFormat == "yuv420p" else {
            return "the pictures are \(stream.pixelFormat ?? "of an unknown format"), not 8-bit 4:2:0 (yuv420p)"
        }
        if stream.isInterlaced { return "the video is interlaced" }
        if ((stream.rotation % 360) + 360) % 360 != 0 { return "the video is rotated by \(stream.rotation)°" }
        if let sar = stream.sampleAspectRatio, sar.numerator > 0, sar.denominator > 0, sar.numerator != sar.denominator {
            return "the pixels are not square (\(sar.numerator):\(sar.denominator))"
        }
        guard size.width == top.width, size.height == top.height else {
            return "the source's \(size.width)x\(size.height) is not the \(top.id) rung's \(top.width)x\(top.height)"
        }
        if let rate = stream.frameRate, rate > Double(cap) * 1.001 {
            return "the frame rate \(decimal(rate)) fps is above the \(cap) fps cap"
        }
        return nil
    }

    /// The packet checks: constant frame rate at the ladder's rate, bit rate, key frames on
    /// the grid with closed GOPs. `scan` is the stream's packets in decode order.
    static func decide(scan: VideoPacketScan, streamIndex: Int, top: Ladder.Rung, frameRate: AVRational, grid: SegmentGrid) -> Decision {
        let packets = scan.packets
        guard let first = packets.first else { return .refuse("the video has no packets") }
        guard packets.allSatisfy({ $0.pts != kn_nopts() }) else {
            return .refuse("some video packets carry no timestamps")
        }
        guard first.isKey else { return .refuse("the video does not start with a key frame") }
        var plan = PassthroughPlan(
            streamIndex: streamIndex, rung: top, frameRate: frameRate, grid: grid,
            timeBase: scan.timeBase, zero: first.pts, delay: 0)
        let fps = Double(frameRate.num) / Double(frameRate.den)
        let tick = av_q2d(scan.timeBase)

        // Constant rate: the pictures land on consecutive frame numbers from 0, each interval
        // within a tick of a frame (Matroska's milliseconds round 33.3 ms to 33 or 34).
        let sorted = packets.map(\.pts).sorted()
        var shortest = Double.infinity, longest = 0.0
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let interval = Double(b - a) * tick
            shortest = min(shortest, interval)
            longest = max(longest, interval)
        }
        let frameSeconds = 1 / fps
        let slack = tick + frameSeconds * 0.001
        if packets.count > 1, shortest < frameSeconds - slack || longest > frameSeconds + slack {
            if abs(shortest - longest) <= slack {
                return .refuse("the packets are \(decimal(1 / shortest)) fps, not the ladder's \(decimal(fps)) fps")
            }
            return .refuse("the frame rate is not constant (frame intervals from \(decimal(shortest * 1000)) to \(decimal(longest * 1000)) ms)")
        }
        let frames = packets.map { plan.frame($0.pts) }
        guard frames.sorted() == Array(0..<Int64(packets.count)) else {
            return .refuse("the pictures do not fall on a constant \(decimal(fps)) fps clock")
        }
        plan.delay = max(0, frames.enumerated().map { Int64($0.offset) - $0.element }.max() ?? 0)

        let seconds = Double(packets.count) / fps
        let bitRate = Double(packets.reduce(0) { $0 + $1.size }) * 8 / seconds
        if bitRate > Double(top.bitRate) * bitRateTolerance {
            return .refuse(
                "the video's \(megabits(bitRate)) Mb/s is over \(decimal(bitRateTolerance))x the \(top.id) rung's "
                    + "\(megabits(Double(top.bitRate))) Mb/s")
        }
        if let why = keyFrameRefusal(packets: packets, frames: frames, grid: grid, fps: fps) { return .refuse(why) }
        return .copy(plan)
    }

    /// Replays the writer's cut rule (a key frame starting a later segment than the last one
    /// cut) and requires a cut on every boundary the video reaches, on the boundary's first
    /// frame (so within half a frame of k × the segment duration), with nothing displayed
    /// from that frame on decoded before it, nor anything displayed before it decoded after
    /// it (a closed GOP). Each segment is then exactly the grid's, as an encoded rung's is.
    static func keyFrameRefusal(packets: [VideoPacketScan.Packet], frames: [Int64], grid: SegmentGrid, fps: Double) -> String? {
        var written = -1
        var cutFrame: Int64 = 0
        var latestShown = Int64.min
        for (packet, frame) in zip(packets, frames) {
            let segment = grid.segment(ofFrame: frame)
            if packet.isKey, segment > written {
                let boundary = Double(written + 1) * grid.seconds
                let firstFrame = frame == 0 || grid.segment(ofFrame: frame - 1) < segment
                guard segment == written + 1, firstFrame else { return offGrid(packets, frames, fps: fps, grid: grid, missing: boundary) }
                guard latestShown < frame else { return "a picture after the key frame at \(decimal(boundary)) s is decoded before it" }
                written = segment
                cutFrame = frame
            } else if frame < cutFrame {
                return "the key frame at \(decimal(Double(cutFrame) / fps)) s starts an open GOP"
            }
            latestShown = max(latestShown, frame)
        }
        let reached = grid.segment(ofFrame: Int64(packets.count - 1))
        if written < reached { return offGrid(packets, frames, fps: fps, grid: grid, missing: Double(written + 1) * grid.seconds) }
        return nil
    }

    /// "key frames every 5 s do not fall on the 4 s grid (none at 4 s)".
    static func offGrid(_ packets: [VideoPacketScan.Packet], _ frames: [Int64], fps: Double, grid: SegmentGrid, missing: Double) -> String {
        let keys = zip(packets, frames).filter(\.0.isKey).map { Double($0.1) / fps }.sorted()
        let intervals = zip(keys, keys.dropFirst()).map { $1 - $0 }
        let cadence: String
        if let shortest = intervals.min(), let longest = intervals.max(), longest - shortest < 0.5 / fps {
            cadence = "key frames every \(decimal(shortest)) s do not"
        } else if intervals.isEmpty {
            cadence = "the only key frame does not"
        } else {
            cadence = "key frames at irregular intervals do not"
        }
        return "\(cadence) fall on the \(decimal(grid.seconds)) s segment grid (none at \(decimal(missing)) s)"
    }

    /// 2, 2.5, 29.97: at most three decimals, no trailing zeros.
    static func decimal(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func megabits(_ bitsPerSecond: Double) -> String {
        String(format: "%.1f", bitsPerSecond / 1_000_000)
    }
}
