#if canImport(Glibc)
import Glibc
#endif

/// Bytes available to an unprivileged writer on the file system holding `path`.
func freeBytes(at path: String) -> Int64? {
    var st = statvfs()
    guard statvfs(path, &st) == 0 else { return nil }
    return Int64(st.f_bavail) * Int64(st.f_frsize)
}

/// How many times an upload's size an ingest writes to the data disk: the received file, then
/// the original's copy in media storage (the local storage plugin copies it, on the same disk
/// by default; with S3 the second copy goes elsewhere, and the check errs on the safe side).
let ingestCopies: Int64 = 2

/// Refuses (507) when storing `incoming` more bytes would leave less than `reserve` free.
func requireFreeSpace(at path: String, incoming: Int64, reserve: Int64) throws {
    guard let free = freeBytes(at: path) else { return }
    if free - incoming < reserve {
        throw Problem(.init(code: 507, reasonPhrase: "Insufficient Storage"), type: "insufficient-storage", title: "Not enough disk space",
                      detail: "\(free >> 20) MiB free at \(path); this needs \(incoming >> 20) MiB and keeps \(reserve >> 20) MiB in reserve ([uploads] min_free_bytes)")
    }
}
