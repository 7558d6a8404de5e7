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
            Rendition(
                id: "audio", type: .audio, codecs: "mp4a.40.2", bandwidth: 130_000, averageBandwidth: 128_000,
                channels: 2, sampleRate: 48000, timescale: 48000, init: "audio/init.mp4",
                segments: [
                    .init(
                        uri: "audio/seg-00001.m4s", start: 0, duration: 192_000, size: 64000,
                        iframe: .init(offset: 0, size: 1200))
                ]),
        ],
        textTracks: [.init(language: "en", label: "English", isDefault: false, duration: 61.2, size: 2048)])

    @Test func theDaemonsEncodingDecodesInThePackagersDecoder() throws {
        let json = try MediaJSON.encode(Self.daemonPresentation)
        let decoded = try PackagerPresentation.parse(json)
        #expect(decoded.video.map(\.id) == ["720p"])
        #expect(decoded.audio.map(\.id) == ["audio"])
        let video = try #require(decoded.video.first)
        #expect(video.width == 1280 && video.height == 720 && video.frameRate == 30)
        #expect(video.averageBandwidth == 2_400_000 && video.initURI == "720p/init.mp4")
        #expect(video.segments.first?.iframe?.size == 45678 && video.segments.first?.size == 1_234_567)
        let audio = try #require(decoded.audio.first)
        #expect(audio.channels == 2 && audio.sampleRate == 48000 && audio.timescale == 48000)
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
        let old = try MediaJSON.encode(Self.daemonPresentation)
        for key in ["language", "name", "default", "group"] {
            #expect(!(try Self.keyPaths(old)).contains("renditions[]." + key))
        }
        var labelled = Self.daemonPresentation
        labelled.renditions[1].language = "fr"
        labelled.renditions[1].name = "Français"
        labelled.renditions[1].isDefault = true
        labelled.renditions[1].group = "aac-2ch"
        let json = try MediaJSON.encode(labelled)
        #expect(try Self.keyPaths(json).isSuperset(of: ["renditions[].language", "renditions[].name", "renditions[].default", "renditions[].group"]))
        #expect(try MediaJSON.decode(Presentation.self, from: json) == labelled)
        #expect(try MediaJSON.decode(Presentation.self, from: old) == Self.daemonPresentation)
        // The packagers' tolerant decoder accepts the labelled shape too.
        #expect(try PackagerPresentation.parse(json).audio.map(\.id) == ["audio"])
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
