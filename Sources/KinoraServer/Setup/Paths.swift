#if canImport(Glibc)
import Glibc
#endif

enum Paths {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        var relative = path
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd + (relative == "." ? "" : "/" + relative)
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// The folder of the running executable: plugins built beside it are found in development.
    static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "." }
        let path = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    /// `--share-dir`, then `<exe>/../share/kinora`, then `./share`.
    static func shareDirectory(override: String?, executableDirectory: String) -> String? {
        if let override { return absolute(override) }
        for candidate in [executableDirectory + "/../share/kinora", absolute("share")] where isDirectory(candidate) {
            return candidate
        }
        return nil
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o750) throws {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw SetupError("\(current): cannot create folder: \(String(cString: strerror(errno)))")
            }
        }
    }
}
