import Foundation
import KinoraHost
import KinoraMediaContract
import Logging

/// Publishes a first pass while the worker makes it, so a viewer can start watching seconds
/// after the upload: each time every rendition has one more whole segment (the worker's
/// `partial` lines), their new files go to storage and the growing manifests are written
/// (``Publisher/publishGrowing(_:renditions:storage:)``).
///
/// The worker is faster than this only when storage is slow; then the newest state wins and
/// the ones in between are skipped (it names every earlier segment too). A failure here is
/// logged and ends the early publication, never the transcode: the video still becomes
/// playable when the first pass is complete.
final class GrowingPublication: Sendable {
    private let updates: AsyncStream<[Rendition]>
    private let continuation: AsyncStream<[Rendition]>.Continuation
    private let task: Task<Set<String>, Never>

    init(video: String, folder: String, storage: StorageClient, publisher: Publisher, logger: Logger) {
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        let updates = self.updates
        task = Task {
            var stored: Set<String> = []
            for await renditions in updates {
                do {
                    try await RenditionFiles.store(renditions, from: folder, video: video, storage: storage, skipping: &stored)
                    try await publisher.publishGrowing(video, renditions: renditions, storage: storage)
                } catch {
                    if !(error is CancellationError) {
                        logger.warning("the first pass is published when complete, not while it grows: \(error)", metadata: ["video": .string(video)])
                    }
                    break
                }
            }
            return stored
        }
    }

    /// The worker's newest common segments (called on its reader thread).
    func offer(_ renditions: [Rendition]) {
        continuation.yield(renditions)
    }

    /// Stops taking updates and waits for the publication in progress, so nothing growing is
    /// written after the complete first pass. Returns the files already stored.
    func finish() async -> Set<String> {
        continuation.finish()
        return await task.value
    }
}
