import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Waits for the child and returns its exit status, or the signal that ended it
    /// (`signaled`), asking the kernel (`waitpid`).
    ///
    /// Why not `waitUntilExit()`: on Linux, Foundation learns of a child's exit when a socket
    /// the child inherited closes, and a long-lived child that another thread started at the
    /// same moment can inherit that socket too; `waitUntilExit()` then returns only when that
    /// one exits. A CI run hung on it with a killed plugin inspection. When Foundation reaped
    /// the child first (ECHILD), it knows the status.
    public func kernelExitStatus() -> (status: Int32, signaled: Bool) {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(processIdentifier, &status, 0)
            if reaped == processIdentifier {
                let signal = status & 0x7f
                return signal == 0 ? ((status >> 8) & 0xff, false) : (signal, true)
            }
            if reaped < 0 && errno == EINTR { continue }
            break
        }
        waitUntilExit()
        return (terminationStatus, terminationReason == .uncaughtSignal)
    }
}
