import Foundation
import KinoraMedia
import Testing

/// Every audio stream of a source kept, labelled for players' menus, with a 5.1 rendition
/// beside the stereo one of a surround stream; the lone stream of a common source keeps "audio".
@Suite("Audio tracks")
struct AudioTracksTests {
    @Test("English, French and a 5.1 German stream: every one kept and labelled, 5.1 with 6 channels")
    func everyTrackKept() throws {
        let media = try TestMedia()
        let source = media.path("languages.mkv")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25:duration=5",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5",
            "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=5",
            "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:duration=5,aformat=channel_layouts=5.1",
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre",
            "-metadata:s:a:2", "language=ger", "-metadata:s:a:2", "title=Deutsch (Kino)",
            // The French track is the one the source marks default.
            "-disposition:a:0", "0", "-disposition:a:1", "default", "-disposition:a:2", "0",
            source,
        ])
        let result = try Transcoder.transcode(
            input: source, output: media.path("out"), options: TranscodeOptions(preset: "superfast", onlyShortSides: [240]))
        let audio = result.renditions.filter { $0.type == .audio }
        #expect(audio.map(\.id) == ["audio-en", "audio-fr", "audio-de", "audio-de-6ch"])
        #expect(audio.map(\.language) == ["en", "fr", "de", "de"])
        #expect(audio.map(\.name) == ["English", "Français", "Deutsch (Kino)", "Deutsch (Kino) (5.1)"])
        #expect(audio.map(\.group) == ["aac-2ch", "aac-2ch", "aac-2ch", "aac-6ch"])
        // One default per group: the source's default (French) in stereo, the only 5.1 one.
        #expect(audio.map { $0.isDefault ?? false } == [false, true, false, true])
        #expect(audio.map(\.channels) == [2, 2, 2, 6])

        for rendition in audio {
            let joined = try TimelineTests.concatenate(media, result, rendition.id, folder: "out")
            let stream = try #require(media.ffprobeStreams(joined).first)
            #expect(stream["codec_name"] as? String == "aac" && stream["sample_rate"] as? String == "48000")
            #expect(stream["channels"] as? Int == rendition.channels, "\(rendition.id): \(stream)")
            if rendition.channels == 6 { #expect(stream["channel_layout"] as? String == "5.1") }
            #expect(abs(rendition.duration - 5) < 0.05, "\(rendition.id): \(rendition.duration) s")
            // Stereo and 5.1 alike: no priming before the first sample.
            try TimelineTests.expectAudioStartsAtZero(media, result, id: rendition.id, folder: "out")
            let errors = try TestMedia.run(tool: "ffmpeg", ["-nostdin", "-v", "error", "-i", joined, "-f", "null", "-"])
            #expect(errors.isEmpty)
            // Each stream kept its own sound: the dominant frequency of its first second.
            let tones: [String: Double] = ["audio-en": 440, "audio-fr": 660, "audio-de": 880, "audio-de-6ch": 880]
            let expected = tones[rendition.id] ?? 0
            let measured = try Self.zeroCrossingFrequency(joined)
            #expect(abs(measured - expected) / expected < 0.15, "\(rendition.id): \(measured) Hz")
        }

        // At most the configured count, without surround when it is off.
        let two = try Transcoder.transcode(
            input: source, output: media.path("two"),
            options: TranscodeOptions(preset: "superfast", onlyShortSides: [240], maxAudioTracks: 2, surround: false))
        #expect(two.renditions.filter { $0.type == .audio }.map(\.id) == ["audio-en", "audio-fr"])
    }

    @Test("a lone stream keeps id and folder \"audio\", labelled from its tag; a lone 5.1 stream adds audio-<lang>-6ch")
    func loneStream() throws {
        let media = try TestMedia()
        let plain = try media.video("plain.mp4", size: "320x240", seconds: 2, audio: true, outputOptions: ["-metadata:s:a:0", "language=eng"])
        let result = try Transcoder.transcode(
            input: plain, output: media.path("out"), options: TranscodeOptions(segmentSeconds: 1, preset: "superfast"))
        let audio = try #require(result.renditions.last)
        #expect(result.renditions.filter { $0.type == .audio }.count == 1)
        #expect(audio.id == "audio" && audio.`init` == "audio/init.mp4" && audio.segments.first?.uri == "audio/seg-00001.m4s")
        #expect(audio.language == "en" && audio.name == "English" && audio.isDefault == true && audio.group == nil)

        let untagged = media.path("surround.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2,aformat=channel_layouts=5.1",
            "-c:a", "aac", untagged,
        ])
        let surround = try Transcoder.transcode(input: untagged, output: media.path("surround"), options: TranscodeOptions(segmentSeconds: 1))
        #expect(surround.renditions.map(\.id) == ["audio", "audio-und-6ch"])
        #expect(surround.renditions.map(\.name) == ["Audio 1", "Audio 1 (5.1)"])
        #expect(surround.renditions.map(\.group) == ["aac-2ch", "aac-6ch"])
        #expect(surround.renditions.map(\.channels) == [2, 6])
    }

    @Test("language tags: ISO 639-2 to BCP 47, unknown or missing to und")
    func languageTags() {
        #expect(AudioLanguage.tag("eng") == "en" && AudioLanguage.tag("fre") == "fr" && AudioLanguage.tag("fra") == "fr")
        #expect(AudioLanguage.tag("pt-BR") == "pt-br" && AudioLanguage.tag("pt_BR") == "pt-br")
        #expect(AudioLanguage.tag(nil) == "und" && AudioLanguage.tag("und") == "und" && AudioLanguage.tag("") == "und")
        #expect(AudioLanguage.tag("tlh") == "tlh" && AudioLanguage.tag("x!") == "und")
        #expect(AudioLanguage.name("fr") == "Français" && AudioLanguage.name("und") == nil)
    }

    /// The frequency of the first second's sine, by counting zero crossings of the first
    /// channel (decoded by ffmpeg as 48 kHz mono float).
    static func zeroCrossingFrequency(_ path: String) throws -> Double {
        let pcm = try TestMedia.runData(
            tool: "ffmpeg",
            ["-nostdin", "-v", "error", "-i", path, "-t", "1", "-ac", "1", "-ar", "48000", "-f", "f32le", "-"])
        let samples = pcm.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var crossings = 0
        for index in 1..<samples.count where (samples[index - 1] < 0) != (samples[index] < 0) { crossings += 1 }
        return Double(crossings) / 2 / (Double(samples.count) / 48000)
    }
}
