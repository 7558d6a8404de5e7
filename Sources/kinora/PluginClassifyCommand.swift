import ArgumentParser
import Foundation
import KinoraHost
import KinoraPluginABI
import KinoraPluginConformance

extension PluginCommand {
    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a file (or standard input) with a moderation instance and print its JSON verdict.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The moderation instance (plugins.d/<instance>.toml).") var instance: String
        @Option(name: .customLong("type"), help: "The content's media type.") var mediaType = ModerationConformance.textType
        @Argument(help: "The file to classify, or - for standard input.") var file: String

        func run() async throws {
            // Open the input first: a typo in the path should not wait for plugins to load.
            let fd = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CLIError("\(file): \(String(cString: strerror(errno)))") }
            defer { if fd != 0 { close(fd) } }
            var st = stat()
            if fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR { throw CLIError("\(file): is a folder, not a file") }

            let (registry, started) = try await PluginCommand.startInstance(instance, options: options)
            guard started.implements(KN_MODERATION_ID) else {
                await registry.stopAll()
                let declared = started.descriptor.interfaces.joined(separator: ", ")
                throw CLIError("\(instance): not a moderation instance (\(started.pluginID) implements \(declared))")
            }
            let verdict: String
            do {
                verdict = try ModerationConformance.classify(PluginUnderTest(started.rawPlugin), mediaType: mediaType, source: Self.source(fd, file))
            } catch let error as PluginCallFailure {
                await registry.stopAll()
                throw CLIError("\(instance): classifying \(file) failed: \(error)")
            }
            await registry.stopAll()
            print(verdict)
        }

        /// The file's bytes in 64 KiB chunks; a read error fails the plugin's reader with KN_E_IO.
        static func source(_ fd: Int32, _ name: String) -> ChunkSource {
            ChunkSource {
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    guard n >= 0 else { throw CLIError("\(name): \(String(cString: strerror(errno)))") }
                    return n == 0 ? nil : Array(chunk[0..<n])
                }
            }
        }
    }
}
