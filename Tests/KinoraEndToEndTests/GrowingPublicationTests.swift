import Foundation
import KinoraTestSupport
import Testing

/// An upload plays while its first pass is still being made: the daemon publishes each new
/// whole segment of the lowest rung and the audio as growing HLS, and the complete manifests
/// replace them. The first pass is stopped right after its first report
/// (``GatedMediaWorker/freeze(_:)``), so the growing state can be looked at exactly.
@Suite(.serialized) struct GrowingPublicationTests {
    @Test func aFirstPassInProgressPlaysAsGrowingHLSUntilTheCompleteManifestsReplaceIt() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("growing")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 30 s at 4 s segments: 8 segments, the first report far enough from the end that the
        // worker cannot finish before its wrapper stops it.
        let clip = try PlaybackTests.makeClip(dir + "/clip.mp4", size: "640x360", seconds: 30)
        let worker = try GatedMediaWorker(in: dir)
        defer {
            worker.thaw("transcode")
            worker.killHeld()
        }
        let daemon = try worker.daemon(in: dir)
        try await daemon.start()

        worker.freeze("transcode")
        let id = try daemon.uploadVideo(clip)
        let playable = await DaemonProcess.poll(timeout: .seconds(60)) { () -> Bool? in
            guard !worker.frozen.isEmpty, let video = try? daemon.get("/api/v1/videos/\(id)").json as? [String: Any],
                video["playable"] as? Bool == true
            else { return nil }
            return true
        }
        #expect(playable == true, "not playable while the first pass was stopped after its first segment\n\(daemon.log)")
        let video = try #require(try daemon.get("/api/v1/videos/\(id)").json as? [String: Any])
        #expect(video["status"] as? String == "processing")
        // Only HLS while it grows: a dynamic MPD would start DASH players at the live edge.
        #expect((video["manifests"] as? [String: Any])?.keys.sorted() == ["hls"])
        #expect(try daemon.get("/streams/\(id)/manifest.mpd").status == 404)

        let master = try daemon.get("/streams/\(id)/master.m3u8")
        #expect(master.status == 200 && master.body.contains("#EXT-X-START:TIME-OFFSET=0,PRECISE=YES"), "\(master.body)")
        let media = try Self.mediaPlaylists(master.body)
        #expect(media.contains("240p/media.m3u8") && media.contains("audio/media.m3u8"), "\(media)")
        var published: [String: Int] = [:]
        for name in media {
            let playlist = try daemon.get("/streams/\(id)/\(name)")
            let lines = playlist.body.split(separator: "\n").map(String.init)
            #expect(lines.contains("#EXT-X-PLAYLIST-TYPE:EVENT") && !lines.contains("#EXT-X-ENDLIST"), "\(name): \(playlist.body)")
            let segments = lines.filter { !$0.hasPrefix("#") && !$0.isEmpty }
            published[name] = segments.count
            // Every segment it names is stored and served.
            for segment in segments {
                let folder = (name as NSString).deletingLastPathComponent
                #expect(try daemon.get("/streams/\(id)/\(folder)/\(segment)").status == 200, "\(folder)/\(segment)")
            }
        }
        // Video and audio grow together, and not yet to the end.
        #expect(Set(published.values).count == 1 && (published.values.first ?? 0) >= 1 && (published.values.first ?? 8) < 8, "\(published)")

        worker.thaw("transcode")
        let ready = try await PlaybackTests.waitUntilReady(daemon, id: id, timeout: .seconds(120))
        #expect((ready["manifests"] as? [String: Any])?.keys.sorted() == ["dash", "hls"])
        let complete = try daemon.get("/streams/\(id)/240p/media.m3u8").body
        #expect(complete.contains("#EXT-X-PLAYLIST-TYPE:VOD") && complete.contains("#EXT-X-ENDLIST") && !complete.contains("EXT-X-START"))
        #expect(complete.components(separatedBy: "#EXTINF:").count - 1 == 8)
        #expect(try daemon.get("/streams/\(id)/manifest.mpd").status == 200)
        _ = try await daemon.stop()
    }

    /// The media playlists a master names (variants and audio renditions), relative to it.
    static func mediaPlaylists(_ master: String) throws -> [String] {
        var names: [String] = []
        for line in master.split(separator: "\n").map(String.init) {
            if let start = line.range(of: "URI=\""), line.hasPrefix("#EXT-X-MEDIA:") {
                names.append(String(line[start.upperBound...].prefix { $0 != "\"" }))
            } else if !line.hasPrefix("#"), !line.isEmpty {
                names.append(line)
            }
        }
        return Array(Set(names)).sorted()
    }
}
