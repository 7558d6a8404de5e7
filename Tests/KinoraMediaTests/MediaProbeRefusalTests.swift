import Foundation
import KinoraMedia
import Testing

/// The error `MediaProbe.probe` throws for the file, or nil when it accepts it.
private func refusal(_ path: String, limits: ProbeLimits = .default) -> MediaProbeError? {
    do {
        _ = try MediaProbe.probe(path: path, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// A refusal message a person can read: a sentence, no C leftovers.
private func expectReadable(_ error: MediaProbeError?, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected a refusal", sourceLocation: sourceLocation)
        return
    }
    let text = error.description
    #expect(text.count > 10, sourceLocation: sourceLocation)
    #expect(!text.contains("(null)"), sourceLocation: sourceLocation)
    #expect(!text.contains("Optional("), sourceLocation: sourceLocation)
    #expect(!error.code.isEmpty, sourceLocation: sourceLocation)
}

@Suite("MediaProbe: refused files")
struct MediaProbeRefusalTests {
    @Test("an empty file")
    func empty() throws {
        let media = try TestMedia()
        let error = refusal(try media.write("", name: "empty.mp4"))
        #expect(error == .empty)
        #expect(error?.code == "empty")
        #expect(error?.description == "the file is empty")
    }

    @Test("a missing file and a directory are unreadable")
    func unreadable() throws {
        let media = try TestMedia()
        let missing = refusal(media.path("nope.mp4"))
        guard case .unreadable(let reason)? = missing else {
            Issue.record("expected unreadable, got \(String(describing: missing))")
            return
        }
        #expect(reason.contains("no such file"))
        expectReadable(missing)
        let folder = refusal(media.folder.path)
        #expect(folder == .unreadable("it is a directory"))
        #expect(folder?.code == "unreadable")
    }

    @Test("a text file", arguments: ["notes.txt", "notes.mp4", "notes"])
    func text(name: String) throws {
        let media = try TestMedia()
        let file = try media.write(String(repeating: "Kinora is a media server. Not a video.\n", count: 50), name: name)
        let error = refusal(file)
        guard case .notMedia? = error else {
            Issue.record("expected notMedia, got \(String(describing: error))")
            return
        }
        #expect(error?.code == "not-media")
        #expect(error?.description.hasPrefix("not an audio or video file: ") == true)
        expectReadable(error)
    }

    @Test("a PNG image is a still image")
    func png() throws {
        let media = try TestMedia()
        let file = media.path("picture.png")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", file])
        let error = refusal(file)
        #expect(error == .stillImage("png_pipe"))
        #expect(error?.code == "still-image")
        #expect(error?.description == "a still image (png_pipe), not a video")
    }

    @Test("a JPEG image is a still image, whatever its name")
    func jpeg() throws {
        let media = try TestMedia()
        let file = media.path("photo.jpg")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", file])
        #expect(refusal(file) == .stillImage("image2"))  // chosen by the .jpg extension
        let renamed = media.path("photo.mp4")
        try FileManager.default.copyItem(atPath: file, toPath: renamed)
        #expect(refusal(renamed) == .stillImage("jpeg_pipe"))  // chosen by content
    }

    @Test("a one-frame GIF is a still image")
    func singleFrameGIF() throws {
        let media = try TestMedia()
        let file = media.path("one.gif")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", file])
        let error = refusal(file)
        #expect(error == .stillImage("gif in gif"))
        expectReadable(error)
    }

    @Test("archives are not media", arguments: ["zip", "tar"])
    func archive(kind: String) throws {
        let media = try TestMedia()
        let inner = try media.write(String(repeating: "hello ", count: 500), name: "inner.txt")
        let archive = media.path("upload.\(kind)")
        if kind == "zip" {
            let script = "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2],'inner.txt'); z.close()"
            try TestMedia.run(tool: "python3", ["-c", script, archive, inner])
        } else {
            try TestMedia.run(tool: "tar", ["-cf", archive, "-C", media.folder.path, "inner.txt"])
        }
        let error = refusal(archive)
        guard case .notMedia? = error else {
            Issue.record("expected notMedia, got \(String(describing: error))")
            return
        }
        expectReadable(error)
    }

    @Test("an HLS playlist that points at local files is refused, not followed")
    func playlist() throws {
        let media = try TestMedia()
        let file = try media.write("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n/etc/passwd\n#EXT-X-ENDLIST\n", name: "list.m3u8")
        let error = refusal(file)
        guard case .notMedia(let reason)? = error else {
            Issue.record("expected notMedia, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("hls"))
    }

    @Test("an MP4 cut short with its index (moov) at the end")
    func truncatedWithoutIndex() throws {
        let media = try TestMedia()
        let whole = try media.video("whole.mp4")  // FFmpeg writes moov last unless +faststart
        let error = refusal(try media.truncated(whole, fraction: 0.3, name: "cut.mp4"))
        guard case .truncated(let detail)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("moov"))
        #expect(error?.code == "truncated")
        expectReadable(error)
    }

    @Test("an MP4 cut short with its index (moov) at the start")
    func truncatedFaststart() throws {
        let media = try TestMedia()
        let whole = try media.video("whole.mp4", outputOptions: ["-movflags", "+faststart"])
        let error = refusal(try media.truncated(whole, fraction: 0.3, name: "cut.mp4"))
        guard case .truncated(let detail)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("index refers to data"))
        expectReadable(error)
    }

    @Test("a Matroska file cut short: complete header, first frames decode, the rest is missing")
    func truncatedMatroska() throws {
        let media = try TestMedia()
        let whole = media.path("whole.mkv")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-f", "lavfi", "-i", "sine=duration=4",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", whole,
        ])
        #expect(refusal(whole) == nil)
        let error = refusal(try media.truncated(whole, fraction: 0.3, name: "cut.mkv"))
        guard case .truncated(let detail)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("of the 4 s its header declares"))
        expectReadable(error)
    }

    @Test("raw data named by its extension only is not media")
    func rawByExtension() throws {
        let media = try TestMedia()
        let file = try media.write(String(repeating: "\u{1}\u{2}\u{3}", count: 2000), name: "frames.yuv")
        let error = refusal(file)
        guard case .notMedia(let reason)? = error else {
            Issue.record("expected notMedia, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("rawvideo"))
    }

    @Test("longer than the limit")
    func tooLong() throws {
        let media = try TestMedia()
        let error = refusal(try media.video("clip.mp4"), limits: ProbeLimits(maxDuration: 1))
        guard case .tooLong(let duration, let max)? = error else {
            Issue.record("expected tooLong, got \(String(describing: error))")
            return
        }
        #expect(abs(duration - 2) < 0.1 && max == 1)
        #expect(error?.code == "too-long")
        #expect(error?.description == "the media lasts 2 s, longer than the 1 s allowed")
    }

    @Test("larger than the limit")
    func tooLarge() throws {
        let media = try TestMedia()
        let error = refusal(try media.video("clip.mp4", seconds: 1), limits: ProbeLimits(maxWidth: 320, maxHeight: 240))
        #expect(error == .tooLarge(width: 640, height: 360, maxWidth: 320, maxHeight: 240))
        #expect(error?.description == "the video is 640x360, larger than the 320x240 allowed")
    }

    @Test("more streams than the default limit of 16")
    func tooManyStreams() throws {
        let media = try TestMedia()
        let file = media.path("many.mkv")
        var arguments = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-map", "0:a"]
        for _ in 1..<17 { arguments += ["-map", "0:a"] }
        try media.ffmpeg(arguments + ["-c:a", "aac", file])
        let error = refusal(file)
        #expect(error == .tooManyStreams(count: 17, max: 16))
        #expect(error?.code == "too-many-streams")
        #expect(try MediaProbe.probe(path: file, limits: ProbeLimits(maxStreams: 17)).streams.count == 17)
    }

    @Test("every case has its own stable code and a sentence")
    func codes() {
        let cases: [MediaProbeError] = [
            .empty, .notMedia("no streams"), .stillImage("png_pipe"), .noDecodableStream,
            .truncated("x"), .tooLong(duration: 30000, max: 21600),
            .tooLarge(width: 1, height: 2, maxWidth: 3, maxHeight: 4), .tooManyStreams(count: 20, max: 16),
            .unreadable("permission denied"),
        ]
        #expect(Set(cases.map(\.code)).count == cases.count)
        for error in cases { expectReadable(error) }
        #expect(MediaProbeError.noDecodableStream.description == "no audio or video stream that can be decoded")
        #expect(
            MediaProbeError.tooLong(duration: 30000, max: 21600).description
                == "the media lasts 8:20:00, longer than the 6:00:00 allowed"
        )
    }
}
