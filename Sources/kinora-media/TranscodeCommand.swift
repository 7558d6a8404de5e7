import Foundation
import KinoraMedia

/// `kinora-media transcode INPUT OUTDIR [--segment-seconds 4] [--keyframe-seconds 2] [--preset veryfast]
///  [--rungs 240,360,...] [--encoder libx264] [--first-pass-only] [--thumbnails] [--no-audio]
///  [--no-passthrough] [--remux-only] [--max-audio-tracks 8] [--no-surround] [--progressive]`
///
/// Writes OUTDIR/<rendition id>/init.mp4 and seg-NNNNN.m4s (and OUTDIR/thumbs/ with
/// `--thumbnails`); prints one JSON object a line:
/// `{"progress":0.42,"step":"encoding"}` while it works (and with `--progressive`
/// `{"partial":[…renditions…]}` each time every rendition has one more whole segment), then
/// `{"ok":true,"renditions":[…],"encoder":"libx264","fallback":null,"passthrough_refusal":null}`
/// (the refusal says why the top rung was encoded rather than copied) or
/// `{"ok":false,"code":"…","message":"…"}`. Exit status 0 either way; 2 for bad usage.
/// SIGTERM/SIGINT cancel cooperatively (the partial renditions are removed).
enum TranscodeCommand {
    static let usage =
        "transcode INPUT OUTDIR [--segment-seconds S] [--keyframe-seconds K] [--preset P] [--rungs 240,360,…] [--encoder NAME] [--first-pass-only] [--thumbnails] [--no-audio] [--no-passthrough] [--remux-only] [--max-audio-tracks N] [--no-surround] [--progressive]"

    static func run(_ arguments: [String]) -> Never {
        var positional: [String] = []
        var options = TranscodeOptions()
        var index = 0
        func value(_ name: String) -> String {
            index += 1
            guard index < arguments.count else { fail(usage: "\(name) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--segment-seconds":
                guard let seconds = Double(value(argument)) else { fail(usage: "--segment-seconds takes a number") }
                options.segmentSeconds = seconds
            case "--keyframe-seconds":
                guard let seconds = Double(value(argument)) else { fail(usage: "--keyframe-seconds takes a number") }
                options.keyframeSeconds = seconds
            case "--preset":
                options.preset = value(argument)
            case "--encoder":
                options.encoder = value(argument)
            case "--rungs":
                let list = value(argument).split(separator: ",").map {
                    Int($0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "p", with: ""))
                }
                guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else { fail(usage: "--rungs takes short sides: 240,360,720") }
                options.onlyShortSides = list.compactMap { $0 }
            case "--first-pass-only":
                options.firstPassOnly = true
            case "--thumbnails":
                options.thumbnails = true
            case "--no-audio":
                options.audio = false
            case "--no-passthrough":
                options.passthrough = false
            case "--remux-only":
                options.remuxOnly = true
            case "--max-audio-tracks":
                guard let count = Int(value(argument)), count >= 1 else { fail(usage: "--max-audio-tracks takes a number from 1") }
                options.maxAudioTracks = count
            case "--no-surround":
                options.surround = false
            case "--progressive":
                options.progressive = true
            default:
                if argument.hasPrefix("--") { fail(usage: "unknown option \(argument)") }
                positional.append(argument)
            }
            index += 1
        }
        guard positional.count == 2 else { fail(usage: "INPUT and OUTDIR are required") }
        if options.remuxOnly, !options.passthrough || options.firstPassOnly || options.onlyShortSides != nil {
            fail(usage: "--remux-only copies the top rung: it cannot be combined with --no-passthrough, --first-pass-only or --rungs")
        }

        let cancellation = TranscodeCancellation()
        installCancellation(cancellation)
        do {
            let result = try Transcoder.transcode(
                input: positional[0], output: positional[1], options: options,
                cancellation: cancellation
            ) { progress in
                printLine(WorkerProgress(progress: progress.fraction, step: progress.step))
            } segments: { renditions in
                printLine(WorkerPartial(partial: renditions))
            }
            reply(WorkerReply.success(result))
        } catch {
            reply(WorkerReply<TranscodeResult>.refusal(WorkerRefusal(code: error.code, message: error.description)))
        }
    }

    static func fail(usage message: String) -> Never {
        FileHandle.standardError.write(Data("kinora-media: \(message)\nusage: kinora-media \(usage)\n".utf8))
        exit(2)
    }

    /// SIGTERM and SIGINT set the cancellation flag; the transcoder stops at its next packet.
    static func installCancellation(_ cancellation: TranscodeCancellation) {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { cancellation.cancel() }
            source.resume()
            signalSources.append(source)
        }
        // A daemon killed with -9 cannot stop its workers: notice being orphaned (re-parented)
        // and stop, rather than burn CPU on work nobody will collect.
        let parent = getppid()
        let orphanCheck = DispatchSource.makeTimerSource(queue: .global())
        orphanCheck.schedule(deadline: .now() + 1, repeating: 1)
        orphanCheck.setEventHandler { if getppid() != parent { cancellation.cancel() } }
        orphanCheck.resume()
        timerSources.append(orphanCheck)
    }

    nonisolated(unsafe) static var timerSources: [any DispatchSourceTimer] = []

    nonisolated(unsafe) static var signalSources: [any DispatchSourceSignal] = []
}
