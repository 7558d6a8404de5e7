import Foundation
import KinoraCore
import KinoraMediaContract
import XCTest

/// A failure of the pipeline is stored as a job's reason and shown to administrators: it must
/// read as a sentence, and a refusal must keep the problem type clients switch on.
final class PipelineFailureTests: XCTestCase {
    func testAFullDiskIsASentenceNotADump() throws {
        XCTAssertThrowsError(try requireFreeSpace(at: NSTemporaryDirectory(), incoming: 1 << 62, reserve: 0)) { error in
            guard let full = error as? InsufficientStorage else { return XCTFail("\(error)") }
            XCTAssertEqual(full.problemType, .insufficientStorage)
            XCTAssertEqual(full.refusal, .insufficientStorage)
            let reason = IngestFailure.reason(error)
            XCTAssertTrue(reason.hasPrefix("Not enough disk space: "), reason)
            XCTAssertTrue(reason.hasSuffix("min_free_bytes)."), reason)
            XCTAssertFalse(reason.contains("InsufficientStorage("), reason)
        }
    }

    func testProbeRefusalsKeepTheirProblemType() {
        for code in ["not-media", "truncated", "too-long", "too-large", "still-image", "no-decodable-stream", "unreadable"] {
            let error = MediaWorkerError.refused(WorkerRefusal(code: code, message: "the file is not a usable video"))
            XCTAssertEqual(error.problemType.rawValue, code)
            XCTAssertEqual(error.refusal, .unprocessable)
            XCTAssertEqual(error.title, "Not a usable video")
            XCTAssertEqual(IngestFailure.reason(error), "Not a usable video: the file is not a usable video.")
        }
        // A code the daemon does not know still refuses the file, as not media.
        XCTAssertEqual(MediaWorkerError.refused(WorkerRefusal(code: "new-code", message: "m")).problemType, .notMedia)
    }

    func testAWorkerCrashIsTheFilesFaultAndAMissingWorkerIsOurs() {
        let crashed = MediaWorkerError.crashed(how: "was killed by signal 9", timeLimitSeconds: 120)
        XCTAssertEqual(crashed.problemType, .mediaWorkerFailed)
        XCTAssertEqual(crashed.refusal, .unprocessable)
        XCTAssertEqual(crashed.detail, "the media worker was killed by signal 9 on this file (time limit 120 s)")
        XCTAssertEqual(MediaWorkerError.noResult.refusal, .internalError)
        XCTAssertEqual(MediaWorkerError.missing(executable: "/x/kinora-media").refusal, .unavailable)
    }

    func testATranscodeFailureAndACancelAreSentences() {
        XCTAssertEqual(
            IngestFailure.reason(TranscodeFailure(description: "the media worker exited with status 1 without a result")),
            "The media worker exited with status 1 without a result.")
        XCTAssertEqual(IngestFailure.reason(CancellationError()), "The work was cancelled.")
        XCTAssertEqual(IngestFailure.domainError(POSIXError(.ENOSPC)).problemType, .insufficientStorage)
    }
}
