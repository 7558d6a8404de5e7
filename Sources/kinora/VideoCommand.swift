import ArgumentParser
import KinoraHost
import KinoraServer
import KinoraStore

struct VideoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video", abstract: "Manage videos.", subcommands: [Retranscode.self])

    struct Retranscode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild renditions from the kept originals (after a ladder or codec change). The running daemon picks the jobs up.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The video id (omit with --all).") var id: String?
        @Flag(help: "Every video with a kept original.") var all = false

        func validate() throws {
            guard (id == nil) != !all else { throw ValidationError("give a video id or --all, not both") }
        }

        func run() async throws {
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let database = try CLIError.wrap { try DatabaseOpening.open(setup.config) }
            _ = try CLIError.wrap { try database.migrate() }
            let ids = try all ? database.jobs.videosWithOriginals() : [id ?? ""]
            var queued = 0
            for id in ids {
                guard let video = try database.videos.find(id) else { throw CLIError("\(id): no such video") }
                guard video.originalKey != nil else { throw CLIError("\(id): the original was not kept; it cannot be rebuilt") }
                if try database.jobs.enqueueTranscode(videoID: id) {
                    queued += 1
                } else {
                    print("\(id): a transcode is already queued or running")
                }
            }
            print("queued \(queued) transcode job(s)")
        }
    }
}
