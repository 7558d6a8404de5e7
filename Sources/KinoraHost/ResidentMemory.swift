import Foundation

/// Resident memory of this process, read from `/proc/self/statm` (0 where it is missing), for
/// the benchmarks' memory figures. (The storage conformance suite, which used to share it, has
/// its own in the SDK's KinoraPluginConformance.)
///
/// ```swift
/// let baseline = ResidentMemory.bytes()
/// try await storage.put("bench/large.bin", body: body)
/// let growth = ResidentMemory.bytes() - baseline
/// ```
public enum ResidentMemory {
    public static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}
