import Foundation
import Hummingbird
import KinoraStore
import NIOCore

/// `GET /api/v1/videos/{id}/events`: processing progress as Server-Sent Events. One `progress`
/// event whenever percent, step, status or playability changes, a `ready` or `failed` event at
/// the end, then the stream closes. Comments keep proxies from timing the stream out.
struct VideoEvents {
    let database: KinoraDatabase
    var interval: Duration = .milliseconds(500)
    var maximumDuration: Duration = .seconds(6 * 3600)

    func response(for video: VideoRecord) -> Response {
        let database = self.database
        let interval = self.interval
        let limit = maximumDuration
        let body = ResponseBody { writer in
            let started = ContinuousClock.now
            var last = ""
            var quietFor: Duration = .zero
            while ContinuousClock.now - started < limit {
                guard let current = try database.videos.find(video.id) else {
                    try await writer.write(ByteBuffer(string: "event: deleted\ndata: {}\n\n"))
                    break
                }
                let job = try database.videos.jobProgress(videoID: current.id)
                let object = VideoJSON.object(
                    current, job: job.map { ($0.state, $0.progress, $0.step) },
                    presentation: try database.videos.presentation(current.id), etaSeconds: job?.etaSeconds)
                let summary: [String: Any] = [
                    "id": current.id, "status": current.status, "playable": object["playable"] ?? false,
                    "progress": object["progress"] ?? [:], "error": current.error ?? NSNull(),
                ]
                let data = String(decoding: try VideoJSON.data(summary), as: UTF8.self)
                if data != last {
                    last = data
                    quietFor = .zero
                    try await writer.write(ByteBuffer(string: "event: progress\ndata: \(data)\n\n"))
                } else if quietFor >= .seconds(15) {
                    quietFor = .zero
                    try await writer.write(ByteBuffer(string: ": still processing\n\n"))
                }
                if current.status == "ready" || current.status == "failed" {
                    try await writer.write(ByteBuffer(string: "event: \(current.status)\ndata: \(data)\n\n"))
                    break
                }
                try await Task.sleep(for: interval)
                quietFor += interval
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no",
            ], body: body)
    }
}
