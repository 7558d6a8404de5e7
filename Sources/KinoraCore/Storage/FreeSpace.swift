#if canImport(Glibc)
import Glibc
#endif

/// Bytes available to an unprivileged writer on the file system holding `path`.
public func freeBytes(at path: String) -> Int64? {
    var st = statvfs()
    guard statvfs(path, &st) == 0 else { return nil }
    return Int64(st.f_bavail) * Int64(st.f_frsize)
}

/// How many times an upload's size an ingest writes to the data disk: the received file, then
/// the original's copy in media storage (the local storage plugin copies it, on the same disk
/// by default; with S3 the second copy goes elsewhere, and the check errs on the safe side).
public let ingestCopies: Int64 = 2

/// Refuses when storing `incoming` more bytes would leave less than `reserve` free.
public func requireFreeSpace(at path: String, incoming: Int64, reserve: Int64) throws(InsufficientStorage) {
    guard let free = freeBytes(at: path) else { return }
    if free - incoming < reserve {
        throw InsufficientStorage(
            detail:
                "\(free >> 20) MiB free at \(path); this needs \(incoming >> 20) MiB and keeps \(reserve >> 20) MiB in reserve ([uploads] min_free_bytes)"
        )
    }
}

/// The data disk (or a storage plugin's) is too full for the work: `insufficient-storage`,
/// in words an administrator can act on wherever it is stored or shown.
public struct InsufficientStorage: DomainError, CustomStringConvertible {
    public var detail: String?

    public init(detail: String) {
        self.detail = detail
    }

    public var problemType: ProblemType { .insufficientStorage }
    public var description: String { "\(title): \(detail ?? "")" }
}
