import Foundation
import KinoraMedia
import Testing

/// Every audio stream of a source kept, labelled for players' menus, with a 5.1 rendition
/// beside the stereo one of a surround stream (and a 7.1 one from 8 channels); the lone stream of a common source keeps "audio".
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

    /// 7.1 with a tone of its own in each channel, FFmpeg's 7.1 order (FL FR FC LFE BL BR SL SR).
    static let sevenOneTones: [(channel: String, frequency: Double)] = [
        ("FL", 300), ("FR", 400), ("FC", 500), ("LFE", 80), ("BL", 700), ("BR", 800), ("SL", 900), ("SR", 1000),
    ]

    @Test("a 7.1 stream: stereo, 5.1 and 7.1 renditions; the 7.1 one is 8-channel AAC with every channel in its place")
    func sevenPointOne() throws {
        let media = try TestMedia()
        let source = media.path("cinema.mkv")
        var arguments = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3"]
        for tone in Self.sevenOneTones {
            arguments += ["-f", "lavfi", "-i", "sine=frequency=\(Int(tone.frequency)):sample_rate=48000:duration=3"]
        }
        // join's map pins each tone to its channel (without it, join fills FC first).
        let map = Self.sevenOneTones.enumerated().map { "\($0.offset).0-\($0.element.channel)" }.joined(separator: "|")
        arguments += [
            "-filter_complex", "[1:a][2:a][3:a][4:a][5:a][6:a][7:a][8:a]join=inputs=8:channel_layout=7.1:map=\(map)[a]",
            "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "512k", "-metadata:s:a:0", "language=eng", source,
        ]
        try media.ffmpeg(arguments)
        #expect(try media.ffprobeStreams(source).last?["channel_layout"] as? String == "7.1")

        let result = try Transcoder.transcode(
            input: source, output: media.path("out"), options: TranscodeOptions(segmentSeconds: 1, preset: "superfast", onlyShortSides: [180]))
        let audio = result.renditions.filter { $0.type == .audio }
        #expect(audio.map(\.id) == ["audio", "audio-en-6ch", "audio-en-8ch"])
        #expect(audio.map(\.group) == ["aac-2ch", "aac-6ch", "aac-8ch"])
        #expect(audio.map(\.channels) == [2, 6, 8])
        #expect(audio.map(\.name) == ["English", "English (5.1)", "English (7.1)"])
        #expect(audio.map(\.language) == ["en", "en", "en"])
        // Each is alone in its group, so each is its group's default.
        #expect(audio.map { $0.isDefault ?? false } == [true, true, true])
        #expect(audio.allSatisfy { $0.codecs == "mp4a.40.2" && $0.sampleRate == 48000 })

        let eight = try TimelineTests.concatenate(media, result, "audio-en-8ch", folder: "out")
        let stream = try #require(media.ffprobeStreams(eight).first)
        #expect(stream["codec_name"] as? String == "aac" && stream["profile"] as? String == "LC")
        #expect(stream["channels"] as? Int == 8 && stream["channel_layout"] as? String == "7.1", "\(stream)")
        let errors = try TestMedia.run(tool: "ffmpeg", ["-nostdin", "-v", "error", "-i", eight, "-f", "null", "-"])
        #expect(errors.isEmpty, "\(errors)")
        let rendition = try #require(audio.last)
        #expect(abs(rendition.duration - 3) < 0.05, "\(rendition.duration) s")
        // No channel swapped or lost: each carries its own tone (side and back kept apart),
        // far above any other channel's.
        let candidates = Self.sevenOneTones.map(\.frequency)
        for tone in Self.sevenOneTones {
            let (dominant, margin) = try Self.dominantTone(eight, channel: tone.channel, among: candidates)
            #expect(dominant == tone.frequency && margin > 20, "\(tone.channel): \(dominant) Hz (×\(margin)), not \(tone.frequency)")
        }
        // The 5.1 one is made from the same stream: 6 channels, the fronts untouched.
        let six = try TimelineTests.concatenate(media, result, "audio-en-6ch", folder: "out")
        #expect(try media.ffprobeStreams(six).first?["channel_layout"] as? String == "5.1")
        #expect(try Self.dominantTone(six, channel: "FC", among: candidates).frequency == 500)

        // surround = false: the stereo rendition alone, the lone stream's "audio".
        let plain = try Transcoder.transcode(
            input: source, output: media.path("plain"),
            options: TranscodeOptions(segmentSeconds: 1, preset: "superfast", onlyShortSides: [180], surround: false))
        #expect(plain.renditions.filter { $0.type == .audio }.map(\.id) == ["audio"])
        #expect(plain.renditions.filter { $0.type == .audio }.map(\.channels) == [2])
    }

    @Test("language tags: ISO 639-2 to BCP 47, unknown or missing to und")
    func languageTags() {
        #expect(AudioLanguage.tag("eng") == "en" && AudioLanguage.tag("fre") == "fr" && AudioLanguage.tag("fra") == "fr")
        #expect(AudioLanguage.tag("pt-BR") == "pt-br" && AudioLanguage.tag("pt_BR") == "pt-br")
        #expect(AudioLanguage.tag(nil) == "und" && AudioLanguage.tag("und") == "und" && AudioLanguage.tag("") == "und")
        #expect(AudioLanguage.tag("tlh") == "tlh" && AudioLanguage.tag("x!") == "und")
        #expect(AudioLanguage.name("fr") == "Français" && AudioLanguage.name("und") == nil)
    }

    /// Which of `candidates` (Hz) is loudest in the `channel` named ("SL") over 0.5-1.5 s, and
    /// how many times louder it is than the next (Goertzel's power at each frequency): zero
    /// crossings miscount a quiet tone under 8-channel AAC's coding noise.
    static func dominantTone(_ path: String, channel: String, among candidates: [Double]) throws -> (frequency: Double, margin: Double) {
        let pcm = try TestMedia.runData(
            tool: "ffmpeg",
            ["-nostdin", "-v", "error", "-i", path, "-ss", "0.5", "-t", "1", "-af", "pan=mono|c0=\(channel)", "-ar", "48000", "-f", "f32le", "-"])
        let samples = pcm.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let powers = candidates.map { frequency -> Double in
            let coefficient = 2 * cos(2 * Double.pi * frequency / 48000)
            var (a, b) = (0.0, 0.0)
            for x in samples { (a, b) = (Double(x) + coefficient * a - b, a) }
            return a * a + b * b - coefficient * a * b
        }
        let order = powers.indices.sorted { powers[$0] > powers[$1] }
        guard order.count > 1 else { return (candidates.first ?? 0, .infinity) }
        return (candidates[order[0]], (powers[order[0]] / max(powers[order[1]], 1e-12)).squareRoot())
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
