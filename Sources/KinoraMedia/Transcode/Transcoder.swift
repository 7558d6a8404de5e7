import Foundation

/// How far a transcode is: `fraction` 0–1 of the input decoded, and the current step
/// ("probing", "encoding", "finishing", "done").
public struct TranscodeProgress: Sendable, Equatable {
    public var fraction: Double
    public var step: String

    public init(fraction: Double, step: String) {
        self.fraction = fraction
        self.step = step
    }
}

/// Transcodes one input into the ladder's CMAF renditions, on the FFmpeg libraries.
///
/// The input is decoded once; each video rung has its own scaler and H.264 encoder on its
/// own thread, fed through a bounded queue (memory stays flat); every rendition (audio too)
/// is cut at the same multiples of the segment duration, each segment starting with an IDR
/// frame of a closed GOP. Output: `<output>/<rendition id>/init.mp4` and `seg-00001.m4s`, …
///
/// With `options.progressive`, `segments` receives the renditions' first whole segments each
/// time every rendition has one more (on an encoding thread; calls never overlap), so a caller
/// can publish the video while it is made.
///
/// Blocking: call it from a worker thread or process. Errors are `TranscodeError`s; on
/// failure or cancellation the rendition folders it created are removed.
public enum Transcoder {
    public static func transcode(
        input path: String,
        output folder: String,
        options: TranscodeOptions = TranscodeOptions(),
        cancellation: TranscodeCancellation? = nil,
        progress: @escaping @Sendable (TranscodeProgress) -> Void = { _ in },
        segments: @escaping @Sendable ([Rendition]) -> Void = { _ in }
    ) throws(TranscodeError) -> TranscodeResult {
        FFmpegLogging.install()
        if let problem = TranscodeOptions.timingProblem(segmentSeconds: options.segmentSeconds, keyframeSeconds: options.effectiveKeyframeSeconds) {
            throw .invalidOptions(problem)
        }
        guard !options.steps.isEmpty, options.steps.allSatisfy({ $0.shortSide >= 2 && $0.bitRate > 0 }) else {
            throw .invalidOptions("the ladder needs steps with a short side and a bit rate")
        }
        progress(TranscodeProgress(fraction: 0, step: "probing"))
        let info: MediaInfo
        do {
            let unlimited = ProbeLimits(maxDuration: .infinity, maxWidth: .max, maxHeight: .max, maxStreams: .max)
            info = try MediaProbe.probe(path: path, limits: unlimited)
        } catch {
            throw .unreadable(error.description)
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code
            throw code == Int(ENOSPC) ? .noSpace(folder) : .writeFailed("\(folder): \(error.localizedDescription)")
        }

        var created: [String] = []
        do {
            let job = try TranscodeJob(
                path: path, folder: folder, info: info, options: options,
                cancellation: cancellation, progress: progress, published: segments
            ) { created.append($0) }
            let result = try job.run()
            progress(TranscodeProgress(fraction: 1, step: "done"))
            return result
        } catch {
            for id in created {
                try? FileManager.default.removeItem(atPath: folder + "/" + id)
            }
            throw error
        }
    }
}
