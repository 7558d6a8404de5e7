import Foundation
import KinoraMediaContract
import KinoraPluginKit
import Testing

/// The presentation crosses the C ABI as text: the daemon encodes the contract's
/// `Presentation`, a packager decodes it with the kit's tolerant `PackagerPresentation`. These
/// tests hold the two ends, and the sample in `kinora/plugin.h`, to one shape.
@Suite struct PresentationContractTests {
    /// A presentation with every member the daemon can send present at least once.
    static let daemonPresentation = Presentation(
        videoID: "f3a9c0d2e4b6a8c0d2e4",
        renditions: [
            Rendition(
                id: "720p", type: .video, codecs: "avc1.64001f", bandwidth: 2_800_000, averageBandwidth: 2_400_000,
                width: 1280, height: 720, frameRate: 30, timescale: 90000, init: "720p/init.mp4",
                segments: [
                    .init(
                        uri: "720p/seg-00001.m4s", start: 0, duration: 360_000, size: 1_234_567,
                        iframe: .init(offset: 0, size: 45678))
                ],
                passthrough: true),
            audio(
                Rendition(
                    id: "audio", type: .audio, codecs: "mp4a.40.2", bandwidth: 130_000, averageBandwidth: 128_000,
                    channels: 2, sampleRate: 48000, timescale: 48000, init: "audio/init.mp4",
                    segments: [
                        .init(
                            uri: "audio/seg-00001.m4s", start: 0, duration: 192_000, size: 64000,
                            iframe: .init(offset: 0, size: 1200))
                    ]),
                name: "English", group: "aac-2ch"),
            audio(
                Rendition(
                    id: "audio-en-6ch", type: .audio, codecs: "mp4a.40.2", bandwidth: 390_000, averageBandwidth: 384_000,
                    channels: 6, sampleRate: 48000, timescale: 48000, init: "audio-en-6ch/init.mp4",
                    segments: [.init(uri: "audio-en-6ch/seg-00001.m4s", start: 0, duration: 192_000, size: 192_000)]),
                name: "English (5.1)", group: "aac-6ch"),
        ],
        textTracks: [.init(language: "en", label: "English", isDefault: false, duration: 61.2, size: 2048)])

    /// An English rendition of the source's first stream, its group's default.
    static func audio(_ rendition: Rendition, name: String, group: String) -> Rendition {
        var labelled = rendition
        labelled.language = "en"
        labelled.name = name
        labelled.isDefault = true
        labelled.group = group
        labelled.sourceTrack = 0
        return labelled
    }

    /// The audio keys issue 16 added, each on every audio rendition the daemon sends.
    static let audioLabelKeys = ["language", "name", "default", "group", "source_track"]

    /// `daemonPresentation` as recorded before the audio labels existed.
    static var unlabelledPresentation: Presentation {
        var old = daemonPresentation
        old.renditions.removeLast()
        old.renditions[1].language = nil
        old.renditions[1].name = nil
        old.renditions[1].isDefault = nil
        old.renditions[1].group = nil
        old.renditions[1].sourceTrack = nil
        return old
    }

    @Test func theDaemonsEncodingDecodesInThePackagersDecoder() throws {
        let json = try MediaJSON.encode(Self.daemonPresentation)
        let decoded = try PackagerPresentation.parse(json)
        #expect(decoded.video.map(\.id) == ["720p"])
        #expect(decoded.audio.map(\.id) == ["audio", "audio-en-6ch"])
        let video = try #require(decoded.video.first)
        #expect(video.width == 1280 && video.height == 720 && video.frameRate == 30)
        #expect(video.averageBandwidth == 2_400_000 && video.initURI == "720p/init.mp4")
        #expect(video.segments.first?.iframe?.size == 45678 && video.segments.first?.size == 1_234_567)
        let audio = try #require(decoded.audio.first)
        #expect(audio.channels == 2 && audio.sampleRate == 48000 && audio.timescale == 48000)
        // The labels reach the packagers as the daemon wrote them.
        #expect(decoded.audio.map(\.language) == ["en", "en"] && decoded.audio.map(\.name) == ["English", "English (5.1)"])
        #expect(decoded.audio.map(\.isDefault) == [true, true] && decoded.audio.map(\.group) == ["aac-2ch", "aac-6ch"])
        #expect(decoded.audio.map(\.channels) == [2, 6] && decoded.audio.map(\.audioGroup) == ["aac-2ch", "aac-6ch"])
        let track = try #require(decoded.textTracks.first)
        #expect(track.id == VideoObjects.textTrackID("en") && track.uri == VideoObjects.captionPath("en"))
        #expect(track.isDefault == false && track.duration == 61.2 && track.size == 2048 && track.label == "English")
        #expect(decoded.protection.isEmpty)
    }

    @Test func theRecordedPresentationReadsBackAsItWasSent() throws {
        let json = try MediaJSON.encode(Self.daemonPresentation)
        #expect(try MediaJSON.decode(Presentation.self, from: json) == Self.daemonPresentation)
    }

    @Test func theHeaderSampleIsWhatTheDaemonSends() throws {
        let sample = try Self.headerSample()
        // The sample is valid for the packagers, and a presentation the daemon can read back…
        _ = try PackagerPresentation.parse(sample)
        let parsed = try MediaJSON.decode(Presentation.self, from: sample)
        #expect(parsed == Self.daemonPresentation)
        // …and names exactly the members the daemon writes, no more and no fewer.
        let sent = try Self.keyPaths(MediaJSON.encode(Self.daemonPresentation))
        #expect(try Self.keyPaths(sample) == sent)
    }

    @Test func audioLabelsAreOptionalAndAbsentWhenNil() throws {
        // A presentation recorded before audio labels existed reads and writes back unchanged.
        let old = try MediaJSON.encode(Self.unlabelledPresentation)
        for key in Self.audioLabelKeys {
            #expect(!(try Self.keyPaths(old)).contains("renditions[]." + key))
        }
        #expect(try MediaJSON.decode(Presentation.self, from: old) == Self.unlabelledPresentation)
        var labelled = Self.unlabelledPresentation
        labelled.renditions[1].language = "fr"
        labelled.renditions[1].name = "Français"
        labelled.renditions[1].isDefault = true
        labelled.renditions[1].group = "aac-2ch"
        labelled.renditions[1].sourceTrack = 1
        let json = try MediaJSON.encode(labelled)
        #expect(try Self.keyPaths(json).isSuperset(of: Self.audioLabelKeys.map { "renditions[]." + $0 }))
        #expect(try MediaJSON.decode(Presentation.self, from: json) == labelled)
        // The packagers' tolerant decoder accepts the labelled shape too.
        #expect(try PackagerPresentation.parse(json).audio.map(\.id) == ["audio"])
        #expect(try PackagerPresentation.parse(old).audio.first?.audioGroup == "aac-2ch")
    }

    /// A rendition's audio members, typed as the daemon writes them (a wrong type throws).
    struct AudioMembers: Decodable {
        var id: String
        var type: String
        var language: String?
        var name: String?
        var isDefault: Bool?
        var group: String?
        var sourceTrack: Int?
        var channels: Int?
        var sampleRate: Int?

        enum CodingKeys: String, CodingKey {
            case id, type, language, name, group, channels
            case isDefault = "default", sourceTrack = "source_track", sampleRate = "sample_rate"
        }
    }

    struct Sample: Decodable { var renditions: [AudioMembers] }

    @Test func theHeaderSampleShowsEveryAudioKeyOnEveryAudioRendition() throws {
        let sample = try JSONDecoder().decode(Sample.self, from: Data(try Self.headerSample().utf8))
        let audio = sample.renditions.filter { $0.type == "audio" }
        #expect(audio.count == 2, "the sample shows a stereo and a surround rendition")
        for r in audio {
            #expect(r.language == "en" && r.name != nil && r.isDefault == true && r.group != nil, "\(r.id): \(r)")
            #expect(r.sourceTrack == 0 && r.channels != nil && r.sampleRate == 48000, "\(r.id): \(r)")
        }
        // One stream, two layouts: a group each, named for menus, from the same source track.
        #expect(audio.map(\.id) == ["audio", "audio-en-6ch"])
        #expect(audio.map(\.group) == ["aac-2ch", "aac-6ch"] && audio.map(\.channels) == [2, 6])
        #expect(audio.map(\.name) == ["English", "English (5.1)"])
        // The video carries none of them.
        for video in sample.renditions where video.type == "video" {
            #expect(video.language == nil && video.name == nil && video.isDefault == nil && video.group == nil && video.sourceTrack == nil)
            #expect(video.channels == nil && video.sampleRate == nil)
        }
    }

    /// The JSON between the sample's braces in `kinora/plugin.h`, without the comment's gutter.
    static func headerSample() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let header = try String(contentsOf: root.appendingPathComponent("SDK/c/abi/include/kinora/plugin.h"), encoding: .utf8)
        let lines = header.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: " *   {"), "the packager sample starts with \" *   {\"")
        let end = try #require(lines[start...].firstIndex(of: " *   }"), "the packager sample ends with \" *   }\"")
        return lines[start...end].map { String($0.dropFirst(2)) }.joined(separator: "\n")
    }

    /// Every member's path ("renditions[].segments[].iframe.offset"), arrays' elements merged.
    static func keyPaths(_ json: String) throws -> Set<String> {
        var paths = Set<String>()
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for (key, member) in object {
                    let child = path.isEmpty ? key : path + "." + key
                    paths.insert(child)
                    walk(member, child)
                }
            } else if let array = value as? [Any] {
                for element in array { walk(element, path + "[]") }
            }
        }
        walk(try JSONSerialization.jsonObject(with: Data(json.utf8)), "")
        return paths
    }
}
