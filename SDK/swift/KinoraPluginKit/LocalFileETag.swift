/// The ETag of a file on a local disk, as `kinora.storage.localfile/1` defines it in
/// `plugin.h`: inode, size and modification time in lowercase hexadecimal, quoted.
///
/// A storage plugin that offers the local-file fast path must report this ETag, because the
/// daemon serves such files itself and computes the same value for the file it opened; a
/// client's If-None-Match then matches whichever of them answered.
///
/// ```swift
/// let etag = LocalFileETag.make(
///     inode: UInt64(st.st_ino), size: Int64(st.st_size),
///     modifiedNanoseconds: LocalFileETag.nanoseconds(seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec))
/// ```
public enum LocalFileETag {
    /// `"<inode>-<size>-<mtime ns>"`, quoted as the header carries it.
    public static func make(inode: UInt64, size: Int64, modifiedNanoseconds: Int64) -> String {
        "\"" + String(inode, radix: 16) + "-" + String(UInt64(size), radix: 16) + "-"
            + String(UInt64(bitPattern: modifiedNanoseconds), radix: 16) + "\""
    }

    /// Nanoseconds since the epoch from a `timespec`'s two fields.
    public static func nanoseconds(seconds: Int, nanoseconds: Int) -> Int64 {
        Int64(seconds) * 1_000_000_000 + Int64(nanoseconds)
    }
}
