/// Random identifiers for rows made inside the store (a default channel is created in the
/// same transaction as its account, so its id cannot come from the HTTP layer). Same alphabet
/// and length as the server's ids: 16 base32 characters, 80 bits.
public enum StoreID {
    public static func random(bytes: Int = 10) -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        let count = (bytes * 8 + 4) / 5
        return String((0..<count).map { _ in alphabet[Int(rng.next() as UInt8) & 31] })
    }
}
