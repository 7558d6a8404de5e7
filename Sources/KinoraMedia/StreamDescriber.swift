import CFFmpeg

/// Turns an AVStream (after avformat_find_stream_info) into a `MediaStreamInfo`.
enum StreamDescriber {
    static func describe(_ stream: UnsafeMutablePointer<AVStream>) -> MediaStreamInfo {
        let index = Int(stream.pointee.index)
        guard let parameters = stream.pointee.codecpar else {
            return MediaStreamInfo(index: index, kind: .unknown, codecName: "none")
        }
        let codecID = parameters.pointee.codec_id
        var info = MediaStreamInfo(
            index: index,
            kind: kind(parameters.pointee.codec_type),
            codecName: avcodec_get_name(codecID).map { String(cString: $0) } ?? "unknown"
        )
        info.codecLongName = avcodec_descriptor_get(codecID)?.pointee.long_name.map { String(cString: $0) }
        let profile = parameters.pointee.profile
        if profile != FF_PROFILE_UNKNOWN {
            info.profile = Int(profile)
            info.profileName = avcodec_profile_name(codecID, profile).map { String(cString: $0) }
        }
        if parameters.pointee.level != FF_LEVEL_UNKNOWN, parameters.pointee.level > 0 {
            info.level = Int(parameters.pointee.level)
        }
        info.hasDecoder = avcodec_find_decoder(codecID) != nil
        let disposition = stream.pointee.disposition
        info.isDefault = disposition & kn_disposition_default() != 0
        info.isAttachedPicture = disposition & kn_disposition_attached_pic() != 0
        if let entry = av_dict_get(stream.pointee.metadata, "language", nil, 0), let value = entry.pointee.value {
            info.language = String(cString: value)
        }
        if parameters.pointee.bit_rate > 0 { info.bitRate = Int(parameters.pointee.bit_rate) }
        if stream.pointee.duration != kn_nopts(), stream.pointee.duration > 0 {
            info.duration = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        }
        if stream.pointee.nb_frames > 0 { info.frameCount = Int(stream.pointee.nb_frames) }

        switch info.kind {
        case .video:
            describeVideo(stream, parameters, into: &info)
        case .audio:
            describeAudio(parameters, into: &info)
        default:
            break
        }
        info.codecString = CodecString.make(
            codec: codecID,
            profile: info.profile,
            level: info.level,
            extradata: extradata(parameters)
        )
        return info
    }

    private static func describeVideo(
        _ stream: UnsafeMutablePointer<AVStream>,
        _ parameters: UnsafeMutablePointer<AVCodecParameters>,
        into info: inout MediaStreamInfo
    ) {
        if parameters.pointee.width > 0 { info.width = Int(parameters.pointee.width) }
        if parameters.pointee.height > 0 { info.height = Int(parameters.pointee.height) }
        info.pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.pointee.format))
            .map { String(cString: $0) }
        info.sampleAspectRatio = rational(parameters.pointee.sample_aspect_ratio)
        info.averageFrameRate = rational(stream.pointee.avg_frame_rate)
        info.realFrameRate = rational(stream.pointee.r_frame_rate)
        info.fieldOrder = fieldOrder(parameters.pointee.field_order)
        // av_display_rotation_get: degrees counterclockwise; players rotate by its negation.
        let counterclockwise = kn_stream_display_rotation(stream)
        if counterclockwise.isFinite {
            let clockwise = Int(-counterclockwise.rounded())
            info.rotation = ((clockwise % 360) + 360) % 360
        }
    }

    private static func describeAudio(
        _ parameters: UnsafeMutablePointer<AVCodecParameters>,
        into info: inout MediaStreamInfo
    ) {
        if parameters.pointee.sample_rate > 0 { info.sampleRate = Int(parameters.pointee.sample_rate) }
        let channels = parameters.pointee.ch_layout.nb_channels
        if channels > 0 {
            info.channels = Int(channels)
            let capacity = 128
            let description = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> String in
                guard let base = buffer.baseAddress else { return "" }
                base.initialize(to: 0)
                return withUnsafePointer(to: &parameters.pointee.ch_layout) { layout in
                    String(cString: kn_channel_layout_describe(layout, base, capacity))
                }
            }
            if !description.isEmpty { info.channelLayout = description }
        }
        info.sampleFormat = av_get_sample_fmt_name(AVSampleFormat(rawValue: parameters.pointee.format))
            .map { String(cString: $0) }
    }

    static func kind(_ type: AVMediaType) -> MediaStreamInfo.Kind {
        switch type {
        case AVMEDIA_TYPE_VIDEO: .video
        case AVMEDIA_TYPE_AUDIO: .audio
        case AVMEDIA_TYPE_SUBTITLE: .subtitle
        case AVMEDIA_TYPE_DATA: .data
        case AVMEDIA_TYPE_ATTACHMENT: .attachment
        default: .unknown
        }
    }

    static func fieldOrder(_ order: AVFieldOrder) -> MediaStreamInfo.FieldOrder {
        switch order {
        case AV_FIELD_PROGRESSIVE: .progressive
        case AV_FIELD_TT: .topFirst
        case AV_FIELD_BB: .bottomFirst
        case AV_FIELD_TB: .topCodedBottomFirst
        case AV_FIELD_BT: .bottomCodedTopFirst
        default: .unknown
        }
    }

    static func rational(_ value: AVRational) -> MediaRational? {
        guard value.num != 0, value.den != 0 else { return nil }
        return MediaRational(numerator: Int(value.num), denominator: Int(value.den))
    }

    private static func extradata(_ parameters: UnsafeMutablePointer<AVCodecParameters>) -> [UInt8] {
        guard let bytes = parameters.pointee.extradata, parameters.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(parameters.pointee.extradata_size)))
    }
}
