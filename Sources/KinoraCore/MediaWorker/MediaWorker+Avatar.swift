import Foundation
import KinoraMediaContract

extension MediaWorker {
    /// Makes `<folder>/256.jpg` and `<folder>/64.jpg` from the picture at `path`; a file that
    /// is no usable picture is ``MediaWorkerError/badImage(_:)``.
    public func avatar(_ path: String, folder: String) async throws {
        let output: Data
        do {
            output = try await run(["avatar", path, folder])
        } catch let failure as MediaWorkerError {
            guard case .crashed = failure else { throw failure }
            throw MediaWorkerError.badImage(failure.detail)
        }
        guard let reply = try? MediaJSON.decode(WorkerReply<AvatarReport>.self, from: output) else {
            throw MediaWorkerError.noResult
        }
        if case .refusal(let refusal) = reply {
            throw MediaWorkerError.badImage(refusal.message)
        }
    }
}
