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
