import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Testing

/// The packagers over hand-written presentations carrying issue 16's contract keys (audio
/// `language`, `name`, `default`, `group`; caption `vtt_segments` and `mp4`): the HLS and DASH
/// rules a player or a conformance checker holds them to.
@Suite struct ManifestContractTests {
    let scratch: String

    init() throws { scratch = try TestEnvironment.makeTemporaryDirectory("manifests") }

    // MARK: presentations

    /// Consecutive segments of `durations`, each `bytesPerSecond` × its length in size.
    static func segments(_ id: String, timescale: Int64, durations: [Int64], bytesPerSecond: Int64, ext: String = "m4s") -> JSONValue {
        var start: Int64 = 0
        var list: [JSONValue] = []
        for (k, d) in durations.enumerated() {
            let n = String(k + 1)
            let name = "\(id)/seg-" + String(repeating: "0", count: 5 - n.count) + n + "." + ext
            let size = max(1, bytesPerSecond * d / timescale)
            list.append(["uri": .string(name), "start": .integer(start), "duration": .integer(d), "size": .integer(size)])
            start += d
        }
        return .array(list)
    }

    static func video(_ id: String, _ width: Int64, _ height: Int64, bandwidth: Int64) -> JSONValue {
        [
            "id": .string(id), "type": "video", "codecs": "avc1.64001f", "bandwidth": .integer(bandwidth),
            "width": .integer(width), "height": .integer(height), "frame_rate": 30.0, "timescale": 90000,
            "init": .string("\(id)/init.mp4"),
            "segments": segments(id, timescale: 90000, durations: [360_000, 360_000, 90000], bytesPerSecond: bandwidth / 8 / 2),
        ]
    }

    static func audio(_ id: String, language: String?, name: String?, group: String?, channels: Int64, isDefault: Bool) -> JSONValue {
        var r: [String: JSONValue] = [
            "id": .string(id), "type": "audio", "codecs": group?.hasPrefix("ec3") == true ? "ec-3" : "mp4a.40.2",
            "bandwidth": .integer(channels > 2 ? 384_000 : 128_000), "channels": .integer(channels), "sample_rate": 48000,
            "timescale": 48000, "init": .string("\(id)/init.mp4"),
            // AAC frames: 4.011 s, 3.989 s, 1 s; the video's are 4, 4, 1.
            "segments": segments(id, timescale: 48000, durations: [192_512, 191_488, 48000], bytesPerSecond: 15000),
        ]
        if let language { r["language"] = .string(language) }
        if let name { r["name"] = .string(name) }
        if let group { r["group"] = .string(group) }
        if isDefault { r["default"] = true }
        return .object(r)
    }

    /// Four rungs (the 1.6 Mbit/s one nearest 2 Mbit/s with audio), English and French
    /// stereo, English 5.1; English (default) and French captions cut into segments.
    static func multiAudio() -> JSONValue {
        [
            "video_id": "v1",
            "renditions": [
                video("240p", 426, 240, bandwidth: 400_000), video("480p", 854, 480, bandwidth: 1_000_000),
                video("720p", 1280, 720, bandwidth: 1_600_000), video("1080p", 1920, 1080, bandwidth: 4_500_000),
                audio("audio-en", language: "en", name: "English", group: "aac-2ch", channels: 2, isDefault: true),
                audio("audio-en-6ch", language: "en", name: "English (5.1)", group: "aac-6ch", channels: 6, isDefault: true),
                audio("audio-fr", language: "fr", name: "Français", group: "aac-2ch", channels: 2, isDefault: false),
            ],
            "text_tracks": [textTrack("en", isDefault: true), textTrack("fr", isDefault: false)],
        ]
    }

    static func textTrack(_ language: String, isDefault: Bool) -> JSONValue {
        let id = "text-\(language)"
        return [
            "id": .string(id), "language": .string(language), "label": .string(language == "en" ? "English" : "Français"),
            "default": .bool(isDefault), "uri": .string("captions/\(language).vtt"), "duration": 9.0, "size": 900,
            "vtt_segments": ["timescale": 1000, "segments": segments(id, timescale: 1000, durations: [4000, 4000, 1000], bytesPerSecond: 30, ext: "vtt")],
            "mp4": [
                "codecs": "wvtt", "timescale": 1000, "init": .string("\(id)/init.mp4"),
                "segments": segments(id, timescale: 1000, durations: [4000, 4000, 1000], bytesPerSecond: 50),
            ],
        ]
    }

    static func text(_ file: PackagedFile) -> String { String(decoding: file.data, as: UTF8.self) }

    static func file(_ files: [PackagedFile], _ name: String) throws -> String {
        try text(#require(files.first { $0.name == name }, "no \(name) in \(files.map(\.name))"))
    }

    // MARK: HLS

    @Test func hlsGroupsAudioByLayoutWithLanguagesAndListsEachVariantOncePerGroup() async throws {
        let (registry, hls, _) = try PackagerTests.packagers()
        let files = try await hls.package(presentation: Self.multiAudio()).files
        let master = try Self.file(files, "master.m3u8")
        let lines = master.split(separator: "\n").map(String.init)
        let audio = lines.filter { $0.hasPrefix("#EXT-X-MEDIA:TYPE=AUDIO") }.map(HLS.attributes)
        #expect(audio.count == 3, "\(master)")
        let en = try #require(audio.first { $0["URI"] == "\"audio-en/media.m3u8\"" })
        #expect(en["GROUP-ID"] == "\"aac-2ch\"" && en["LANGUAGE"] == "\"en\"" && en["NAME"] == "\"English\"")
        #expect(en["DEFAULT"] == "YES" && en["AUTOSELECT"] == "YES" && en["CHANNELS"] == "\"2\"")
        let fr = try #require(audio.first { $0["URI"] == "\"audio-fr/media.m3u8\"" })
        #expect(fr["GROUP-ID"] == "\"aac-2ch\"" && fr["LANGUAGE"] == "\"fr\"" && fr["NAME"] == "\"Français\"" && fr["DEFAULT"] == "NO")
        let surround = try #require(audio.first { $0["URI"] == "\"audio-en-6ch/media.m3u8\"" })
        #expect(surround["GROUP-ID"] == "\"aac-6ch\"" && surround["CHANNELS"] == "\"6\"" && surround["DEFAULT"] == "YES")
        #expect(surround["NAME"] == "\"English (5.1)\"" && surround["LANGUAGE"] == "\"en\"")

        // Every rung once per group, the stereo group's first; the rung nearest 2 Mbit/s
        // (720p: 1.6 Mbit/s video + audio) leads each group.
        let variants = lines.filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }.map(HLS.attributes)
        #expect(variants.count == 8, "\(master)")
        #expect(variants.prefix(4).allSatisfy { $0["AUDIO"] == "\"aac-2ch\"" } && variants.suffix(4).allSatisfy { $0["AUDIO"] == "\"aac-6ch\"" })
        #expect(variants[0]["RESOLUTION"] == "1280x720" && variants[4]["RESOLUTION"] == "1280x720", "\(master)")
        #expect(Set(variants.prefix(4).compactMap { $0["RESOLUTION"] }).count == 4)
        // CODECS names the audio and, with a SUBTITLES group, wvtt (RFC 8216 §4.3.4.2).
        #expect(variants.allSatisfy { $0["SUBTITLES"] == "\"subs\"" && $0["CODECS"]?.hasSuffix(",mp4a.40.2,wvtt\"") == true }, "\(master)")
        // BANDWIDTH counts the heaviest audio of the variant's group.
        let stereo720 = try #require(variants.first { $0["AUDIO"] == "\"aac-2ch\"" && $0["RESOLUTION"] == "1280x720" })
        let surround720 = try #require(variants.first { $0["AUDIO"] == "\"aac-6ch\"" && $0["RESOLUTION"] == "1280x720" })
        #expect(Int(surround720["BANDWIDTH"] ?? "") ?? 0 > Int(stereo720["BANDWIDTH"] ?? "") ?? .max)
        await registry.stopAll()
    }

    @Test func everyHLSMediaPlaylistHasOneTargetDurationAndSubtitlesCarrySegments() async throws {
        let (registry, hls, _) = try PackagerTests.packagers()
        let files = try await hls.package(presentation: Self.multiAudio()).files
        var targets: [String: Int] = [:]
        for file in files where file.name != "master.m3u8" {
            let lines = Self.text(file).split(separator: "\n")
            let target = try #require(lines.first { $0.hasPrefix("#EXT-X-TARGETDURATION:") }.flatMap { Int($0.dropFirst(22)) })
            targets[file.name] = target
            // RFC 8216 §4.3.3.1: each EXTINF rounded to the nearest integer ≤ the target.
            for line in lines where line.hasPrefix("#EXTINF:") {
                let seconds = try #require(Double(line.dropFirst(8).prefix { $0 != "," }))
                #expect(Int(seconds.rounded()) <= target, "\(file.name): \(line) over \(target)")
            }
        }
        // Audio's 4.011 s segments round to 4: the same target as the video's, everywhere.
        #expect(Set(targets.values) == [4], "\(targets)")
        let subtitles = try Self.file(files, "text-en/media.m3u8")
        #expect(subtitles.contains("#EXTINF:4.000,\nseg-00001.vtt\n#EXTINF:4.000,\nseg-00002.vtt\n#EXTINF:1.000,\nseg-00003.vtt\n"), "\(subtitles)")

        // A 4.6 s segment anywhere raises every playlist's target to 5.
        var longer = Self.multiAudio()
        if case .object(var top) = longer, case .array(var rs) = top["renditions"], case .object(var a) = rs[4] {
            a["segments"] = Self.segments("audio-en", timescale: 48000, durations: [220_800, 163_200, 48000], bytesPerSecond: 15000)
            rs[4] = .object(a)
            top["renditions"] = .array(rs)
            longer = .object(top)
        }
        let raised = try await hls.package(presentation: longer).files.filter { $0.name != "master.m3u8" }
        #expect(raised.allSatisfy { Self.text($0).contains("#EXT-X-TARGETDURATION:5\n") })
        await registry.stopAll()
    }

    @Test func aClassicSingleAudioRenditionKeepsItsLanguageOrSaysUndetermined() async throws {
        let (registry, hls, dash) = try PackagerTests.packagers()
        // minimal(): one "a" rendition with language "en", no group: GROUP-ID stays "audio".
        let master = try Self.file(try await hls.package(presentation: PackagerTests.minimal()).files, "master.m3u8")
        let media = try #require(master.split(separator: "\n").first { $0.hasPrefix("#EXT-X-MEDIA:TYPE=AUDIO") }.map { HLS.attributes(String($0)) })
        #expect(media["GROUP-ID"] == "\"audio\"" && media["LANGUAGE"] == "\"en\"" && media["DEFAULT"] == "YES")
        // Without a language: "und" (Apple's authoring spec 8.10 requires LANGUAGE).
        let unknown = PackagerTests.removing("language", at: 2)
        let master2 = try Self.file(try await hls.package(presentation: unknown).files, "master.m3u8")
        #expect(master2.contains("LANGUAGE=\"und\""), "\(master2)")
        let mpd = try Self.file(try await dash.package(presentation: unknown).files, "manifest.mpd")
        #expect(mpd.contains("contentType=\"audio\" mimeType=\"audio/mp4\" lang=\"und\""), "\(mpd)")
        await registry.stopAll()
    }

    // MARK: DASH

    @Test func dashHasASetPerGroupAndLanguageWithRolesAndCaptionsAsWVTTSegments() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (registry, _, dash) = try PackagerTests.packagers()
        let files = try await dash.package(presentation: Self.multiAudio()).files
        try PackagerTests.write(files, to: scratch)
        let mpd = scratch + "/manifest.mpd"
        try Tool.validateMPD(mpd)
        let x = XPath(file: mpd)
        let audio = "//*[local-name()='AdaptationSet'][@contentType='audio']"
        #expect(try x.string("count(\(audio))") == "3")
        func set(_ rep: String) -> String { "\(audio)[*[local-name()='Representation'][@id='\(rep)']]" }
        let role = "/*[local-name()='Role'][@schemeIdUri='urn:mpeg:dash:role:2011']/@value"
        #expect(try x.string(set("audio-en") + "/@lang") == "en" && x.string(set("audio-en") + role) == "main")
        #expect(try x.string(set("audio-fr") + "/@lang") == "fr" && x.string(set("audio-fr") + role) == "alternate")
        #expect(try x.string(set("audio-en-6ch") + "/@lang") == "en" && x.string(set("audio-en-6ch") + role) == "main")
        #expect(try x.string(set("audio-fr") + "/*[local-name()='Label']") == "Français")
        #expect(try x.string(set("audio-en-6ch") + "//*[local-name()='AudioChannelConfiguration']/@value") == "6")
        #expect(try x.string(set("audio-fr") + "//*[local-name()='AudioChannelConfiguration']/@value") == "2")
        #expect(try x.string(set("audio-fr") + "/@segmentAlignment") == "true")

        // DASH-IF: the video set says its picture and sample aspect ratios.
        let video = "//*[local-name()='AdaptationSet'][@contentType='video']"
        #expect(try x.string(video + "/@par") == "16:9" && x.string(video + "/@sar") == "1:1")
        #expect(try x.string(video + "/@maxWidth") == "1920" && x.string(video + "/@maxHeight") == "1080")

        // Captions: fMP4 wvtt by SegmentTemplate (the live profile), aligned; the default
        // track has Role main, as HLS says DEFAULT=YES.
        let text = "//*[local-name()='AdaptationSet'][@contentType='text']"
        #expect(try x.string("count(\(text))") == "2")
        let en = text + "[@lang='en']"
        #expect(try x.string(en + "/@mimeType") == "application/mp4" && x.string(en + "/@codecs") == "wvtt")
        #expect(try x.string(en + "/@segmentAlignment") == "true")
        #expect(try x.string("count(\(en)/*[local-name()='Role'][@value='main'])") == "1")
        #expect(try x.string("count(\(text)[@lang='fr']/*[local-name()='Role'][@value='main'])") == "0")
        #expect(try x.string("count(\(text)[@lang='fr']/*[local-name()='Role'][@value='subtitle'])") == "1")
        let template = en + "//*[local-name()='SegmentTemplate']"
        #expect(try x.string(template + "/@initialization") == "text-en/init.mp4")
        #expect(try x.string(template + "/@media") == "text-en/seg-$Number%05d$.m4s" && x.string(template + "/@timescale") == "1000")
        #expect(try x.string("count(\(text)//*[local-name()='BaseURL'])") == "0")
        await registry.stopAll()
    }

    @Test func dashCaptionsWithoutACutStayWithinTheLiveProfile() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (registry, _, dash) = try PackagerTests.packagers()
        let presentation = PackagerTests.setting(
            PackagerTests.minimal(), "text_tracks",
            [["id": "text-en", "language": "en", "label": "English", "default": true, "uri": "captions/en.vtt", "duration": 6.0, "size": 100]])
        let files = try await dash.package(presentation: presentation).files
        try PackagerTests.write(files, to: scratch)
        try Tool.validateMPD(scratch + "/manifest.mpd")
        let x = XPath(file: scratch + "/manifest.mpd")
        let text = "//*[local-name()='AdaptationSet'][@contentType='text']"
        #expect(try x.string("count(\(text)//*[local-name()='BaseURL'])") == "0")
        #expect(try x.string(text + "//*[local-name()='SegmentTemplate']/@media") == "captions/en.vtt")
        #expect(try x.string(text + "//*[local-name()='S']/@d") == "6000")
        #expect(try x.string("count(\(text)/*[local-name()='Role'][@value='main'])") == "1")
        await registry.stopAll()
    }

    @Test func contractKeysAreValidated() async throws {
        let (registry, hls, dash) = try PackagerTests.packagers()
        let badGroup = PackagerTests.replacing("group", with: "aac 2ch\",X=\"", at: 2)
        for packager in [hls, dash] {
            let error = await #expect(throws: PluginCallError.self) { try await packager.package(presentation: badGroup) }
            #expect(error?.message.hasPrefix("presentation.renditions[2].group:") == true, "\(error?.message ?? "")")
        }
        await registry.stopAll()
    }
}
