/// What `kinora-media probe` prints inside its reply: the file's ``MediaInfo`` with, beside its
/// members, the derived values the daemon needs (display size, audio only, codec strings),
/// all in one flat object that the daemon also keeps with the video.
public struct ProbeReport: Codable, Sendable, Equatable {
    public var info: MediaInfo
    public var displayWidth: Int?
    public var displayHeight: Int?
    public var isAudioOnly: Bool
    public var codecStrings: [String]

    public init(_ info: MediaInfo) {
        self.info = info
        displayWidth = info.displayWidth
        displayHeight = info.displayHeight
        isAudioOnly = info.isAudioOnly
        codecStrings = info.codecStrings
    }

    private enum CodingKeys: String, CodingKey { case displayWidth, displayHeight, isAudioOnly, codecStrings }

    public init(from decoder: any Decoder) throws {
        info = try MediaInfo(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayWidth = try container.decodeIfPresent(Int.self, forKey: .displayWidth)
        displayHeight = try container.decodeIfPresent(Int.self, forKey: .displayHeight)
        isAudioOnly = try container.decodeIfPresent(Bool.self, forKey: .isAudioOnly) ?? info.isAudioOnly
        codecStrings = try container.decodeIfPresent([String].self, forKey: .codecStrings) ?? info.codecStrings
    }

    public func encode(to encoder: any Encoder) throws {
        try info.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(displayWidth, forKey: .displayWidth)
        try container.encodeIfPresent(displayHeight, forKey: .displayHeight)
        try container.encode(isAudioOnly, forKey: .isAudioOnly)
        try container.encode(codecStrings, forKey: .codecStrings)
    }
}

/// The probe's success: `{"ok":true,"info":{…}}`.
public struct ProbeSuccess: Codable, Sendable, Equatable {
    public var info: ProbeReport

    public init(info: ProbeReport) {
        self.info = info
    }
}
