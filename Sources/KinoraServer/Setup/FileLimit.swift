#if canImport(Glibc)
import Glibc
#endif

/// The daemon's descriptor limit. Every connection, stream file and database handle is a
/// descriptor, and the usual soft limit (1024) is reached by a few hundred players plus a
/// flood of half-open connections; the hard limit is usually far higher (systemd: 524288),
/// so the daemon raises its soft limit to it at start, as Go programs and nginx's
/// `worker_rlimit_nofile` do. The systemd unit sets `LimitNOFILE` as well.
enum FileLimit {
    /// Raises the soft limit to the hard one (at most `ceiling`); returns the limit in force.
    @discardableResult
    static func raiseToHardLimit(ceiling: rlim_t = 1 << 20) -> rlim_t {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        let wanted = min(limit.rlim_max, ceiling)
        guard limit.rlim_cur < wanted else { return limit.rlim_cur }
        var raised = limit
        raised.rlim_cur = wanted
        return setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 ? wanted : limit.rlim_cur
    }

    /// Closes inherited descriptors numbered at or above the limit in force. The daemon cannot
    /// have opened them itself, and posix_spawn refuses (EBADF) to set up a child while one is
    /// open: a parent that leaked high descriptors into a daemon started under a low limit
    /// would otherwise stop it from starting its module-inspecting child.
    static func closeDescriptors(atOrAbove limit: rlim_t) {
        guard limit > 0, let folder = opendir("/proc/self/fd") else { return }
        let own = dirfd(folder)
        var inherited: [Int32] = []
        while let entry = readdir(folder) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if let fd = Int32(name), fd != own, rlim_t(fd) >= limit { inherited.append(fd) }
        }
        closedir(folder)
        for fd in inherited { close(fd) }
    }
}
