import Foundation
import KinoraCore
import Logging
import ServiceLifecycle

/// Deletes abandoned tus uploads (file and row) once `[uploads] tus_expiry_hours` have passed
/// since their creation: at start, then periodically until graceful shutdown. Between expiry
/// and the next sweep an upload answers 410; after it, 404. First, at start, it ingests the
/// complete uploads a killed daemon left without a video.
struct TusExpirySweep: Service {
    let uploads: TusUploads
    let logger: Logger

    /// A quarter of the expiry, between 1 second and 5 minutes.
    var interval: Duration { .milliseconds(Int64(min(300, max(1, uploads.expiry / 4)) * 1000)) }

    func run() async throws {
        await uploads.recoverInterruptedIngests(logger: logger)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let removed = try uploads.sweep()
                if removed > 0 { logger.info("removed expired tus uploads", metadata: ["count": .stringConvertible(removed)]) }
            } catch {
                logger.warning("tus expiry sweep failed: \(String(describing: error))")
            }
            let pause = interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}
