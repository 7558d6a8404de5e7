#if canImport(Glibc)
import Glibc
#endif

/// The whole of a /proc file: Foundation's String(contentsOfFile:) trusts the size stat reports
/// (0 for /proc), and a big maps file came back cut short.
public func readProcFile(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
