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
}
