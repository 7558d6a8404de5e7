import Foundation
import KinoraHost

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Waits for the child to exit and returns its status as `terminationStatus` would.
    ///
    /// Why not `waitUntilExit()`: on Linux, Foundation learns of a child's exit when a socket
    /// the child inherited closes. A child spawned at the same moment by another test (a
    /// daemon that runs for minutes) can inherit that socket too, and then the exit is not
    /// noticed until that one exits: a CI run hung with the children zombies and every
    /// `waitUntilExit()` blocked. The kernel's `waitpid` has no such blind spot. When Foundation
    /// reaped the child first (ECHILD), it knows the status.
    public func waitForExit() -> Int32 {
        waitForExitStatus().status
    }

    /// The exit status, or the signal number when a signal ended the child (`signaled`):
    /// ``Process/kernelExitStatus()``, the daemon's own.
    public func waitForExitStatus() -> (status: Int32, signaled: Bool) {
        kernelExitStatus()
    }

    /// Whether the child has exited, asked of the kernel without reaping it (`WNOWAIT`):
    /// `isRunning` has `waitUntilExit()`'s blind spot.
    public var hasExited: Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT)
        if result < 0 { return errno == ECHILD }  // reaped already
        return info._sifields._sigchld.si_pid == processIdentifier
    }
}
