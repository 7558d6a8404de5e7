import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Testing

/// The bundled HLS and DASH packagers over REAL CMAF media made with the ffmpeg CLI, checked
/// with real parsers: ffprobe/ffmpeg open and decode the manifests, xmllint validates the MPD
/// against the MPEG-DASH schema. Missing tools fail the tests (they are CI requirements).
@Suite struct PackagerTests {
    static let hlsModule = TestEnvironment.buildDirectory + "/libkinora-packager-hls.so"
    static let dashModule = TestEnvironment.buildDirectory + "/libkinora-packager-dash.so"

    let scratch: String

    init() throws { scratch = try TestEnvironment.makeTemporaryDirectory("packager") }

    // MARK: real media, real players

    @Test func hlsOverRealCMAFPlaysInFFmpegAndFollowsTheRules() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let media = try Media.make(in: scratch)
        let (registry, hls, _) = try Self.packagers()
        let (files, entry) = try await hls.package(presentation: media.presentation)
        #expect(entry == "master.m3u8")
        #expect(
            Set(files.map(\.name)) == [
                "master.m3u8", "180p/media.m3u8", "180p/iframes.m3u8", "360p/media.m3u8",
                "360p/iframes.m3u8", "aac/media.m3u8", "sub-en/media.m3u8",
            ])
        #expect(files.allSatisfy { $0.mediaType == "application/vnd.apple.mpegurl" })
        try Self.write(files, to: scratch)

        let master = try Self.read(scratch + "/master.m3u8")
        let lines = master.split(separator: "\n").map(String.init)
        #expect(lines.first == "#EXTM3U")
        #expect(lines.contains("#EXT-X-VERSION:7") && lines.contains("#EXT-X-INDEPENDENT-SEGMENTS"))
        let variants = lines.filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }.map(HLS.attributes)
        #expect(variants.count == 2)
        let audio = try #require(media.renditions["aac"])
        for variant in variants {
            let id = variant["RESOLUTION"] == "320x180" ? "180p" : "360p"
            let video = try #require(media.renditions[id])
            #expect(variant["CODECS"] == "\"\(video.codecs),mp4a.40.2,wvtt\"")
            #expect(variant["FRAME-RATE"] == "30.000")
            #expect(variant["AUDIO"] == "\"audio\"" && variant["SUBTITLES"] == "\"subs\"")
            // Peak of the variant = measured video peak + audio peak, at least.
            let bandwidth = try #require(variant["BANDWIDTH"].flatMap { Int64($0) })
            #expect(bandwidth >= video.measuredPeak + audio.measuredPeak)
            #expect(variant["AVERAGE-BANDWIDTH"].flatMap { Int64($0) }.map { $0 > 0 && $0 <= bandwidth } == true)
        }
        #expect(Set(variants.compactMap { $0["RESOLUTION"] }) == ["320x180", "640x360"])
        let media_ = lines.filter { $0.hasPrefix("#EXT-X-MEDIA:") }.map(HLS.attributes)
        let audioMedia = try #require(media_.first { $0["TYPE"] == "AUDIO" })
        #expect(audioMedia["LANGUAGE"] == "\"en\"" && audioMedia["DEFAULT"] == "YES" && audioMedia["CHANNELS"] == "\"2\"")
        #expect(audioMedia["NAME"] == "\"Director's 'cut' <&> commentary\"", "a quote cannot be escaped in HLS: it becomes an apostrophe")
        #expect(media_.contains { $0["TYPE"] == "SUBTITLES" && $0["URI"] == "\"sub-en/media.m3u8\"" })
        let iframeStreams = lines.filter { $0.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:") }.map(HLS.attributes)
        #expect(iframeStreams.count == 2 && iframeStreams.allSatisfy { $0["BANDWIDTH"] != nil && $0["CODECS"] != nil && $0["RESOLUTION"] != nil })

        for name in ["180p/media.m3u8", "360p/media.m3u8", "aac/media.m3u8", "sub-en/media.m3u8"] {
            try HLS.checkMediaPlaylist(scratch, name)
        }
        // Each I-frame entry is a real key frame: init + its byte range decodes to one frame.
        for id in ["180p", "360p"] {
            let playlist = try Self.read(scratch + "/\(id)/iframes.m3u8")
            #expect(playlist.contains("#EXT-X-I-FRAMES-ONLY") && playlist.contains("#EXT-X-MAP:URI=\"init.mp4\""))
            let ranges = HLS.byteRanges(playlist)
            #expect(ranges.count == 3)
            for (uri, length, offset) in ranges {
                let initBytes = try Data(contentsOf: URL(fileURLWithPath: scratch + "/\(id)/init.mp4"))
                let segment = try Data(contentsOf: URL(fileURLWithPath: scratch + "/\(id)/" + uri))
                let sample = scratch + "/iframe.mp4"
                try (initBytes + segment.subdata(in: offset..<offset + length)).write(to: URL(fileURLWithPath: sample))
                // (-v fatal: the cut fragment's mdat is short by design, which ffprobe reports.)
                let frames = try Tool.run(
                    "ffprobe",
                    [
                        "-v", "fatal", "-count_frames", "-select_streams", "v:0",
                        "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", sample,
                    ])
                #expect(frames.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(id)/\(uri) @\(offset)")
            }
        }

        // ffprobe sees every rendition; ffmpeg decodes everything without an error.
        let streams = try Tool.probeStreams(scratch + "/master.m3u8")
        #expect(Set(streams.filter { $0.type == "video" }.map(\.size)) == ["320x180", "640x360"])
        #expect(streams.contains { $0.type == "audio" && $0.codec == "aac" })
        // ffmpeg 5.1's HLS demuxer does not expose subtitle renditions of a master playlist:
        // probe the generated subtitle playlist itself.
        #expect(try Tool.probeStreams(scratch + "/sub-en/media.m3u8").contains { $0.type == "subtitle" && $0.codec == "webvtt" })
        try Tool.decode(scratch + "/master.m3u8")
        await registry.stopAll()
    }

    @Test func dashOverRealCMAFValidatesAgainstTheSchemaAndPlaysInFFmpeg() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let media = try Media.make(in: scratch)
        let (registry, _, dash) = try Self.packagers()
        let (files, entry) = try await dash.package(presentation: media.presentation)
        #expect(entry == "manifest.mpd" && files.map(\.name) == ["manifest.mpd"] && files.first?.mediaType == "application/dash+xml")
        try Self.write(files, to: scratch)
        let mpd = scratch + "/manifest.mpd"
        try Tool.validateMPD(mpd)

        let x = XPath(file: mpd)
        #expect(try x.string("/*[local-name()='MPD']/@type") == "static")
        #expect(try x.string("/*[local-name()='MPD']/@profiles") == "urn:mpeg:dash:profile:isoff-live:2011")
        let longest = media.renditions.values.map { Double($0.durations.reduce(0, +)) / Double($0.timescale) }.max() ?? 0
        let declared = try x.string("/*[local-name()='MPD']/@mediaPresentationDuration")
        #expect(
            declared.hasPrefix("PT") && Double(declared.dropFirst(2).dropLast()).map { abs($0 - longest) < 0.0006 } == true,
            "\(declared) vs \(longest)")
        let videoSet = "//*[local-name()='AdaptationSet'][@contentType='video']"
        #expect(try x.string(videoSet + "/@segmentAlignment") == "true" && x.string(videoSet + "/@startWithSAP") == "1")
        #expect(
            try x.string(videoSet + "/@maxWidth") == "640" && x.string(videoSet + "/@maxHeight") == "360"
                && x.string(videoSet + "/@maxFrameRate") == "30")
        let audioSet = "//*[local-name()='AdaptationSet'][@contentType='audio']"
        #expect(try x.string(audioSet + "/@lang") == "en" && x.string(audioSet + "/@segmentAlignment") == "true")
        #expect(
            try x.string(audioSet + "//*[local-name()='AudioChannelConfiguration']/@schemeIdUri")
                == "urn:mpeg:dash:23003:3:audio_channel_configuration:2011")
        #expect(try x.string(audioSet + "//*[local-name()='AudioChannelConfiguration']/@value") == "2")
        #expect(try x.string(audioSet + "/*[local-name()='Label']") == "Director's \"cut\" <&> commentary")
        let textSet = "//*[local-name()='AdaptationSet'][@contentType='text']"
        // Not cut into fMP4 by this host: the file is the one segment of a template (the
        // live profile has no bare BaseURL Representation).
        #expect(try x.string(textSet + "/@mimeType") == "text/vtt" && x.string(textSet + "//*[local-name()='SegmentTemplate']/@media") == "subtitles/en.vtt")
        #expect(try x.string(textSet + "/*[local-name()='Label']") == "English \"SDH\" & <more>")

        for (id, rendition) in media.renditions {
            let rep = "//*[local-name()='Representation'][@id='\(id)']"
            #expect(try x.string(rep + "/@codecs") == rendition.codecs)
            #expect(try Int64(x.string(rep + "/@bandwidth")).map { $0 >= rendition.measuredPeak } == true)
            let template = rep + "/*[local-name()='SegmentTemplate']"
            #expect(try x.string(template + "/@media") == "\(id)/seg-$Number%05d$.m4s")
            #expect(try x.string(template + "/@initialization") == "\(id)/init.mp4")
            #expect(try x.string(template + "/@startNumber") == "1")
            #expect(try x.string(template + "/@timescale") == "\(rendition.timescale)")
            // The timeline covers exactly the segments: sum of d × (r + 1) = total duration.
            let count = try Int(x.string("count(\(template)//*[local-name()='S'])")) ?? 0
            var total: Int64 = 0, segments: Int64 = 0
            for i in 1...max(1, count) {
                let s = "(\(template)//*[local-name()='S'])[\(i)]"
                let d = try Int64(x.string(s + "/@d")) ?? 0, r = try Int64(x.string(s + "/@r")) ?? 0
                total += d * (r + 1)
                segments += r + 1
            }
            #expect(try x.string("(\(template)//*[local-name()='S'])[1]/@t") == "0")
            #expect(total == rendition.durations.reduce(0, +) && segments == Int64(rendition.durations.count), "\(id)")
        }
        #expect(try x.string("//*[local-name()='Representation'][@id='180p']/@frameRate") == "30")

        let streams = try Tool.probeStreams(mpd)
        #expect(Set(streams.filter { $0.type == "video" }.map(\.size)) == ["320x180", "640x360"])
        #expect(streams.contains { $0.type == "audio" && $0.codec == "aac" })
        #expect(streams.contains { $0.type == "subtitle" && $0.codec == "webvtt" })
        try Tool.decode(mpd)
        await registry.stopAll()
    }

    @Test func segmentListFallbackAndAudioOnlyPlay() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let media = try Media.make(in: scratch)
        // Segment names that $Number%05d$ cannot produce: DASH falls back to SegmentList.
        var presentation = media.presentation
        var renditions = presentation["renditions"]?.arrayValue ?? []
        for (i, rendition) in renditions.enumerated() {
            guard case .object(var r) = rendition, let id = r["id"]?.stringValue else { continue }
            let segments = (r["segments"]?.arrayValue ?? []).enumerated().map { k, segment -> JSONValue in
                guard case .object(var s) = segment, let uri = s["uri"]?.stringValue else { return segment }
                let renamed = "\(id)/part_\(k).m4s"
                try? FileManager.default.copyItem(atPath: scratch + "/" + uri, toPath: scratch + "/" + renamed)
                s["uri"] = .string(renamed)
                return .object(s)
            }
            r["segments"] = .array(segments)
            renditions[i] = .object(r)
        }
        presentation = Self.setting(presentation, "renditions", .array(renditions))
        let (registry, hls, dash) = try Self.packagers()
        try Self.write(try await dash.package(presentation: presentation).files, to: scratch)
        try Tool.validateMPD(scratch + "/manifest.mpd")
        let mpd = try Self.read(scratch + "/manifest.mpd")
        // Only the caption track (its file as a template's one segment) keeps a SegmentTemplate.
        #expect(
            mpd.contains("<SegmentList") && mpd.contains("<SegmentURL media=\"180p/part_0.m4s\"/>")
                && mpd.components(separatedBy: "<SegmentTemplate").count == 2)
        try Tool.decode(scratch + "/manifest.mpd")

        // Audio only: one variant per audio rendition, CODECS without video, no RESOLUTION.
        let audioOnly = Self.setting(media.presentation, "renditions", .array(renditions.filter { $0["type"]?.stringValue == "audio" }))
        let audioDir = scratch + "/audio-only"
        try FileManager.default.createDirectory(atPath: audioDir, withIntermediateDirectories: true)
        for item in ["aac", "subtitles"] { try FileManager.default.copyItem(atPath: scratch + "/" + item, toPath: audioDir + "/" + item) }
        try Self.write(try await hls.package(presentation: audioOnly).files, to: audioDir)
        let master = try Self.read(audioDir + "/master.m3u8")
        let variant = try #require(master.split(separator: "\n").first { $0.hasPrefix("#EXT-X-STREAM-INF:") }.map { HLS.attributes(String($0)) })
        #expect(variant["CODECS"] == "\"mp4a.40.2,wvtt\"" && variant["RESOLUTION"] == nil && variant["BANDWIDTH"] != nil)
        #expect(!master.contains("TYPE=AUDIO"))
        try Tool.decode(audioDir + "/master.m3u8")
        try Self.write(try await dash.package(presentation: audioOnly).files, to: audioDir)
        try Tool.validateMPD(audioDir + "/manifest.mpd")
        try Tool.decode(audioDir + "/manifest.mpd")
        await registry.stopAll()
    }

    // MARK: protection, determinism, hostile input

    @Test func protectionIsSignalledPerProtocol() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (registry, hls, dash) = try Self.packagers()
        let kid = "0123456789abcdef0123456789ABCDEF"
        let fairplay: JSONValue = [
            "scheme": "cbcs", "kid": .string(kid), "system_id": "94ce86fb-07ff-4f43-adb8-93d2fa968ca2",
            "hls_key_uri": "skd://key-42", "hls_keyformat": "com.apple.streamingkeydelivery",
        ]
        let widevine: JSONValue = [
            "scheme": "cbcs", "kid": .string(kid), "system_id": "edef8ba979d64acea3c827dcd51d21ed",
            "pssh": "AAAAQXBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAACEiGVlUX01FRElBXzQ=", "license_url": "https://lic.example/wv?a=1&b=2",
        ]
        let protected = Self.setting(Self.minimal(), "protection", [fairplay, widevine])

        let master = try #require(try await hls.package(presentation: protected).files.first { $0.name == "master.m3u8" })
        let masterText = String(decoding: master.data, as: UTF8.self)
        #expect(
            masterText.contains(
                "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI=\"skd://key-42\",KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\""))
        let mediaText = try #require(try await hls.package(presentation: protected).files.first { $0.name == "v/media.m3u8" }).data
        #expect(String(decoding: mediaText, as: UTF8.self).contains("#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key-42\""))

        let mpd = try #require(try await dash.package(presentation: protected).files.first)
        try Self.write([mpd], to: scratch)
        try Tool.validateMPD(scratch + "/manifest.mpd")
        let x = XPath(file: scratch + "/manifest.mpd")
        let cp = "(//*[local-name()='AdaptationSet'])[1]/*[local-name()='ContentProtection']"
        #expect(try x.string(cp + "[1]/@value") == "cbcs")
        #expect(try x.string(cp + "[1]/@*[local-name()='default_KID']") == "01234567-89ab-cdef-0123-456789abcdef")
        #expect(try x.string(cp + "[@schemeIdUri='urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed']/*[local-name()='pssh']").hasPrefix("AAAAQXBzc2g"))
        #expect(try x.string(cp + "//*[local-name()='Laurl']") == "https://lic.example/wv?a=1&b=2")

        // HLS signals cbcs only; cenc alone is refused as unsupported.
        let cenc = Self.setting(Self.minimal(), "protection", [["scheme": "cenc", "kid": .string(kid)]])
        let refused = await #expect(throws: PluginCallError.self) { try await hls.package(presentation: cenc) }
        #expect(refused?.status == .unsupported && refused?.message.contains("cbcs") == true)
        let mixed = Self.setting(Self.minimal(), "protection", [["scheme": "cenc", "kid": .string(kid)], fairplay])
        #expect(try await hls.package(presentation: mixed).files.count == 4)
        // The segments carry one scheme: DASH refuses entries that disagree.
        let dashMixed = await #expect(throws: PluginCallError.self) { try await dash.package(presentation: mixed) }
        #expect(dashMixed?.status == .invalidArgument && dashMixed?.message.hasPrefix("presentation.protection[1].scheme") == true)
        await registry.stopAll()
    }

    @Test func outputIsDeterministicAndUnknownKeysAreIgnored() async throws {
        let (registry, hls, dash) = try Self.packagers()
        let plain = Self.minimal()
        var extended = Self.setting(plain, "future_key", ["nested": [1, 2, 3]])
        if case .object(var top) = extended, case .array(var rs) = top["renditions"], case .object(var r) = rs[0] {
            r["hdr"] = "pq"
            rs[0] = .object(r)
            top["renditions"] = .array(rs)
            extended = .object(top)
        }
        for packager in [hls, dash] {
            let a = try await packager.package(presentation: plain)
            let b = try await packager.package(presentation: extended)
            #expect(a.files == b.files && a.entry == b.entry)
        }
        await registry.stopAll()
    }

    @Test func growingPresentationsGetEventPlaylistsFromHLSOnly() async throws {
        let (registry, hls, dash) = try Self.packagers()
        #expect(hls.writesGrowing && !dash.writesGrowing)
        let growing = Self.setting(Self.minimal(), "complete", false)
        let (files, entry) = try await hls.packageGrowing(presentationJSON: growing.jsonString)
        #expect(entry == "master.m3u8")
        let text = { (name: String) in files.first { $0.name == name }.map { String(decoding: $0.data, as: UTF8.self) } ?? "" }
        for name in ["v/media.m3u8", "v2/media.m3u8", "a/media.m3u8"] {
            let lines = text(name).split(separator: "\n").map(String.init)
            // Players start at the beginning and reload until the complete playlist replaces it.
            #expect(lines.contains("#EXT-X-PLAYLIST-TYPE:EVENT") && lines.contains("#EXT-X-START:TIME-OFFSET=0,PRECISE=YES"), "\(name)")
            #expect(!lines.contains("#EXT-X-ENDLIST") && !lines.contains("#EXT-X-PLAYLIST-TYPE:VOD"), "\(name)")
            #expect(lines.filter { $0.hasPrefix("#EXTINF:") }.count == 2)
        }
        #expect(text("master.m3u8").contains("#EXT-X-START:TIME-OFFSET=0,PRECISE=YES"))
        // The complete presentation writes the same names as VOD playlists.
        let (complete, _) = try await hls.package(presentation: Self.minimal())
        #expect(Set(complete.map(\.name)) == Set(files.map(\.name)))
        #expect(complete.allSatisfy { !String(decoding: $0.data, as: UTF8.self).contains("EXT-X-START") })
        let refused = await #expect(throws: PluginCallError.self) { try await dash.packageGrowing(presentationJSON: growing.jsonString) }
        #expect(refused?.status == .unsupported)
        await registry.stopAll()
    }

    @Test(arguments: [
        (JSONValue.array([]), "presentation: expected an object"),
        (JSONValue.string("{\"renditions\": ["), "presentation: expected an object"),
        (JSONValue.object([:]), "presentation.renditions: required"),
        (JSONValue.object(["renditions": .array([])]), "presentation.renditions: must contain at least one rendition"),
        (PackagerTests.removing("codecs", at: 2), "presentation.renditions[2].codecs: required"),
        (PackagerTests.replacing("width", with: "wide", at: 0), "presentation.renditions[0].width: expected an integer"),
        (PackagerTests.replacing("type", with: "subtitles", at: 1), "presentation.renditions[1].type: must be \"video\" or \"audio\""),
        (PackagerTests.replacing("language", with: "en\",X=\"1", at: 2), "presentation.renditions[2].language: must be a BCP 47"),
        (PackagerTests.replacing("init", with: "../../etc/passwd", at: 0), "presentation.renditions[0].init: must be a relative path"),
        (PackagerTests.replacing("id", with: "v", at: 1), "presentation.renditions[1].id: \"v\" is used twice"),
    ])
    func malformedPresentationsAreRefusedNamingTheKey(presentation: JSONValue, message: String) async throws {
        let (registry, hls, dash) = try Self.packagers()
        for packager in [hls, dash] {
            let error = await #expect(throws: PluginCallError.self) { try await packager.package(presentation: presentation) }
            #expect(error?.status == .invalidArgument)
            #expect(error?.message.hasPrefix(message) == true, "\(packager.instance.name): \(error?.message ?? "no error")")
        }
        await registry.stopAll()
    }
}

// MARK: helpers

extension PackagerTests {
    /// A registry with one instance of each packager, loaded from the build folder.
    static func packagers() throws -> (PluginRegistry, hls: PackagerClient, dash: PackagerClient) {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
        try registry.loadModule(at: hlsModule)
        try registry.loadModule(at: dashModule)
        let errors = registry.createInstances([
            InstanceConfig(name: "hls", pluginID: "org.kinora.packager-hls"),
            InstanceConfig(name: "dash", pluginID: "org.kinora.packager-dash"),
        ])
        guard errors.isEmpty else { throw TestFailure("packagers refused: \(errors)") }
        registry.startAll()
        let clients = registry.packagers
        guard let hls = clients.first(where: { $0.instance.name == "hls" }), let dash = clients.first(where: { $0.instance.name == "dash" }) else {
            throw TestFailure("packager instances did not start: \(registry.instances.map { $0.lastError ?? "" })")
        }
        return (registry, hls, dash)
    }

    static func write(_ files: [PackagedFile], to folder: String) throws {
        for file in files {
            let path = folder + "/" + file.name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.data).write(to: URL(fileURLWithPath: path))
        }
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func setting(_ object: JSONValue, _ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = object else { return object }
        members[key] = value
        return .object(members)
    }

    /// A small synthetic presentation: video "v" and "v2", audio "a".
    static func minimal() -> JSONValue {
        func rendition(_ id: String, _ extra: [String: JSONValue]) -> JSONValue {
            var r: [String: JSONValue] = [
                "id": .string(id), "bandwidth": 500_000, "timescale": 90000, "init": .string("\(id)/init.mp4"),
                "segments": [
                    ["uri": .string("\(id)/seg-00001.m4s"), "start": 0, "duration": 360_000, "size": 200_000],
                    ["uri": .string("\(id)/seg-00002.m4s"), "start": 360_000, "duration": 180_000, "size": 90000],
                ],
            ]
            r.merge(extra) { $1 }
            return .object(r)
        }
        let video: [String: JSONValue] = ["type": "video", "codecs": "avc1.64001f", "width": 1280, "height": 720, "frame_rate": 29.97]
        return [
            "renditions": [
                rendition("v", video), rendition("v2", video.merging(["width": 640, "height": 360]) { $1 }),
                rendition("a", ["type": "audio", "codecs": "mp4a.40.2", "language": "en", "channels": 2, "sample_rate": 48000]),
            ]
        ]
    }

    static func editing(_ index: Int, _ edit: (inout [String: JSONValue]) -> Void) -> JSONValue {
        let base = minimal()
        guard case .array(var renditions) = base["renditions"], case .object(var r) = renditions[index] else { return base }
        edit(&r)
        renditions[index] = .object(r)
        return setting(base, "renditions", .array(renditions))
    }

    static func removing(_ key: String, at index: Int) -> JSONValue { editing(index) { $0[key] = nil } }
    static func replacing(_ key: String, with value: JSONValue, at index: Int) -> JSONValue { editing(index) { $0[key] = value } }
}

/// Real CMAF media: two H.264 renditions and one AAC rendition of an 11 s clip, cut into
/// 4 s fMP4 segments by ffmpeg's HLS muxer, plus a WebVTT file.
struct Media {
    struct Rendition {
        var codecs: String
        var timescale: Int64
        var durations: [Int64]
        var sizes: [Int64]
        /// Highest segment bit rate measured from the files.
        var measuredPeak: Int64 {
            zip(sizes, durations).map { Int64((Double($0) * 8 * Double(timescale) / Double($1)).rounded(.up)) }.max() ?? 0
        }
    }

    var presentation: JSONValue
    var renditions: [String: Rendition]

    static func make(in folder: String) throws -> Media {
        func hls(_ id: String) -> [String] {
            [
                "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "-start_number", "1",
                "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", "\(folder)/\(id)/seg-%05d.m4s", "\(folder)/\(id)/ffmpeg.m3u8",
            ]
        }
        let gop = ["-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-an"]
        for id in ["180p", "360p", "aac", "subtitles"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + id, withIntermediateDirectories: true)
        }
        try Tool.run(
            "ffmpeg",
            [
                "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=11",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=11",
            ]
                + ["-map", "0:v", "-s", "320x180", "-profile:v", "high", "-b:v", "300k"] + gop + hls("180p")
                + ["-map", "0:v", "-profile:v", "main", "-b:v", "800k"] + gop + hls("360p")
                + ["-map", "1:a", "-c:a", "aac", "-b:a", "96k", "-ac", "2", "-vn"] + hls("aac"))
        try "WEBVTT\n\n00:00:00.500 --> 00:00:03.000\nHello\n\n00:00:05.000 --> 00:00:09.000\n<b>World</b> & more\n"
            .write(toFile: folder + "/subtitles/en.vtt", atomically: true, encoding: .utf8)

        var renditions: [String: Rendition] = [:]
        var json: [JSONValue] = []
        for id in ["180p", "360p", "aac"] {
            // ffmpeg's own playlist only tells the segment names and durations.
            let playlist = try PackagerTests.read("\(folder)/\(id)/ffmpeg.m3u8").split(separator: "\n")
            let entries = zip(playlist, playlist.dropFirst()).compactMap { line, uri in
                line.hasPrefix("#EXTINF:") ? (Double(line.dropFirst(8).prefix { $0 != "," }) ?? 0, String(uri)) : nil
            }
            let initBytes = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(id)/init.mp4"))
            let first = "\(folder)/\(id)/probe.mp4"
            try (initBytes + Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(id)/\(entries[0].1)"))).write(to: URL(fileURLWithPath: first))
            let stream = try Tool.keyValues(
                Tool.run(
                    "ffprobe",
                    [
                        "-v", "error", "-select_streams", "0", "-show_entries",
                        "stream=codec_type,codec_name,profile,time_base,width,height,sample_rate,channels", "-of", "default=nw=1", first,
                    ]))
            let timescale = Int64(stream["time_base"]?.split(separator: "/").last ?? "") ?? 0
            guard timescale > 0 else { throw TestFailure("no time base for \(id): \(stream)") }
            let isVideo = stream["codec_type"] == "video"
            let codecs = try isVideo ? avc1(initBytes) : (stream["profile"] == "LC" ? "mp4a.40.2" : { throw TestFailure("AAC profile \(stream)") }())

            var segments: [JSONValue] = []
            var start: Int64 = 0
            var durations: [Int64] = [], sizes: [Int64] = []
            for (seconds, name) in entries {
                let path = "\(folder)/\(id)/\(name)"
                let duration = Int64((seconds * Double(timescale)).rounded())
                let size = Int64(try Data(contentsOf: URL(fileURLWithPath: path)).count)
                var segment: [String: JSONValue] = [
                    "uri": .string("\(id)/\(name)"), "start": .integer(start), "duration": .integer(duration), "size": .integer(size),
                ]
                if isVideo { segment["iframe"] = try keyFrameRange(initBytes, segment: path, scratch: first) }
                segments.append(.object(segment))
                durations.append(duration)
                sizes.append(size)
                start += duration
            }
            renditions[id] = Rendition(codecs: codecs, timescale: timescale, durations: durations, sizes: sizes)
            var r: [String: JSONValue] = [
                "id": .string(id), "type": .string(isVideo ? "video" : "audio"), "codecs": .string(codecs),
                "timescale": .integer(timescale), "init": .string("\(id)/init.mp4"), "segments": .array(segments),
                "some_future_key": ["x": true],
            ]
            if isVideo {
                r["width"] = .integer(Int64(stream["width"] ?? "") ?? 0)
                r["height"] = .integer(Int64(stream["height"] ?? "") ?? 0)
                r["frame_rate"] = 30.0
                r["bandwidth"] = id == "180p" ? 300_000 : 800_000  // nominal: below the real peaks
                r["average_bandwidth"] = id == "180p" ? 250_000 : 700_000
            } else {
                r["bandwidth"] = 96000
                r["language"] = "en"
                r["label"] = "Director's \"cut\" <&> commentary"
                r["default"] = true
                r["channels"] = .integer(Int64(stream["channels"] ?? "") ?? 0)
                r["sample_rate"] = .integer(Int64(stream["sample_rate"] ?? "") ?? 0)
            }
            json.append(.object(r))
            try FileManager.default.removeItem(atPath: first)
        }
        let presentation: JSONValue = [
            "video_id": "test-video", "segment_duration": 4.0, "published": true, "renditions": .array(json),
            "text_tracks": [
                [
                    "id": "sub-en", "language": "en", "label": "English \"SDH\" & <more>", "default": false,
                    "uri": "subtitles/en.vtt", "duration": 11.0,
                ]
            ],
        ]
        return Media(presentation: presentation, renditions: renditions)
    }

    /// RFC 6381 avc1.PPCCLL from the avcC box of the init segment.
    static func avc1(_ initBytes: Data) throws -> String {
        guard let box = initBytes.range(of: Data("avcC".utf8)), box.upperBound + 4 <= initBytes.count else {
            throw TestFailure("no avcC box in the init segment")
        }
        let bytes = initBytes[(box.upperBound + 1)..<(box.upperBound + 4)]
        return "avc1." + bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// The bytes from the segment's start through its first (key) frame, found by ffprobe in
    /// init + segment.
    static func keyFrameRange(_ initBytes: Data, segment: String, scratch: String) throws -> JSONValue {
        try (initBytes + Data(contentsOf: URL(fileURLWithPath: segment))).write(to: URL(fileURLWithPath: scratch))
        let packet = try Tool.keyValues(
            Tool.run(
                "ffprobe",
                [
                    "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                    "-show_entries", "packet=pos,size,flags", "-of", "default=nw=1", scratch,
                ]))
        guard packet["flags"]?.hasPrefix("K") == true, let pos = Int64(packet["pos"] ?? ""), let size = Int64(packet["size"] ?? "") else {
            throw TestFailure("first packet of \(segment) is not a key frame: \(packet)")
        }
        return ["offset": 0, "size": .integer(pos - Int64(initBytes.count) + size)]
    }
}

/// The ffmpeg, ffprobe and xmllint command-line tools. They are test requirements: a missing
/// tool fails the test instead of skipping it.
enum Tool {
    static func path(_ name: String) throws -> String {
        for folder in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        throw TestFailure("\(name) is required by the packager tests but was not found: install ffmpeg and libxml2-utils")
    }

    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> String {
        let result = try TestEnvironment.run(path(name), arguments)
        guard result.status == 0 else {
            throw TestFailure("\(name) \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.output.suffix(3000))")
        }
        return result.output
    }

    static func keyValues(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return values
    }

    /// Subtitles end in .vtt, which ffmpeg's HLS and DASH demuxers only open when told.
    static func inputOptions(_ manifest: String) -> [String] { ["-allowed_extensions", "ALL"] }

    static func probeStreams(_ manifest: String) throws -> [(type: String, codec: String, size: String)] {
        let output = try run(
            "ffprobe",
            ["-v", "error"] + inputOptions(manifest) + [
                "-show_entries", "stream=codec_type,codec_name,width,height",
                "-of", "compact=p=0:nk=0", manifest,
            ])
        return output.split(separator: "\n").map { line in
            let v = keyValues(line.split(separator: "|").joined(separator: "\n"))
            return (v["codec_type"] ?? "", v["codec_name"] ?? "", "\(v["width"] ?? "")x\(v["height"] ?? "")")
        }
    }

    /// Decodes every stream; any error message fails.
    static func decode(_ manifest: String) throws {
        let output = try run(
            "ffmpeg", ["-v", "error", "-nostdin"] + inputOptions(manifest) + ["-i", manifest, "-map", "0", "-c:s", "copy", "-f", "null", "-"])
        guard output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw TestFailure("ffmpeg reported errors for \(manifest):\n\(output)")
        }
    }

    /// Schema validation where a copy of the schema is configured (``DASHSchema``).
    static func validateMPD(_ mpd: String) throws {
        guard let result = try DASHSchema.validate(file: mpd) else { return }
        guard result.status == 0 else { throw TestFailure("\(mpd) is not valid against the DASH schema:\n\(result.output)") }
    }
}

/// XPath 1.0 queries through xmllint (a real XML parser).
struct XPath {
    let file: String
    func string(_ expression: String) throws -> String {
        let wrapped = expression.hasPrefix("count(") ? expression : "string(\(expression))"
        var value = try Tool.run("xmllint", ["--xpath", wrapped, file])
        if value.hasSuffix("\n") { value.removeLast() }
        return value
    }
}

/// Playlist parsing for the HLS rules.
enum HLS {
    /// `#TAG:A=1,B="x,y"` as ["A": "1", "B": "\"x,y\""].
    static func attributes(_ line: String) -> [String: String] {
        guard let colon = line.firstIndex(of: ":") else { return [:] }
        var result: [String: String] = [:]
        var current = "", quoted = false
        for c in line[line.index(after: colon)...] + "," {
            if c == "\"" { quoted.toggle() }
            if c == "," && !quoted {
                if let eq = current.firstIndex(of: "=") { result[String(current[..<eq])] = String(current[current.index(after: eq)...]) }
                current = ""
            } else {
                current.append(c)
            }
        }
        return result
    }

    static func checkMediaPlaylist(_ folder: String, _ name: String) throws {
        let text = try PackagerTests.read(folder + "/" + name)
        let lines = text.split(separator: "\n").map(String.init)
        let target = try #require(lines.first { $0.hasPrefix("#EXT-X-TARGETDURATION:") }.flatMap { Int($0.dropFirst(22)) }, "\(name)")
        let durations = lines.filter { $0.hasPrefix("#EXTINF:") }.compactMap { Double($0.dropFirst(8).prefix { $0 != "," }) }
        // RFC 8216 §4.3.3.1: each EXTINF rounded to the nearest integer is at most the target.
        #expect(!durations.isEmpty && durations.allSatisfy { $0.rounded() <= Double(target) }, "\(name): \(durations) > \(target)")
        #expect(
            lines.filter { $0.hasPrefix("#EXTINF:") }.allSatisfy {
                $0.split(separator: ":")[1].split(separator: ",")[0].split(separator: ".").last?.count == 3
            })
        #expect(lines.first == "#EXTM3U" && lines.last == "#EXT-X-ENDLIST", "\(name)")
        #expect(lines.contains("#EXT-X-PLAYLIST-TYPE:VOD") && lines.contains("#EXT-X-MEDIA-SEQUENCE:0") && lines.contains("#EXT-X-VERSION:7"))
        if !name.hasPrefix("sub-") { #expect(lines.contains("#EXT-X-MAP:URI=\"init.mp4\""), "\(name)") }
        // Every URI resolves, relative to the playlist's own folder.
        let base = (folder + "/" + name as NSString).deletingLastPathComponent
        for uri in lines.filter({ !$0.hasPrefix("#") && !$0.isEmpty }) {
            #expect(FileManager.default.fileExists(atPath: (base as NSString).appendingPathComponent(uri)), "\(name): \(uri)")
        }
    }

    static func byteRanges(_ playlist: String) -> [(uri: String, length: Int, offset: Int)] {
        let lines = playlist.split(separator: "\n").map(String.init)
        return zip(lines, lines.dropFirst()).compactMap { line, uri in
            guard line.hasPrefix("#EXT-X-BYTERANGE:") else { return nil }
            let parts = line.dropFirst(17).split(separator: "@")
            guard parts.count == 2, let length = Int(parts[0]), let offset = Int(parts[1]) else { return nil }
            return (uri, length, offset)
        }
    }
}
