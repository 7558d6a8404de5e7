import Foundation
import KinoraCore
import KinoraMediaContract
import Testing

/// A video's audio seen as tracks (one per source stream) and relabelled as its owner asks:
/// every rendition of a track takes the label, surround ones with their layout.
@Suite struct AudioTrackLabelsTests {
    static func audio(_ id: String, channels: Int, language: String?, name: String?, track: Int?, isDefault: Bool = false) -> Rendition {
        var r = Rendition(
            id: id, type: .audio, codecs: "mp4a.40.2", bandwidth: 128_000, averageBandwidth: 128_000, channels: channels,
            sampleRate: 48000, timescale: 48000, init: "\(id)/init.mp4", segments: [])
        r.language = language
        r.name = name
        r.sourceTrack = track
        r.isDefault = isDefault ? true : nil
        return r
    }

    /// What the transcoder lists for English stereo (default) and French 7.1: stereo first,
    /// then 5.1, then 7.1, with a 240p rung before them.
    static let renditions: [Rendition] = [
        Rendition(
            id: "240p", type: .video, codecs: "avc1.64000d", bandwidth: 400_000, averageBandwidth: 300_000, width: 426, height: 240,
            timescale: 90000, init: "240p/init.mp4", segments: []),
        audio("audio-en", channels: 2, language: "en", name: "English", track: 0, isDefault: true),
        audio("audio-fr", channels: 2, language: "fr", name: "Français", track: 1),
        audio("audio-fr-6ch", channels: 6, language: "fr", name: "Français (5.1)", track: 1, isDefault: true),
        audio("audio-fr-8ch", channels: 8, language: "fr", name: "Français (7.1)", track: 1, isDefault: true),
    ]

    @Test func oneTrackPerSourceStreamNamedByItsStereoRendition() {
        let tracks = AudioTrackLabels.tracks(Self.renditions, labels: [])
        #expect(tracks.map(\.id) == ["audio-en", "audio-fr"])
        #expect(tracks.last?.renditions == ["audio-fr", "audio-fr-6ch", "audio-fr-8ch"] && tracks.last?.channels == [2, 6, 8])
        #expect(tracks.map(\.name) == ["English", "Français"] && tracks.map(\.isDefault) == [true, false])
        #expect(tracks.allSatisfy { $0.label == nil && $0.language == $0.sourceLanguage && $0.name == $0.sourceName })
    }

    @Test func aLabelReachesEveryRenditionOfItsTrackWithTheLayoutNamed() {
        let labels = [
            AudioTrackLabel(track: "audio-fr", language: "ca", name: "Català"),
            AudioTrackLabel(track: "audio-en", language: nil, name: "English (commentary)"),
        ]
        let relabelled = AudioTrackLabels.apply(labels, to: Self.renditions)
        #expect(relabelled.map(\.language) == [nil, "en", "ca", "ca", "ca"])
        #expect(relabelled.map(\.name) == [nil, "English (commentary)", "Català", "Català (5.1)", "Català (7.1)"])
        // Nothing else changes: ids, defaults, groups, the video.
        #expect(relabelled.map(\.id) == Self.renditions.map(\.id) && relabelled.map(\.isDefault) == Self.renditions.map(\.isDefault))
        #expect(relabelled[0] == Self.renditions[0])
        // A name already saying its layout is not said twice.
        let said = AudioTrackLabels.apply([AudioTrackLabel(track: "audio-fr", language: nil, name: "Kino 7.1")], to: Self.renditions)
        #expect(said.last?.name == "Kino 7.1" && said[3].name == "Kino 7.1 (5.1)")

        let tracks = AudioTrackLabels.tracks(Self.renditions, labels: labels)
        #expect(tracks.map(\.language) == ["en", "ca"] && tracks.map(\.sourceLanguage) == ["en", "fr"])
        #expect(tracks.map(\.name) == ["English (commentary)", "Català"] && tracks.map(\.sourceName) == ["English", "Français"])
    }

    @Test func aLabelOfATrackTheVideoNoLongerHasChangesNothing() {
        #expect(AudioTrackLabels.apply([AudioTrackLabel(track: "audio-de", language: "de", name: "Deutsch")], to: Self.renditions) == Self.renditions)
    }

    @Test func aPresentationMadeBeforeSourceTracksHasOneTrackPerRendition() {
        let old = [
            Self.audio("audio-en", channels: 2, language: "en", name: "English", track: nil),
            Self.audio("audio-en-6ch", channels: 6, language: "en", name: "English (5.1)", track: nil),
        ]
        #expect(AudioTrackLabels.tracks(old, labels: []).map(\.id) == ["audio-en", "audio-en-6ch"])
        let relabelled = AudioTrackLabels.apply([AudioTrackLabel(track: "audio-en", language: "de", name: "Deutsch")], to: old)
        #expect(relabelled.map(\.language) == ["de", "en"] && relabelled.map(\.name) == ["Deutsch", "English (5.1)"])
    }

    @Test func menuNamesSayTheSurroundLayoutOnce() {
        #expect(AudioMenuName.make("English", channels: 2) == "English")
        #expect(AudioMenuName.make("English", channels: 6) == "English (5.1)")
        #expect(AudioMenuName.make("English", channels: 8) == "English (7.1)")
        #expect(AudioMenuName.make("English (5.1)", channels: 6) == "English (5.1)")
        #expect(AudioMenuName.make("Mono", channels: 1) == "Mono")
    }
}
