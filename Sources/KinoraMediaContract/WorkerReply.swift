/// The last line every `kinora-media` command prints: `{"ok":true, …the result's members…}`
/// or `{"ok":false,"code":"…","message":"…"}`. The worker encodes it and the daemon decodes
/// it, both from this one definition.
public enum WorkerReply<Success: Codable & Sendable>: Codable, Sendable {
    case success(Success)
    case refusal(WorkerRefusal)

    private enum Keys: String, CodingKey { case ok }

    public init(from decoder: any Decoder) throws {
        let ok = try decoder.container(keyedBy: Keys.self).decodeIfPresent(Bool.self, forKey: .ok) ?? false
        self = ok ? .success(try Success(from: decoder)) : .refusal(try WorkerRefusal(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .success(let success): try success.encode(to: encoder)
        case .refusal(let refusal): try refusal.encode(to: encoder)
        }
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.isSuccess, forKey: .ok)
    }

    var isSuccess: Bool { if case .success = self { true } else { false } }
}

/// Why the worker would not do what it was asked: a stable code (`not-media`, `truncated`,
/// `bad-image`, …) and a sentence for people.
public struct WorkerRefusal: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    private enum CodingKeys: String, CodingKey { case code, message }

    // A worker that says nothing useful still refuses: the daemon treats it as not media.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(String.self, forKey: .code) ?? "not-media"
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? "the file is not a usable video"
    }

    public var description: String { message }
}

/// A progress line of `kinora-media transcode`: `{"progress":0.42,"step":"encoding"}`.
public struct WorkerProgress: Codable, Sendable, Equatable {
    /// 0–1, rounded to thousandths.
    public var progress: Double
    public var step: String

    public init(progress: Double, step: String) {
        self.progress = (progress * 1000).rounded() / 1000
        self.step = step
    }

    private enum CodingKeys: String, CodingKey { case progress, step }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        progress = try container.decode(Double.self, forKey: .progress)
        step = try container.decodeIfPresent(String.self, forKey: .step) ?? "encoding"
    }
}

/// A line of `kinora-media transcode --progressive`: every rendition with the first segments
/// all of them have whole on disk, `{"partial":[…renditions…]}`, each time that grows.
public struct WorkerPartial: Codable, Sendable, Equatable {
    public var partial: [Rendition]

    public init(partial: [Rendition]) {
        self.partial = partial
    }
}

/// One line of `kinora-media transcode`'s output: progress (and, progressive, the renditions
/// so far) while it works, the reply last.
public enum TranscodeLine: Decodable, Sendable {
    case progress(WorkerProgress)
    case partial([Rendition])
    case finished(WorkerReply<TranscodeResult>)

    private enum Keys: String, CodingKey { case progress, partial }

    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Keys.self)
        if keys.contains(.progress) {
            self = .progress(try WorkerProgress(from: decoder))
        } else if keys.contains(.partial) {
            self = .partial(try WorkerPartial(from: decoder).partial)
        } else {
            self = .finished(try WorkerReply<TranscodeResult>(from: decoder))
        }
    }
}

/// What `kinora-media avatar` made: the picture's size and the avatar sizes written.
public struct AvatarReport: Codable, Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var sizes: [Int]

    public init(width: Int, height: Int, sizes: [Int]) {
        self.width = width
        self.height = height
        self.sizes = sizes
    }
}
