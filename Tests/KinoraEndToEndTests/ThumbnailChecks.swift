import Foundation
import KinoraTestSupport
import Testing

/// What a viewer's player fetches for previews: the poster, the candidate frames, and a
/// WebVTT thumbnails track whose cues point into sprite sheets that are served too.
enum ThumbnailChecks {
    static func expectServed(_ daemon: DaemonProcess, video: [String: Any], seconds: Double) throws {
        let thumbnails = try #require(video["thumbnails"] as? [String: Any], "no thumbnails in \(video)")
        let poster = try #require(thumbnails["poster"] as? String)
        let candidates = try #require(thumbnails["candidates"] as? [String])
        let cards = try #require(thumbnails["cards"] as? [String])
        let card = try #require(thumbnails["card"] as? String)
        #expect(candidates.count == 5 && cards.count == 5 && cards.contains(card))
        for url in [poster] + candidates + cards {
            let image = try daemon.get(url)
            #expect(image.status == 200 && image.headers["content-type"] == "image/jpeg", "\(url): \(image.status)")
            #expect(image.bytes.starts(with: [0xFF, 0xD8, 0xFF]), "\(url) is not a JPEG")
        }

        let trackURL = try #require(thumbnails["trickplay"] as? String)
        let track = try daemon.get(trackURL)
        #expect(track.status == 200 && track.headers["content-type"]?.hasPrefix("text/vtt") == true)
        #expect(track.body.hasPrefix("WEBVTT\n"))
        let tileWidth = try #require(thumbnails["tile_width"] as? Int), tileHeight = try #require(thumbnails["tile_height"] as? Int)
        let interval = try #require(thumbnails["interval"] as? Double)
        let lines = track.body.split(separator: "\n").map(String.init)
        var ends: [Double] = []
        var sprites = Set<String>()
        for (index, line) in lines.enumerated() where line.contains(" --> ") {
            let times = line.components(separatedBy: " --> ").map(seconds(of:))
            ends.append(times[1])
            let target: String = index + 1 < lines.count ? lines[index + 1] : ""
            let parts = target.components(separatedBy: "#xywh=")
            #expect(parts.count == 2, "cue target \(target)")
            let box = parts[1].split(separator: ",").compactMap { Int($0) }
            #expect(box.count == 4 && box[2] == tileWidth && box[3] == tileHeight, "\(target)")
            sprites.insert(parts[0])
        }
        #expect(ends.count == Int((seconds / interval).rounded(.up)), "one tile every \(interval) s of \(seconds) s: \(ends)")
        #expect(abs((ends.last ?? 0) - seconds) < 0.5, "the last cue ends with the video: \(ends)")
        let base = trackURL.components(separatedBy: "/").dropLast().joined(separator: "/")
        for sprite in sprites {
            let image = try daemon.get(base + "/" + sprite)
            #expect(image.status == 200 && image.bytes.starts(with: [0xFF, 0xD8, 0xFF]), "\(sprite): \(image.status)")
        }
    }

    /// `hh:mm:ss.ttt` or `mm:ss.ttt`.
    static func seconds(of timestamp: String) -> Double {
        timestamp.trimmingCharacters(in: .whitespaces).split(separator: ":").reduce(0) { $0 * 60 + (Double($1) ?? .nan) }
    }
}
