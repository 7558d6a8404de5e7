/// A minimal ISO BMFF box writer (ISO/IEC 14496-12): big-endian fields and size-prefixed
/// boxes, enough for the caption track's init and media segments. Boxes are built inside
/// out: a box's size is known once its body is written.
struct MP4Boxes {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    mutating func u32(_ v: UInt32) { for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((v >> UInt32(shift)) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v >> UInt64(shift)) & 0xFF)) } }
    mutating func zeros(_ count: Int) { bytes += [UInt8](repeating: 0, count: count) }
    mutating func fourCC(_ code: String) { bytes += Array(code.utf8.prefix(4)) }
    mutating func raw(_ data: [UInt8]) { bytes += data }
    mutating func string(_ s: String) { bytes += Array(s.utf8) }

    mutating func box(_ type: String, _ body: (inout MP4Boxes) -> Void) {
        var inner = MP4Boxes()
        body(&inner)
        u32(UInt32(8 + inner.bytes.count))
        fourCC(type)
        bytes += inner.bytes
    }

    mutating func fullBox(_ type: String, version: UInt8 = 0, flags: UInt32 = 0, _ body: (inout MP4Boxes) -> Void) {
        box(type) { b in
            b.u32(UInt32(version) << 24 | (flags & 0xFF_FFFF))
            body(&b)
        }
    }

    /// The unity transformation matrix of mvhd and tkhd.
    mutating func unityMatrix() {
        for v: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] { u32(v) }
    }
}
