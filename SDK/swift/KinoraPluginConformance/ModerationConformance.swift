import KinoraPluginABI
import KinoraJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The behaviour every `kinora.moderation/1` instance must show, whatever it detects: a
/// well-formed verdict for each media type it handles of those the daemon sends (text, and
/// JPEG images for a video's pictures; a classifier of one kind answers `UNSUPPORTED` for
/// the other, which the daemon counts as a pass), undecodable input refused cleanly, a
/// reader's failure passed on, unknown media refused or classified, and exactly one
/// completion per call.
///
/// ```swift
/// let verdict = try ModerationConformance.classify(plugin, text: "hello")
/// print(verdict)  // {"labels":[]}
/// ```
public enum ModerationConformance {
    /// The media type the daemon uses for text.
    public static let textType = "text/plain; charset=utf-8"

    static func make(_ name: String, _ summary: String, _ body: @escaping @Sendable (PluginUnderTest) throws -> Void) -> ConformanceCase {
        ConformanceCase(interface: KN_MODERATION_ID, name: name, summary: summary, body: body)
    }

    /// The media type of the daemon's pictures (a video's poster and frames).
    public static let imageType = "image/jpeg"

    public static let cases: [ConformanceCase] = [
        make("text-verdict", "text gets a JSON object with labels, scores in [0,1], highest first (or unsupported)", textVerdict),
        make("empty-input", "empty text gets a well-formed verdict (or unsupported)", emptyInput),
        make("image-verdict", "a JPEG image gets a well-formed verdict (or unsupported)", imageVerdict),
        make("undecodable-image", "empty or damaged image/jpeg input is refused as invalid argument (or unsupported)", undecodableImage),
        make("failing-reader", "a reader failing with I/O error fails the call with I/O error (or cancelled)", failingReader),
        make("unsupported-type", "an unknown media type is refused as unsupported or classified", unsupportedType),
        make("handles-a-type", "text or JPEG images, what the daemon sends, are classified: not both refused", handlesAType),
        make("completes-once", "every call completes exactly once, on success and on failure", completesOnce),
    ]

    /// Classifies `source`'s bytes as `mediaType` and returns the plugin's JSON verdict.
    ///
    /// - Throws: ``PluginCallFailure`` when the plugin refused.
    public static func classify(_ plugin: PluginUnderTest, mediaType: String = textType, source: ChunkSource) throws -> String {
        try classifyKeepingBox(plugin, mediaType: mediaType, source: source).0.get()
    }

    /// Classifies UTF-8 text.
    public static func classify(_ plugin: PluginUnderTest, text: String) throws -> String {
        try classify(plugin, source: ChunkSource(bytes: Array(text.utf8)))
    }

    static func classifyKeepingBox(_ plugin: PluginUnderTest, mediaType: String, source: ChunkSource) throws -> (Result<String, any Error>, CallBox) {
        guard let table = plugin.table(KN_MODERATION_ID, as: kn_moderation_v1_t.self) else {
            throw ConformanceFailure("the instance returns no \(KN_MODERATION_ID) table")
        }
        guard let classify = table.pointee.classify else { throw ConformanceFailure("\(KN_MODERATION_ID): the table's classify is NULL") }
        let reader = ReaderBox(source)
        return PluginCallRunner.performKeepingBox(
            plugin, what: "classify",
            decode: { p -> String in
                guard let p else { throw ConformanceFailure("classify reported success without a result") }
                return String(cString: p.assumingMemoryBound(to: CChar.self))
            }
        ) { call, done, box in
            box.keepAlive.append(reader)
            classify(plugin.raw, call, box.cString(mediaType), reader.reader, done)
        }
    }

    /// Checks the shape of a verdict: an object whose `labels` is an array of objects with a
    /// string `name` and a `score` in [0,1], in non-increasing score order.
    public static func checkVerdict(_ json: String) throws {
        let verdict: JSONValue
        do { verdict = try JSONValue(parsing: json) } catch { throw ConformanceFailure("the verdict is not JSON (\(error)): \(json.prefix(200))") }
        guard case .object = verdict else { throw ConformanceFailure("the verdict is not a JSON object: \(json.prefix(200))") }
        guard case .array(let labels) = verdict["labels"] else {
            throw ConformanceFailure("the verdict has no \"labels\" array: \(json.prefix(200))")
        }
        var previous = Double.infinity
        for (i, label) in labels.enumerated() {
            guard case .string(let name) = label["name"], !name.isEmpty else { throw ConformanceFailure("labels[\(i)] has no name") }
            guard let score = label["score"]?.doubleValue else { throw ConformanceFailure("labels[\(i)] (\(name)) has no numeric score") }
            try expect((0...1).contains(score), "labels[\(i)] (\(name)) has score \(score), outside [0,1]")
            try expect(score <= previous, "labels[\(i)] (\(name)) scores \(score), above the label before it: not highest first")
            previous = score
        }
    }

    /// Runs `body`, a classification of `mediaType`; an `UNSUPPORTED` answer passes (the
    /// plugin does not handle that type). Returns whether the plugin handled it.
    @discardableResult
    static func unlessUnsupported(_ mediaType: String, _ body: () throws -> Void) throws -> Bool {
        do {
            try body()
            return true
        } catch let error as PluginCallFailure where error.status == KN_E_UNSUPPORTED {
            return false
        }
    }

    static func textVerdict(_ plugin: PluginUnderTest) throws {
        let text =
            "Hello, this is an ordinary comment about a video. Ünïcödé and emoji 🎬 included.\n"
            + String(repeating: "filler words ", count: 2000)
        try unlessUnsupported(textType) { try checkVerdict(try classify(plugin, text: text)) }
    }

    static func emptyInput(_ plugin: PluginUnderTest) throws {
        try unlessUnsupported(textType) { try checkVerdict(try classify(plugin, text: "")) }
    }

    static func imageVerdict(_ plugin: PluginUnderTest) throws {
        try unlessUnsupported(imageType) {
            try checkVerdict(try classify(plugin, mediaType: imageType, source: ChunkSource(bytes: ModerationSamples.redJPEG)))
        }
    }

    /// Nothing, bytes that are no image, and a JPEG cut short: an image classifier refuses
    /// each as invalid argument (never a crash, never a verdict on pixels it made up).
    static func undecodableImage(_ plugin: PluginUnderTest) throws {
        let samples: [(String, [UInt8])] = [
            ("empty input", []),
            ("bytes that are not an image", Array("this is not a JPEG image, only words".utf8)),
            ("a JPEG cut short", Array(ModerationSamples.redJPEG.prefix(ModerationSamples.redJPEG.count / 2))),
        ]
        for (what, bytes) in samples {
            do {
                let verdict = try classify(plugin, mediaType: imageType, source: ChunkSource(bytes: bytes))
                throw ConformanceFailure("image/jpeg, \(what): expected invalid argument, but it answered \(verdict.prefix(200))")
            } catch let error as PluginCallFailure {
                if error.status == KN_E_UNSUPPORTED { return }
                try expect(error.status == KN_E_INVALID_ARGUMENT, "image/jpeg, \(what): expected invalid argument, got \(error)")
            }
        }
    }

    /// Some bytes, then KN_E_IO.
    static func failingSource(_ first: [UInt8] = Array("some words before the stream breaks ".utf8)) -> ChunkSource {
        var sent = false
        return ChunkSource {
            if sent { throw ConformanceFailure("injected read failure") }
            sent = true
            return first
        }
    }

    /// For each type the plugin handles: its reader fails after the first bytes.
    static func failingReader(_ plugin: PluginUnderTest) throws {
        let cases: [(String, [UInt8], ChunkSource)] = [
            (textType, Array("hello".utf8), failingSource()),
            (imageType, ModerationSamples.redJPEG, failingSource(Array(ModerationSamples.redJPEG.prefix(64)))),
        ]
        for (type, sample, source) in cases {
            do {
                _ = try classify(plugin, mediaType: type, source: source)
                throw ConformanceFailure("classify (\(type)) with a reader failing with I/O error: expected I/O error or cancelled, but it succeeded")
            } catch let error as PluginCallFailure {
                if error.status == KN_E_IO || error.status == KN_E_CANCELLED { continue }
                // Refusing the type is right only for a type the plugin never handles.
                if error.status == KN_E_UNSUPPORTED {
                    let handled = try unlessUnsupported(type) { _ = try classify(plugin, mediaType: type, source: ChunkSource(bytes: sample)) }
                    if !handled { continue }
                }
                throw ConformanceFailure("classify (\(type)) with a reader failing with I/O error: expected I/O error or cancelled, got \(error)")
            }
        }
    }

    static func unsupportedType(_ plugin: PluginUnderTest) throws {
        let bytes: [UInt8] = [0x00, 0xFF, 0x10, 0x80] + Array(repeating: 0xAB, count: 1000)
        do {
            try checkVerdict(try classify(plugin, mediaType: "application/x-kinora-conformance", source: ChunkSource(bytes: bytes)))
        } catch let error as PluginCallFailure {
            try expect(error.status == KN_E_UNSUPPORTED, "an unknown media type: expected unsupported or a verdict, got \(error)")
        }
    }

    static func handlesAType(_ plugin: PluginUnderTest) throws {
        var refused: [String] = []
        for (type, bytes) in [(textType, Array("hello".utf8)), (imageType, ModerationSamples.redJPEG)] {
            do {
                _ = try classify(plugin, mediaType: type, source: ChunkSource(bytes: bytes))
                return
            } catch let error as PluginCallFailure where error.status == KN_E_UNSUPPORTED {
                refused.append(type)
            } catch let error as PluginCallFailure {
                refused.append("\(type) (\(error))")
            }
        }
        throw ConformanceFailure("neither text nor a JPEG image was classified: \(refused.joined(separator: "; "))")
    }

    static func completesOnce(_ plugin: PluginUnderTest) throws {
        let calls = [
            ("text", try classifyKeepingBox(plugin, mediaType: textType, source: ChunkSource(bytes: Array("hello".utf8))).1),
            ("failing reader", try classifyKeepingBox(plugin, mediaType: textType, source: failingSource()).1),
            ("image", try classifyKeepingBox(plugin, mediaType: imageType, source: ChunkSource(bytes: ModerationSamples.redJPEG)).1),
            ("damaged image", try classifyKeepingBox(plugin, mediaType: imageType, source: ChunkSource(bytes: [0xFF, 0xD8, 0xFF])).1),
            ("unknown type", try classifyKeepingBox(plugin, mediaType: "application/x-kinora-conformance", source: ChunkSource(bytes: [1])).1),
        ]
        // A second completion usually follows the first at once; give a late one time to show.
        usleep(200_000)
        for (what, box) in calls {
            try expect(box.completions == 1, "classify (\(what)) completed \(box.completions) times")
        }
    }
}
