import Foundation
import KinoraMediaContract
import Testing

/// The worker prints, the daemon reads: both through the contract's types.
@Suite struct WorkerLineTests {
    @Test func aTranscodeReplyNamesEveryMemberAndReadsBack() throws {
        let result = TranscodeResult(renditions: [], encoder: "libx264", fallback: nil)
        let line = try MediaJSON.encode(WorkerReply.success(result))
        #expect(line == #"{"encoder":"libx264","fallback":null,"ok":true,"passthrough_refusal":null,"renditions":[],"thumbnails":null}"#)
        guard case .finished(.success(let read)) = try MediaJSON.decode(TranscodeLine.self, from: line) else {
            Issue.record("not read as a finished transcode: \(line)")
            return
        }
        #expect(read == result)
    }

    @Test func progressAndRefusalLinesReadBack() throws {
        let progress = try MediaJSON.encode(WorkerProgress(progress: 0.42371, step: "encoding"))
        #expect(progress == #"{"progress":0.424,"step":"encoding"}"#)
        guard case .progress(let read) = try MediaJSON.decode(TranscodeLine.self, from: progress) else {
            Issue.record("not read as progress: \(progress)")
            return
        }
        #expect(read.progress == 0.424 && read.step == "encoding")

        let refusal = try MediaJSON.encode(WorkerReply<ProbeSuccess>.refusal(WorkerRefusal(code: "truncated", message: "the file ends early")))
        #expect(refusal == #"{"code":"truncated","message":"the file ends early","ok":false}"#)
        guard case .refusal(let readRefusal) = try MediaJSON.decode(WorkerReply<ProbeSuccess>.self, from: refusal) else {
            Issue.record("not read as a refusal: \(refusal)")
            return
        }
        #expect(readRefusal.code == "truncated")
    }

    @Test func aProbeReportKeepsTheDerivedValuesBesideTheInfo() throws {
        var stream = MediaStreamInfo(index: 0, kind: .video, codecName: "h264")
        stream.width = 1920
        stream.height = 1080
        stream.rotation = 90
        stream.codecString = "avc1.640028"
        let info = MediaInfo(
            container: "mov,mp4,m4a,3gp,3g2,mj2", containerLongName: nil, duration: 12.5, bitRate: nil,
            fileSize: 1000, streams: [stream], bestVideoIndex: 0, bestAudioIndex: nil,
            hasDecodableVideo: true, hasDecodableAudio: false)
        let text = try MediaJSON.encode(WorkerReply.success(ProbeSuccess(info: ProbeReport(info))))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let flat = try #require(object["info"] as? [String: Any])
        #expect(flat["displayWidth"] as? Int == 1080 && flat["displayHeight"] as? Int == 1920)
        #expect(flat["container"] as? String == "mov,mp4,m4a,3gp,3g2,mj2" && flat["codecStrings"] as? [String] == ["avc1.640028"])
        guard case .success(let read) = try MediaJSON.decode(WorkerReply<ProbeSuccess>.self, from: text) else {
            Issue.record("not read as a success: \(text)")
            return
        }
        #expect(read.info.info == info && read.info.displayWidth == 1080)
    }

    @Test func theLocalFileETagIsInodeSizeAndTime() {
        #expect(LocalFileETag.make(inode: 255, size: 16, modifiedNanoseconds: 4096) == #""ff-10-1000""#)
        #expect(LocalFileETag.nanoseconds(seconds: 2, nanoseconds: 5) == 2_000_000_005)
    }

    @Test func objectKeysFollowOneLayout() {
        let objects = VideoObjects("abc")
        #expect(objects.folder == "videos/abc/")
        #expect(objects.original == "videos/abc/original")
        #expect(objects.key("720p/init.mp4") == "videos/abc/720p/init.mp4")
        #expect(objects.caption("pt-BR") == "videos/abc/captions/pt-BR.vtt")
        #expect(objects.captionTrackFolder("en") == "videos/abc/text-en/")
    }
}
