extension JWTSigner.Claims {
    /// Reads the flat object the daemon signs (string and integer members, no nesting) without
    /// JSONDecoder, which took most of a token check's time. Anything else (nested values,
    /// escapes beyond the simple ones, missing members) returns nil and the caller falls back
    /// to JSONDecoder, so no valid token is refused here.
    init?(flatJSON bytes: [UInt8]) {
        var strings: [String: String] = [:]
        var ints: [String: Int] = [:]
        var i = 0
        func skipSpace() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
        func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") || bytes[i] < 0x20 { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "\"") {
                guard let value = string() else { return nil }
                strings[key] = value
            } else {
                let start = i
                if bytes[i] == UInt8(ascii: "-") { i += 1 }
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
                guard let value = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else { return nil }
                ints[key] = value
            }
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "}") else { return nil }
            i += 1
            break
        }
        skipSpace()
        guard i == bytes.count, let sub = strings["sub"], let role = strings["role"], let iat = ints["iat"], let exp = ints["exp"],
            let jti = strings["jti"]
        else { return nil }
        self.init(sub: sub, role: role, iat: iat, exp: exp, jti: jti)
    }
}
