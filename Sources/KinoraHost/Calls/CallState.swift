import Dispatch
import KinoraPluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Everything one in-flight plugin call owns: the `kn_call_t` it lends the plugin, the
/// cancellation flag and the completion that resumes the awaiting task. Lives until the
/// plugin's completion has fired (the ABI lets a plugin complete after the operation
/// returns), even when the host stopped waiting for it at shutdown.
final class CallState: @unchecked Sendable {
    // `raw`, `requestID`, the closures and `owner` are written once in init; the flag is atomic.
    let raw: UnsafeMutablePointer<kn_call_t>
    private let requestID: UnsafeMutablePointer<CChar>?
    /// C copies of the operation's string arguments (keys, content types), freed with the state.
    let strings: [UnsafePointer<CChar>?]
    /// Which instance the call belongs to (``CompletionTickets`` owner tag), for shutdown and logs.
    let owner: UInt64
    private let cancelled = Atomic<Bool>(false)
    private let onComplete: (kn_status_t, UnsafePointer<kn_error_t>?, UnsafeRawPointer?) -> Void
    /// Runs when the plugin is really done with the call's streams: at its completion, which for
    /// a call given up at shutdown may come late or never.
    private let onRelease: (() -> Void)?

    init(
        requestID: String?, deadline: ContinuousClock.Instant?, strings: [String?] = [], owner: UInt64 = 0,
        onRelease: (() -> Void)? = nil,
        onComplete: @escaping (kn_status_t, UnsafePointer<kn_error_t>?, UnsafeRawPointer?) -> Void
    ) {
        self.requestID = requestID.flatMap { strdup($0) }
        self.strings = strings.map { $0.flatMap { UnsafePointer(strdup($0)) } }
        self.owner = owner
        self.onRelease = onRelease
        self.onComplete = onComplete
        raw = .allocate(capacity: 1)
        raw.initialize(
            to: kn_call_t(
                request_id: UnsafePointer(self.requestID),
                deadline_unix_ns: deadline.map(Self.unixNanoseconds) ?? 0,
                host_ctx: nil,
                is_cancelled: { call in
                    guard let data = call?.pointee.host_ctx else { return false }
                    return Unmanaged<CallState>.fromOpaque(data).takeUnretainedValue().isCancelled
                }
            ))
        raw.pointee.host_ctx = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        raw.deinitialize(count: 1)
        raw.deallocate()
        free(requestID)
        strings.forEach { free(UnsafeMutablePointer(mutating: $0)) }
    }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// The `kn_completion_t` to hand the plugin. Its ctx is a ticket, not this object's
    /// address: a second (buggy) invocation finds no ticket and is ignored instead of touching
    /// freed memory. Call once per call.
    func completion() -> kn_completion_t {
        kn_completion_t(
            ctx: CompletionTickets.shared.issue(self),
            complete: { ctx, status, err, result in
                // The ticket is redeemed once; a second completion, or a late one after the host
                // gave up at shutdown, gets nil and is ignored (and logged).
                guard let state = CompletionTickets.shared.redeem(ctx) else { return }
                state.finish(status: status, err: err, result: result)
            })
    }

    /// The plugin's completion: its streams are released, then the awaiting task resumes.
    private func finish(status: kn_status_t, err: UnsafePointer<kn_error_t>?, result: UnsafeRawPointer?) {
        onRelease?()
        onComplete(status, err, result)
    }

    /// The host stops waiting (shutdown): the awaiting task resumes with `unavailable`, but the
    /// key strings, the `kn_call_t` and the streams stay valid until the plugin completes.
    func abandon() {
        cancel()
        var err = kn_error_t()
        err.code = KN_E_UNAVAILABLE
        Self.setMessage(&err, "the daemon shut down before the plugin completed the call")
        onComplete(KN_E_UNAVAILABLE, &err, nil)
    }

    /// The late completion of an abandoned call: only the streams are released now.
    func releaseLate() { onRelease?() }

    static func setMessage(_ err: inout kn_error_t, _ text: String) {
        let bytes = Array(text.utf8.prefix(Int(KN_ERROR_MESSAGE_MAX) - 1)) + [0]
        withUnsafeMutableBytes(of: &err.message) { $0.copyBytes(from: bytes) }
    }

    private static func unixNanoseconds(_ deadline: ContinuousClock.Instant) -> Int64 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let (seconds, attoseconds) = remaining.components
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) + seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
