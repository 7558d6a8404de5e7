import Dispatch
import KinoraPluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Everything one in-flight plugin call owns: the `kn_call_t` it lends the plugin, the
/// cancellation flag and the completion that resumes the awaiting task. Lives until the
/// completion has fired (the ABI lets a plugin complete after the operation returns).
final class CallState: @unchecked Sendable {
    // `raw`, `requestID` and `onComplete` are written once in init; the flags are atomics.
    let raw: UnsafeMutablePointer<kn_call_t>
    private let requestID: UnsafeMutablePointer<CChar>?
    /// C copies of the operation's string arguments (keys, content types), freed with the state.
    let strings: [UnsafePointer<CChar>?]
    private let cancelled = Atomic<Bool>(false)
    private let completed = Atomic<Bool>(false)
    private let onComplete: (kn_status_t, UnsafePointer<kn_error_t>?, UnsafeRawPointer?) -> Void

    init(
        requestID: String?, deadline: ContinuousClock.Instant?, strings: [String?] = [],
        onComplete: @escaping (kn_status_t, UnsafePointer<kn_error_t>?, UnsafeRawPointer?) -> Void
    ) {
        self.requestID = requestID.flatMap { strdup($0) }
        self.strings = strings.map { $0.flatMap { UnsafePointer(strdup($0)) } }
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

    /// The `kn_completion_t` to hand the plugin; it keeps this state alive until it fires.
    func completion() -> kn_completion_t {
        kn_completion_t(
            ctx: Unmanaged.passRetained(self).toOpaque(),
            complete: { ctx, status, err, result in
                guard let ctx else { return }
                let state = Unmanaged<CallState>.fromOpaque(ctx).takeUnretainedValue()
                // A buggy plugin completing twice must not resume a continuation twice or over-release.
                guard state.completed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
                    return
                }
                state.onComplete(status, err, result)
                Unmanaged<CallState>.fromOpaque(ctx).release()
            })
    }

    private static func unixNanoseconds(_ deadline: ContinuousClock.Instant) -> Int64 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let (seconds, attoseconds) = remaining.components
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) + seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
