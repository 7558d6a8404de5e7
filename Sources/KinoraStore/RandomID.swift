/// The one source of random identifiers and tokens (rows, uploads, invitations, reset codes):
/// fresh bytes from the system generator, written in lowercase base32 (5 bits a character,
/// nothing to escape in a URL or a file name). The default, 10 bytes, is 16 characters, 80 bits.
///
/// ```swift
/// let videoID = RandomID.make()            // "k3m7q2xw9fz4a6tb"
/// let resetCode = RandomID.make(bytes: 32) // 52 characters, 256 bits
/// ```
public enum RandomID {
    public static func make(bytes: Int = 10) -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        // `bytes * 8 / 5` characters, rounded up, each from a fresh random byte.
        let count = (bytes * 8 + 4) / 5
        return String((0..<count).map { _ in alphabet[Int(rng.next() as UInt8) & 31] })
    }
}
