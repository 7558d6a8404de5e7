/// Reads what the MP4 muxer wrote into one CMAF fragment (moof + mdat): the decode time,
/// the sample durations and composition offsets, and where the first sample ends. The index
/// is taken from these real boxes, not from what the encoder was asked for.
struct FragmentInspector: Equatable {
    /// tfdt baseMediaDecodeTime (track timescale).
    var baseDecodeTime: Int64
    /// The sum of the samples' durations (track timescale).
    var duration: Int64
    /// When the fragment's first-shown sample is shown, and when its last-shown one ends,
    /// relative to `baseDecodeTime` (decode offset plus composition offset; track timescale).
    /// With B-frames both lead the decode times by the reordering delay.
    var presentationStart: Int64 = 0
    var presentationEnd: Int64 = 0
    var sampleCount: Int
    /// Bytes from the fragment's start through the end of its first sample.
    var firstSampleEnd: Int64

    enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        var description: String {
            switch self {
            case .malformed(let why): "malformed fragment: \(why)"
            }
        }
    }

    static func inspect(_ bytes: [UInt8]) throws(Failure) -> FragmentInspector {
        var moof: Range<Int>?
        var mdatPayload: Int?
        for box in boxes(bytes, in: 0..<bytes.count) {
            if box.type == "moof", moof == nil { moof = box.payload }
            if box.type == "mdat", mdatPayload == nil { mdatPayload = box.payload.lowerBound }
        }
        guard let moof, let mdatPayload else { throw .malformed("no moof or mdat") }
        guard let traf = boxes(bytes, in: moof).first(where: { $0.type == "traf" }) else { throw .malformed("no traf") }

        var defaultDuration: Int64 = 0
        var defaultSize: Int64 = 0
        var decodeTime: Int64?
        var duration: Int64 = 0
        var shownFirst: Int64?
        var shownEnd: Int64 = 0
        var count = 0
        var firstSize: Int64?
        for box in boxes(bytes, in: traf.payload) {
            var reader = Reader(bytes: bytes, position: box.payload.lowerBound, end: box.payload.upperBound)
            switch box.type {
            case "tfhd":
                let versionFlags = try reader.u32()
                let flags = versionFlags & 0xFF_FFFF
                _ = try reader.u32()  // track_ID
                if flags & 0x01 != 0 { _ = try reader.u64() }  // base_data_offset
                if flags & 0x02 != 0 { _ = try reader.u32() }  // sample_description_index
                if flags & 0x08 != 0 { defaultDuration = Int64(try reader.u32()) }
                if flags & 0x10 != 0 { defaultSize = Int64(try reader.u32()) }
            case "tfdt":
                let version = try reader.u32() >> 24
                decodeTime = version == 1 ? Int64(bitPattern: try reader.u64()) : Int64(try reader.u32())
            case "trun":
                let versionFlags = try reader.u32()
                let flags = versionFlags & 0xFF_FFFF
                let signedOffsets = versionFlags >> 24 == 1
                let samples = Int(try reader.u32())
                if flags & 0x001 != 0 { _ = try reader.u32() }  // data_offset
                if flags & 0x004 != 0 { _ = try reader.u32() }  // first_sample_flags
                for _ in 0..<samples {
                    let sampleDuration = flags & 0x100 != 0 ? Int64(try reader.u32()) : defaultDuration
                    let sampleSize = flags & 0x200 != 0 ? Int64(try reader.u32()) : defaultSize
                    if flags & 0x400 != 0 { _ = try reader.u32() }
                    var offset: Int64 = 0
                    if flags & 0x800 != 0 {
                        let raw = try reader.u32()
                        offset = signedOffsets ? Int64(Int32(bitPattern: raw)) : Int64(raw)
                    }
                    if firstSize == nil { firstSize = sampleSize }
                    shownFirst = min(shownFirst ?? .max, duration + offset)
                    shownEnd = max(shownEnd, duration + offset + sampleDuration)
                    duration += sampleDuration
                }
                count += samples
            default:
                break
            }
        }
        guard let decodeTime else { throw .malformed("no tfdt") }
        guard let firstSize, count > 0 else { throw .malformed("no samples") }
        return FragmentInspector(
            baseDecodeTime: decodeTime, duration: duration, presentationStart: shownFirst ?? 0,
            presentationEnd: shownEnd, sampleCount: count, firstSampleEnd: Int64(mdatPayload) + firstSize)
    }

    struct Box {
        var type: String
        var payload: Range<Int>
    }

    /// The boxes directly inside `range` (a truncated last box is ignored).
    static func boxes(_ bytes: [UInt8], in range: Range<Int>) -> [Box] {
        var result: [Box] = []
        var position = range.lowerBound
        while position + 8 <= range.upperBound {
            var reader = Reader(bytes: bytes, position: position, end: range.upperBound)
            guard let size32 = try? reader.u32(), let typeCode = try? reader.u32() else { break }
            var header = 8
            var size = Int(size32)
            if size32 == 1 {
                guard let large = try? reader.u64(), large <= UInt64(Int.max) else { break }
                size = Int(large)
                header = 16
            } else if size32 == 0 {
                size = range.upperBound - position
            }
            guard size >= header, position + size <= range.upperBound else { break }
            let type = String(decoding: [24, 16, 8, 0].map { UInt8((typeCode >> $0) & 0xFF) }, as: UTF8.self)
            result.append(Box(type: type, payload: (position + header)..<(position + size)))
            position += size
        }
        return result
    }

    struct Reader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        mutating func u32() throws(Failure) -> UInt32 {
            guard position + 4 <= end else { throw .malformed("box too short") }
            defer { position += 4 }
            return bytes[position..<position + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }

        mutating func u64() throws(Failure) -> UInt64 {
            let high = UInt64(try u32())
            return high << 32 | UInt64(try u32())
        }
    }
}
