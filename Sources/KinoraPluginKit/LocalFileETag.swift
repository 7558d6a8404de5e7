import KinoraMediaContract

/// The ETag of a local file (inode, size, modification time): a storage plugin serving files
/// from a local disk must report the one the daemon's stream route computes for the same file,
/// so both come from the media contract.
public typealias LocalFileETag = KinoraMediaContract.LocalFileETag
