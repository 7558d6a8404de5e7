import Foundation
import KinoraClient

/// `list [--catalog] [--limit N]`: your videos (every visibility) when logged in, else, or with
/// `--catalog`, the public catalog; one line each: id, status, visibility, title.
enum List {
    static func run(_ words: ArraySlice<String>) async throws {
        let arguments = try Arguments(words, options: ["limit", "server"], flags: ["catalog"])
        _ = try arguments.expectPositional([])
        let limit = try arguments.integer("limit", in: 1...10_000) ?? 100
        let saved = try CredentialsFile.load()
        let catalog = arguments.has("catalog") || saved == nil
        let client = catalog ? try Session.anonymousClient(server: arguments[option: "server"]) : try Session.load().client

        var cursor: String?
        var printed = 0
        repeat {
            let answer = try await client.listVideos(
                query: .init(limit: min(100, limit - printed), cursor: cursor, owner: catalog ? nil : .me))
            guard case .ok(let ok) = answer, case .json(let page) = ok.body else { throw UnexpectedAnswer("listVideos", answer) }
            for video in page.items {
                print([video.id, video.status.rawValue, video.visibility.rawValue, video.title].joined(separator: "\t"))
            }
            printed += page.items.count
            cursor = page.nextCursor
        } while cursor != nil && printed < limit
    }
}

/// `play-url ID [--wait SECONDS]`: the video's HLS master playlist URL, once it is playable.
enum PlayURL {
    static func run(_ words: ArraySlice<String>) async throws {
        let arguments = try Arguments(words, options: ["wait", "server"])
        let id = try arguments.expectPositional(["ID"])[0]
        let wait = try arguments.integer("wait", in: 0...86_400) ?? 0
        // Signed in, private and scheduled videos of yours are found too.
        let session = arguments[option: "server"] == nil ? (try? Session.load()) : nil
        let client = try session?.client ?? Session.anonymousClient(server: arguments[option: "server"])
        let serverURL = try session?.serverURL ?? Session.url(arguments[option: "server"] ?? ProcessInfo.processInfo.environment["KINORA_SERVER"] ?? "")

        let deadline = Date().addingTimeInterval(Double(wait))
        while true {
            let answer = try await client.getVideo(path: .init(id: id))
            guard case .ok(let ok) = answer, case .json(let video) = ok.body else { throw UnexpectedAnswer("getVideo", answer) }
            if video.status == .failed { throw CommandError("video \(id) failed to process: \(video.error ?? "no reason given")") }
            if video.playable, let hls = video.manifests?.hls {
                guard let url = URL(string: hls, relativeTo: serverURL.appendingPathComponent("/")) else {
                    throw CommandError("the server gave an unreadable HLS URL: \(hls)")
                }
                print(url.absoluteString)
                return
            }
            guard Date() < deadline else {
                let percent = video.progress?.percent.map { ", \($0)%" } ?? ""
                throw CommandError(
                    "video \(id) is not playable yet (\(video.status.rawValue)\(percent))"
                        + (wait == 0 ? ": pass --wait SECONDS to wait for it" : " after \(wait) s"))
            }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
    }
}
