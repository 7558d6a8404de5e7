extension Accounts {
    /// A plausible address, not a proof of one: `local@domain`, at most 254 bytes, no spaces
    /// or control characters. Proof is `email_verified`.
    public static func checkEmail(_ address: String) throws(InvalidAccount) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let plain = address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
        guard address.utf8.count <= 254, plain, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else {
            throw InvalidAccount(field: "email", description: "the email address must look like name@example.org")
        }
    }
}
