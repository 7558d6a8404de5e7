#if canImport(Glibc)
import Glibc
#endif

/// Reads a small file whole (configuration, secrets): nil when it cannot be opened or is larger
/// than `limit`, so a mistaken path to a big file never fills memory.
public enum SmallFile {
    public static func read(_ path: String, limit: Int = 64 * 1024) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count <= limit {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result.count <= limit ? result : nil
    }
}
