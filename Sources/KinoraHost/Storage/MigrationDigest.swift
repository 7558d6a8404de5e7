// The checksum the storage migration compares a copied object with. It was shared with the
// storage conformance suite, which now lives in the SDK (KinoraPluginConformance) with a
// public Digest of its own; this one stays internal so the two never clash in one file.

/// An order-sensitive 64-bit checksum, cheap enough to run over hundreds of MiB in tests.
/// A class so a storage sink closure can update it as chunks arrive.
///
/// ```swift
/// let digest = Digest()
/// try await storage.get(key) { digest.update($0) }
/// print(digest.count, digest.value)
/// ```
final class Digest: @unchecked Sendable {
    // Only ever updated from one storage get at a time (a sink is called sequentially).
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    private var pending: [UInt8] = []
    private(set) var count = 0

    init() {}

    func update(_ bytes: UnsafeRawBufferPointer) {
        count += bytes.count
        var data = pending + Array(bytes)
        let words = data.count / 8
        data.withUnsafeBytes { raw in
            for i in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                state = (state ^ word) &* 0x0000_0100_0000_01B3
                state ^= state >> 29
            }
        }
        pending = Array(data[(words * 8)...])
        data.removeAll()
    }

    var value: UInt64 {
        var result = state
        for byte in pending { result = (result ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return result ^ UInt64(count)
    }
}
