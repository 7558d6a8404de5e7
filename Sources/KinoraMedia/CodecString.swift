import CFFmpeg

/// RFC 6381 codec strings ("avc1.64001f", "mp4a.40.2") for the codecs Kinora streams.
enum CodecString {
    static func make(codec: AVCodecID, profile: Int?, level: Int?, extradata: [UInt8]) -> String? {
        switch codec {
        case AV_CODEC_ID_H264: avc(profile: profile, level: level, extradata: extradata)
        case AV_CODEC_ID_AAC: aac(profile: profile, extradata: extradata)
        case AV_CODEC_ID_MP3: "mp4a.40.34"
        case AV_CODEC_ID_OPUS: "opus"
        case AV_CODEC_ID_FLAC: "fLaC"
        case AV_CODEC_ID_AC3: "ac-3"
        case AV_CODEC_ID_EAC3: "ec-3"
        default: nil
        }
    }

    /// avc1.PPCCLL: profile_idc, the constraint_set flags byte, level_idc. The bytes come from
    /// the decoder configuration (avcC bytes 1–3, or the SPS of Annex B extradata); without
    /// extradata from FFmpeg's profile (its constraint bits) and level.
    static func avc(profile: Int?, level: Int?, extradata: [UInt8]) -> String? {
        if let bytes = avcConfigurationBytes(extradata) {
            return "avc1." + hex(bytes.profile) + hex(bytes.constraints) + hex(bytes.level)
        }
        guard let profile, let level, profile > 0, level > 0, level <= 0xFF else { return nil }
        var constraints: UInt8 = 0
        if profile & Int(FF_PROFILE_H264_CONSTRAINED) != 0 { constraints |= 0x40 }  // constraint_set1
        if profile & Int(FF_PROFILE_H264_INTRA) != 0 { constraints |= 0x10 }  // constraint_set3
        return "avc1." + hex(UInt8(profile & 0xFF)) + hex(constraints) + hex(UInt8(level))
    }

    /// profile_idc, constraint flags and level_idc from avcC (ISO/IEC 14496-15) or Annex B.
    static func avcConfigurationBytes(_ data: [UInt8]) -> (profile: UInt8, constraints: UInt8, level: UInt8)? {
        if data.count >= 4, data[0] == 1 {
            return (data[1], data[2], data[3])
        }
        // Annex B: 00 00 01 or 00 00 00 01, then the NAL header (type 7 = SPS), then the bytes.
        var index = 0
        while index + 3 < data.count {
            if data[index] == 0, data[index + 1] == 0, data[index + 2] == 1 {
                let header = index + 3
                if header + 3 < data.count, data[header] & 0x1F == 7 {
                    return (data[header + 1], data[header + 2], data[header + 3])
                }
                index = header
            } else {
                index += 1
            }
        }
        return nil
    }

    /// mp4a.40.<audio object type>. FFmpeg's AAC profile is the object type minus one
    /// (FF_PROFILE_AAC_LOW 1 → 2, HE 4 → 5, HE_V2 28 → 29); without a profile, the object type
    /// from the AudioSpecificConfig in the extradata.
    static func aac(profile: Int?, extradata: [UInt8]) -> String? {
        if let profile, profile >= 0 {
            return "mp4a.40.\(profile + 1)"
        }
        guard let first = extradata.first else { return nil }
        var objectType = Int(first >> 3)
        if objectType == 31, extradata.count >= 2 {
            objectType = 32 + (Int(first & 0x07) << 3 | Int(extradata[1] >> 5))
        }
        return objectType > 0 ? "mp4a.40.\(objectType)" : nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
