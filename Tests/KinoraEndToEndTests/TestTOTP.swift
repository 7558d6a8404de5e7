import Crypto
import Foundation

/// An RFC 6238 generator of the tests' own (HMAC-SHA1, RFC 4226 dynamic truncation), so the
/// daemon's codes are checked against an independent implementation, not against itself.
struct TestTOTP {
    let key: [UInt8]

    init(key: [UInt8]) { self.key = key }

    /// From the base32 secret an authenticator app would be given.
    init?(base32 secret: String) {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0
        var bytes: [UInt8] = []
        for character in secret.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        key = bytes
    }

    static func step(_ date: Date = Date()) -> Int64 { Int64(date.timeIntervalSince1970) / 30 }

    func code(step: Int64, digits: Int = 6) -> String {
        let message = withUnsafeBytes(of: UInt64(step).bigEndian) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
