/// The ETag of a file on a local disk: inode, size and modification time in hexadecimal.
///
/// Two parties compute it for the same file and must agree: the local storage plugin (in the
/// object info it reports) and the stream route (serving the file it opened itself, without
/// asking the plugin). A client's If-None-Match then matches whichever of them answered.
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
