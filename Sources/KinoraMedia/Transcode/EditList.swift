/// The edit list (`edts`/`elst`) an init segment carries when its track starts before 0,
/// which says where the track's presentation starts: `mediaTime` ticks into its media timeline.
///
/// The mp4 muxer writes none in fragmented mode (the moov is written before any sample is
/// known), so B-frame reordering delayed the first picture (and the AAC priming was played) in
/// players that shift decode times to 0 (libavformat, so ffmpeg, mpv and GStreamer's libav
/// paths): audio led video by 45 ms at 30 fps. `CMAFWriter` shifts each track so its first
/// decode time is 0 and writes the shift here, one entry with duration 0 ("to the end of the
/// media", as fragmented tracks have no known duration), so every player that reads it
/// (Chromium's MediaSource and Safari read the first entry's media time too) starts the first
/// picture at 0. Audio needs none: its priming is not written at all (`AudioStart`), as
/// Chromium's native HLS ignores edit lists.
enum EditList {
    /// `initSegment` (ftyp + moov with one trak) with an `edts` box after the trak's `tkhd`;
    /// the moov's and trak's sizes grow by its 36 bytes.
    static func inserting(into initSegment: [UInt8], mediaTime: Int64) throws(FragmentInspector.Failure) -> [UInt8] {
        let boxes = FragmentInspector.boxes
        guard let moov = boxes(initSegment, 0..<initSegment.count).first(where: { $0.type == "moov" }),
            let trak = boxes(initSegment, moov.payload).first(where: { $0.type == "trak" }),
            let tkhd = boxes(initSegment, trak.payload).first(where: { $0.type == "tkhd" })
        else { throw .malformed("the init segment has no moov/trak/tkhd") }
        guard !boxes(initSegment, trak.payload).contains(where: { $0.type == "edts" }) else {
            throw .malformed("the init segment already has an edit list")
        }
        guard (0...Int64(Int32.max)).contains(mediaTime) else { throw .malformed("edit media time \(mediaTime) out of range") }
        var edit: [UInt8] = []
        func u32(_ value: UInt32) { edit += [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        func fourCC(_ code: String) { edit += Array(code.utf8) }
        u32(36)
        fourCC("edts")
        u32(28)
        fourCC("elst")
        u32(0)  // version 0, no flags
        u32(1)  // one entry
        u32(0)  // segment_duration: the whole (unknown) length
        u32(UInt32(mediaTime))  // media_time
        u32(0x0001_0000)  // media_rate 1.0
        var result = initSegment
        result.insert(contentsOf: edit, at: tkhd.payload.upperBound)
        try grow(&result, boxStart: trak.payload.lowerBound - 8, by: edit.count)
        try grow(&result, boxStart: moov.payload.lowerBound - 8, by: edit.count)
        return result
    }

    /// Adds `count` to the 32-bit size of the box at `boxStart` (the muxer writes 32-bit sizes
    /// for a moov that small).
    private static func grow(_ bytes: inout [UInt8], boxStart: Int, by count: Int) throws(FragmentInspector.Failure) {
        let size = bytes[boxStart..<boxStart + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard size > 1 else { throw .malformed("unexpected 64-bit box size in the init segment") }
        let grown = size + UInt32(count)
        for (offset, shift) in [24, 16, 8, 0].enumerated() { bytes[boxStart + offset] = UInt8((grown >> UInt32(shift)) & 0xFF) }
    }
}
