import Foundation
import KinoraTestSupport
import Testing

/// The player on HLS playlists that grow while it plays, as a video's do while its first
/// rendition is transcoded; no daemon: the ffmpeg CLI writes fMP4 EVENT playlists slower than
/// real time under a folder a loopback HTTP server serves, beside a copy of the watch page's
/// player markup that runs the real watch.js (Tests/Fixtures/python/growing_hls.py).
extension WebUITests {
    /// In chromium: asked for DASH, the page says it is not available yet and plays HLS; play
    /// starts while ffmpeg still writes, follows the other quality and French (chosen in the
    /// menus while growing) to their last segments, and ends once, at the real end, with no
    /// error.
    @Test func aGrowingEventPlaylistPlaysToItsRealEndInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("growing")
        let server = try StaticHTTPServer(root: dir)
        defer { server.stop() }
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [TestEnvironment.pythonFixture("growing_hls.py"), dir, server.base, Self.share + "/web/static"])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(result.status == 0 && report?["ok"] as? Bool == true, "the growing playlist flow failed (files in \(dir)):\n\(result.output)")
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
