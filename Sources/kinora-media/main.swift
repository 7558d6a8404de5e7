import Foundation
import KinoraMedia

// kinora-media: the daemon's media worker. It is the only program that links the FFmpeg
// libraries, so a hostile file that crashes a decoder takes down one worker process, never
// the daemon, and the idle daemon does not carry FFmpeg's dozens of libraries in memory.
//
//   kinora-media probe FILE [--max-duration S] [--max-width W] [--max-height H] [--max-streams N]
//       prints {"ok":true,"info":{…}} or {"ok":false,"code":"not-media","message":"…"}; exit 0
//   kinora-media versions
//       prints the linked FFmpeg library versions and which encoders exist
//   kinora-media transcode INPUT OUTDIR [--segment-seconds 4] [--preset veryfast] [--rungs 240,360,…]
//                          [--encoder libx264] [--first-pass-only] [--no-passthrough] [--remux-only]
//       writes OUTDIR/<rendition>/init.mp4 + seg-NNNNN.m4s; prints {"progress":…,"step":…} lines,
//       then {"ok":true,"renditions":[…],"encoder":…,"fallback":…} or {"ok":false,"code":…,"message":…}
//   kinora-media avatar INPUT OUTDIR
//       writes OUTDIR/256.jpg and OUTDIR/64.jpg (centre square of the first picture); prints
//       {"ok":true,"width":…,"height":…} or {"ok":false,"code":"bad-image","message":…}

FFmpegLogging.install()
let arguments = Array(CommandLine.arguments.dropFirst())

func emit(_ object: [String: Any]) -> Never {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
    exit(0)
}

/// Prints one line of the contract the daemon decodes (``MediaJSON``).
/// One JSON object a line. Locked: a progressive transcode prints from its encoding threads
/// too, and a line must never be split by another.
func printLine(_ value: some Encodable) {
    let text = (try? MediaJSON.encode(value)) ?? #"{"ok":false,"code":"unreadable","message":"the result could not be encoded"}"#
    outputLock.withLock { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
}

private let outputLock = NSLock()

/// Prints the command's reply and exits 0: a refusal is an answer, not a failure.
func reply<Success: Codable & Sendable>(_ reply: WorkerReply<Success>) -> Never {
    printLine(reply)
    exit(0)
}

func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            "usage: kinora-media probe FILE [--max-duration S] [--max-width W] [--max-height H] [--max-streams N] | versions | \(TranscodeCommand.usage) | \(AvatarCommand.usage)\n"
                .utf8))
    exit(2)
}

func option(_ name: String) -> Double? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return Double(arguments[index + 1])
}

switch arguments.first {
case "probe":
    guard arguments.count >= 2 else { usage() }
    var limits = ProbeLimits.default
    if let value = option("--max-duration") { limits.maxDuration = value }
    if let value = option("--max-width") { limits.maxWidth = Int(value) }
    if let value = option("--max-height") { limits.maxHeight = Int(value) }
    if let value = option("--max-streams") { limits.maxStreams = Int(value) }
    do {
        let info = try MediaProbe.probe(path: arguments[1], limits: limits)
        reply(WorkerReply.success(ProbeSuccess(info: ProbeReport(info))))
    } catch let error as MediaProbeError {
        reply(WorkerReply<ProbeSuccess>.refusal(WorkerRefusal(code: error.code, message: error.description)))
    } catch {
        reply(WorkerReply<ProbeSuccess>.refusal(WorkerRefusal(code: "unreadable", message: String(describing: error))))
    }
case "versions":
    let versions = FFmpegVersions.current
    let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(versions))) ?? [:]
    // Built into the library is not the same as usable here (no GPU, no driver): an encoder
    // counts only if it opens, as the transcoder would open it.
    var usable: [String: Bool] = [:]
    for (name, present) in EncoderProbe.available() {
        usable[name] = present && (name == "aac" || ((try? EncoderChoice.choose(name))?.isFallback == false))
    }
    emit(["ffmpeg": encoded, "encoders": usable])
case "transcode":
    TranscodeCommand.run(Array(arguments.dropFirst()))
case "avatar":
    AvatarCommand.run(Array(arguments.dropFirst()))
default:
    usage()
}
