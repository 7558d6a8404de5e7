import Foundation
import KinoraTestSupport

/// `kinora` linked into a folder of its own, beside a `kinora-media` wrapper a test steers
/// with files, so a crash can be placed exactly: `hold-<command>` makes that worker command
/// wait (each waiting worker leaves `held-<pid>`) until the file goes; `kill-<command>` makes
/// it die of SIGKILL, as a decoder crashing on a hostile file would; `freeze-<command>` stops
/// that worker (SIGSTOP, leaving `frozen-<pid>`) right after it printed its first progressive
/// `partial` line, so the state the daemon published from it can be looked at. Everything else
/// runs the real worker.
struct GatedMediaWorker {
    let folder: String
    var executable: String { folder + "/kinora" }
    /// The daemon finds the bundled plugins in the build folder, not beside this copy.
    var config: String { "[plugins]\nfolders = [\"\(TestEnvironment.buildDirectory)\"]\n" }

    /// A daemon on `dir`/data running this copy, configured by `dir`/kinora.toml, which gets
    /// ``config`` and `extraConfig` the first time; call again for the same daemon after a kill.
    func daemon(in dir: String, extraConfig: String = "") throws -> DaemonProcess {
        let file = dir + "/kinora.toml"
        if !FileManager.default.fileExists(atPath: file) {
            try (config + extraConfig).write(toFile: file, atomically: true, encoding: .utf8)
        }
        return try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", file], executable: executable)
    }

    init(in dir: String) throws {
        folder = dir + "/bin"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A hard link: the daemon finds kinora-media beside /proc/self/exe, which a symbolic
        // link would resolve back to the build folder.
        if link(TestEnvironment.kinoraExecutable, executable) != 0 {
            try FileManager.default.copyItem(atPath: TestEnvironment.kinoraExecutable, toPath: executable)
        }
        let script = """
            #!/bin/sh
            gate='\(folder)'
            if [ -e "$gate/kill-$1" ]; then kill -9 $$; fi
            if [ -e "$gate/hold-$1" ]; then
              : > "$gate/held-$$"
              while [ -e "$gate/hold-$1" ]; do sleep 0.02; done
              rm -f "$gate/held-$$"
            fi
            worker='\(TestEnvironment.buildDirectory)/kinora-media'
            if [ -e "$gate/freeze-$1" ]; then
              fifo="$gate/out-$$"
              mkfifo "$fifo"
              "$worker" "$@" > "$fifo" &
              child=$!
              while IFS= read -r line; do
                printf '%s\n' "$line"
                case "$line" in
                  *'"partial"'*)
                    if [ -e "$gate/freeze-$1" ] && [ ! -e "$gate/frozen-$child" ]; then
                      kill -STOP "$child"
                      : > "$gate/frozen-$child"
                    fi ;;
                esac
              done < "$fifo"
              wait "$child"
              status=$?
              rm -f "$fifo" "$gate/frozen-$child"
              exit $status
            fi
            exec "$worker" "$@"

            """
        try script.write(toFile: folder + "/kinora-media", atomically: true, encoding: .utf8)
        chmod(folder + "/kinora-media", 0o755)
    }

    func hold(_ command: String) { FileManager.default.createFile(atPath: folder + "/hold-" + command, contents: nil) }
    func release(_ command: String) { try? FileManager.default.removeItem(atPath: folder + "/hold-" + command) }
    func crash(_ command: String) { FileManager.default.createFile(atPath: folder + "/kill-" + command, contents: nil) }

    /// Workers waiting at a hold now.
    var held: [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name in
            name.hasPrefix("held-") ? Int32(name.dropFirst("held-".count)) : nil
        }
    }

    /// Stops the next `command` worker after its first progressive report.
    func freeze(_ command: String) { FileManager.default.createFile(atPath: folder + "/freeze-" + command, contents: nil) }

    /// The workers stopped by ``freeze(_:)``.
    var frozen: [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name in
            name.hasPrefix("frozen-") ? Int32(name.dropFirst("frozen-".count)) : nil
        }
    }

    /// Lets every frozen worker go on, and freezes no more.
    func thaw(_ command: String) {
        try? FileManager.default.removeItem(atPath: folder + "/freeze-" + command)
        for pid in frozen { kill(pid, SIGCONT) }
    }

    /// Waits until `count` workers are held.
    func waitUntilHeld(_ count: Int, timeout: Duration = .seconds(60)) async throws {
        let reached = await DaemonProcess.poll(timeout: timeout) { held.count >= count ? true : nil }
        guard reached == true else { throw TestFailure("\(held.count) of \(count) media workers reached the hold") }
    }

    /// Kills the held workers (their daemon is gone) and lifts every hold.
    func killHeld() {
        for pid in held {
            kill(pid, SIGKILL)
            try? FileManager.default.removeItem(atPath: folder + "/held-\(pid)")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix("hold-") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}
