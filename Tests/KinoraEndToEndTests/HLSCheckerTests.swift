import Foundation
import KinoraTestSupport
import Testing

/// The HLS rules checker (PyPI m3u8) must catch what it claims to, or the playback tests
/// that rely on it prove nothing.
struct HLSCheckerTests {
    @Test func theCheckerFlagsAPlaylistThatBreaksTheAuthoringRules() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("hls-checker")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/240p", withIntermediateDirectories: true)
        // No INDEPENDENT-SEGMENTS, no AVERAGE-BANDWIDTH or FRAME-RATE, no I-frame playlist;
        // the media playlist: not VOD, no MAP, a 6.6 s EXTINF over a target of 4, no ENDLIST.
        try """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.64000d",RESOLUTION=426x240
        240p/media.m3u8
        """.write(toFile: dir + "/master.m3u8", atomically: true, encoding: .utf8)
        try """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:4
        #EXTINF:6.6,
        seg-00001.m4s
        """.write(toFile: dir + "/240p/media.m3u8", atomically: true, encoding: .utf8)
        let problems = try TestEnvironment.hlsProblems(masterURL: dir + "/master.m3u8", duration: 6.6).joined(separator: "\n")
        for expected in [
            "EXT-X-INDEPENDENT-SEGMENTS", "AVERAGE-BANDWIDTH", "FRAME-RATE", "I-frame playlists",
            "not VOD", "EXT-X-ENDLIST", "EXT-X-MAP", "exceeds EXT-X-TARGETDURATION",
        ] {
            #expect(problems.contains(expected), "missing \(expected) in:\n\(problems)")
        }
    }
}

/// The authoring rules of issue 16 (hls_authoring.py, check_dash.py) must each be able to fail,
/// on a tiny presentation that breaks them, and stay quiet on its corrected twin.
@Suite(.serialized) struct ManifestRuleCheckerTests {
    /// A one-variant presentation with separate audio and English subtitles: `good` follows
    /// every rule, otherwise it breaks each one issue 16 names.
    static func writePresentation(in dir: String, good: Bool) throws {
        for folder in ["v", "a", "t", "captions"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
        }
        // Video 200 kbit/s in every run of segments; audio 4 kbit/s: Apple's peak is 204 kbit/s.
        let bandwidth = good ? 204_000 : 100_000
        let language = good ? ",LANGUAGE=\"en\"" : ""
        let codecs = good ? "avc1.64000d,mp4a.40.2,wvtt" : "avc1.64000d,mp4a.40.2"
        try """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English"\(language),DEFAULT=YES,AUTOSELECT=YES,URI="a/media.m3u8"
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="t/media.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=\(bandwidth),AVERAGE-BANDWIDTH=90000,CODECS="\(codecs)",RESOLUTION=320x180,FRAME-RATE=30.000,AUDIO="audio",SUBTITLES="subs"
        v/media.m3u8

        """.write(toFile: dir + "/master.m3u8", atomically: true, encoding: .utf8)
        let audio = good ? [("4.000", 2000), ("2.000", 1000)] : [("4.011", 2000), ("1.989", 1000)]
        // The bad video's first EXTINF rounds above its target of 4.
        let video = [(good ? "4.000" : "4.600", 100_000), ("2.000", 50_000)]
        for (folder, target, segments) in [("v", 4, video), ("a", good ? 4 : 5, audio)] {
            var lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\(target)", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-MAP:URI=\"init.mp4\""]
            for (i, (duration, size)) in segments.enumerated() {
                lines += ["#EXTINF:\(duration),", "s\(i).m4s"]
                try Data(count: size).write(to: URL(fileURLWithPath: "\(dir)/\(folder)/s\(i).m4s"))
            }
            try (lines + ["#EXT-X-ENDLIST", ""]).joined(separator: "\n").write(toFile: "\(dir)/\(folder)/media.m3u8", atomically: true, encoding: .utf8)
        }
        try "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.000,\n../captions/en.vtt\n#EXT-X-ENDLIST\n"
            .write(toFile: dir + "/t/media.m3u8", atomically: true, encoding: .utf8)
        let map = good ? "\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000" : ""
        try "WEBVTT\(map)\n\n00:00.000 --> 00:01.000\nHello\n".write(toFile: dir + "/captions/en.vtt", atomically: true, encoding: .utf8)

        // The MPD: live profile, audio and two text sets; the bad one breaks each DASH-IF rule.
        let alignment = good ? " segmentAlignment=\"true\"" : ""
        let text = { (lang: String, main: Bool) -> String in
            good
                ? """
                  <AdaptationSet contentType="text" mimeType="application/mp4" codecs="wvtt" lang="\(lang)" segmentAlignment="true">
                    <Role schemeIdUri="urn:mpeg:dash:role:2011" value="\(main ? "main" : "alternate")"/>
                    <SegmentTemplate timescale="1000" initialization="text-\(lang)/init.mp4" media="text-\(lang)/seg-$Number$.m4s" duration="4000"/>
                    <Representation id="text-\(lang)" bandwidth="1000"/>
                  </AdaptationSet>
                  """
                : """
                  <AdaptationSet contentType="text" mimeType="text/vtt" lang="\(lang)">
                    <Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>
                    <Representation id="text-\(lang)" bandwidth="1000"><BaseURL>captions/\(lang).vtt</BaseURL></Representation>
                  </AdaptationSet>
                  """
        }
        try """
        <?xml version="1.0" encoding="UTF-8"?>
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT6S" minBufferTime="PT2S">
          <Period id="0">
            <AdaptationSet contentType="video" mimeType="video/mp4"\(alignment)\(good ? " par=\"16:9\" sar=\"1:1\"" : "")>
              <SegmentTemplate timescale="1000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg-$Number$.m4s" duration="4000"/>
              <Representation id="v" codecs="avc1.64000d" bandwidth="200000" width="320" height="180"/>
            </AdaptationSet>
            <AdaptationSet contentType="audio" mimeType="audio/mp4"\(alignment)\(good ? " lang=\"en\"" : "")>
              \(good ? "<AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"2\"/>" : "")
              <SegmentTemplate timescale="1000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg-$Number$.m4s" duration="4000"/>
              <Representation id="a" codecs="mp4a.40.2" bandwidth="4000"/>
            </AdaptationSet>
        \(text("en", true))
        \(text("fr", false))
          </Period>
        </MPD>

        """.write(toFile: dir + "/manifest.mpd", atomically: true, encoding: .utf8)
    }

    @Test func eachHLSAuthoringRuleCanFail() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("hls-authoring")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writePresentation(in: dir + "/bad", good: false)
        try Self.writePresentation(in: dir + "/good", good: true)
        // Served by a plain HTTP server (no gzip), as the rules about transfer need.
        let server = try StaticHTTPServer(root: dir)
        defer { server.stop() }
        let bad = try TestEnvironment.hlsProblems(masterURL: "\(server.base)/bad/master.m3u8", duration: 6, authoring: true)
        let joined = bad.joined(separator: "\n")
        for (rule, quoted) in [
            ("[8.2] target durations MUST be the same", "#EXT-X-TARGETDURATION:5"),
            ("[8.2] v/media.m3u8: #EXTINF:4.600,", "rounds above #EXT-X-TARGETDURATION:4"),
            ("[8.10] master.m3u8: an audio rendition MUST have a LANGUAGE", "#EXT-X-MEDIA:TYPE=AUDIO"),
            ("[5.3] captions/en.vtt: WebVTT header MUST carry X-TIMESTAMP-MAP", "'WEBVTT'"),
            ("[5.10] master.m3u8: a variant with SUBTITLES MUST list wvtt", "#EXT-X-STREAM-INF:BANDWIDTH=100000"),
            ("[1.27] v/media.m3u8: measured peak 204", "of BANDWIDTH 100000"),
            ("[10.1] bad/master.m3u8: served with Content-Encoding absent", "playlists MUST be gzipped"),
            ("[10.1] a/media.m3u8", "[10.1] t/media.m3u8"),
        ] {
            #expect(joined.contains(rule) && joined.contains(quoted), "missing \(rule) … \(quoted) in:\n\(joined)")
        }
        // The corrected twin, read from files (no transfer rules): no rule of issue 16 fails.
        let good = try TestEnvironment.hlsProblems(masterURL: dir + "/good/master.m3u8", duration: 6, authoring: true)
        #expect(good.filter { $0.hasPrefix("[") }.isEmpty, "\(good)")
    }

    @Test func eachDASHIFRuleCanFail() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("dash-rules")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writePresentation(in: dir + "/bad", good: false)
        try Self.writePresentation(in: dir + "/good", good: true)
        let server = try StaticHTTPServer(root: dir)
        defer { server.stop() }
        let joined = try TestEnvironment.dashProblems(mpdURL: "\(server.base)/bad/manifest.mpd").joined(separator: "\n")
        for (rule, quoted) in [
            ("[live profile] manifest.mpd line", "<Representation id=\"text-en\" bandwidth=\"1000\"><BaseURL>captions/en.vtt</BaseURL>"),
            ("[segmentAlignment] manifest.mpd line 4:", "<AdaptationSet contentType=\"video\""),
            ("[lang] manifest.mpd line 8:", "<AdaptationSet contentType=\"audio\""),
            ("[audio channels] manifest.mpd line 8:", "without AudioChannelConfiguration"),
            ("[par/sar] manifest.mpd line 4:", "without @par"),
            ("[default text] manifest.mpd: 0 of 2 text AdaptationSets", "<AdaptationSet contentType=\"text\" mimeType=\"text/vtt\" lang=\"fr\">"),
            ("[gzip] manifest.mpd: served with Content-Encoding absent", "Accept-Encoding: gzip"),
        ] {
            #expect(joined.contains(rule) && joined.contains(quoted), "missing \(rule) … \(quoted) in:\n\(joined)")
        }
        let good = try TestEnvironment.dashProblems(mpdURL: dir + "/good/manifest.mpd")
        #expect(good.isEmpty, "\(good)")
    }
}
