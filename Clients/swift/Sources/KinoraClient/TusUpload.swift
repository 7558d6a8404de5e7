import Foundation
import OpenAPIRuntime

/// Uploads a file with tus 1.0 (`/api/v1/uploads`) in chunks: progress is known after each one
/// on every platform (URLSession on Linux reports none within a request), and a chunk that
/// fails on the network is resumed from the offset the server reports rather than sent again
/// from the start.
public struct TusUpload: Sendable {
    public let client: Client
    /// Bytes per PATCH request. Larger chunks cost fewer requests; smaller ones report
    /// progress more often and lose less to a dropped connection.
    public var chunkSize: Int
    /// How often a chunk is tried again after a network failure before giving up.
    public var networkRetries = 3

    public init(client: Client, chunkSize: Int = 4 << 20) {
        self.client = client
        self.chunkSize = max(1, chunkSize)
    }

    /// `Upload-Metadata` as tus encodes it: `key base64(value)` pairs, comma-separated.
    public static func encodeMetadata(_ pairs: [String: String]) -> String {
        pairs.sorted { $0.key < $1.key }.map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ",")
    }

    /// Uploads `file` and returns the new video's id. `metadata` takes the multipart form's
    /// fields (`title`, `visibility`, `channel`, …; `filename` is added). `progress` is called
    /// with the bytes the server holds and the file's size, after each chunk.
    public func upload(
        file: URL, metadata: [String: String] = [:], progress: @Sendable (_ sent: Int64, _ total: Int64) -> Void = { _, _ in }
    ) async throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let total = Int64(try handle.seekToEnd())
        var fields = metadata
        fields["filename"] = fields["filename"] ?? file.lastPathComponent
        let created = try await client.tusCreate(
            headers: .init(tusResumable: ._1_0_0, uploadLength: Int(total), uploadMetadata: Self.encodeMetadata(fields)))
        guard case .created(let answer) = created, let location = answer.headers.location,
            let id = location.split(separator: "/").last.map(String.init)
        else { throw UnexpectedAnswer("tusCreate", created) }

        var offset: Int64 = 0
        var failures = 0
        progress(0, total)
        while true {
            try handle.seek(toOffset: UInt64(offset))
            let chunk = try handle.read(upToCount: Int(min(Int64(chunkSize), total - offset))) ?? Data()
            do {
                let patched = try await client.tusPatch(
                    path: .init(id: id), headers: .init(tusResumable: ._1_0_0, uploadOffset: Int(offset)),
                    body: .applicationOffsetOctetStream(HTTPBody(chunk)))
                guard case .noContent(let answer) = patched else { throw UnexpectedAnswer("tusPatch", patched) }
                failures = 0
                if let video = answer.headers.kinoraVideoId {
                    progress(total, total)
                    return video
                }
                // Until the video exists the server holds the last byte back (see the README's
                // "tus uploads and crashes"): sending it again is how a client waits for it.
                offset = Int64(answer.headers.uploadOffset ?? Int(offset) + chunk.count)
                progress(offset, total)
            } catch {
                if let problem = KinoraProblem.from(error) {
                    switch problem.status {
                    case 423, 429:  // busy (ingesting) or rate-limited: wait as told, then again
                        try await Task.sleep(nanoseconds: UInt64(max(problem.retryAfter ?? 1, 1)) * 1_000_000_000)
                        continue
                    case 409:  // offset-mismatch: ask where the server is
                        offset = try await serverOffset(id)
                        continue
                    default:
                        throw problem
                    }
                }
                failures += 1
                guard failures <= networkRetries else { throw error }
                try await Task.sleep(nanoseconds: UInt64(failures) * 500_000_000)
                offset = try await serverOffset(id)
            }
        }
    }

    /// `Upload-Offset` from HEAD.
    func serverOffset(_ id: String) async throws -> Int64 {
        let head = try await client.tusHead(path: .init(id: id), headers: .init(tusResumable: ._1_0_0))
        guard case .ok(let answer) = head, let offset = answer.headers.uploadOffset else { throw UnexpectedAnswer("tusHead", head) }
        return Int64(offset)
    }
}
