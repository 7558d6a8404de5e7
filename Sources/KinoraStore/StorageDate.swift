import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Date {
    /// The text GRDB stores a `Date` as (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), made without a
    /// DateFormatter. GRDB's formatter loads ICU's locale and calendar data, about 6 MiB of
    /// resident memory; the queries a daemon runs at start and while idle (expiry sweeps, the
    /// job queue's poll) bind this instead, so an idle daemon never pays for it.
    public var storageText: String {
        let interval = timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        // Milliseconds truncated, but from the fraction rounded to the microsecond first: a
        // date read back from text (`….123`) is a binary fraction a hair below .123 half the
        // time, and must write back as it was read (a listing cursor, a PostgreSQL date).
        var millis = Int(((interval - Double(seconds)) * 1_000_000).rounded() / 1000)
        if millis >= 1000 {
            seconds += 1
            millis -= 1000
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))"
    }
}

extension Date {
    /// Reads what either backend gives back for a date: SQLite's `yyyy-MM-dd HH:mm:ss[.SSS]`
    /// (UTC, as ``storageText`` and GRDB write it) and PostgreSQL's `timestamptz` text
    /// (`yyyy-MM-dd HH:mm:ss[.ffffff]+00`, or another offset); a `T` may separate date and time.
    /// Nil for anything else.
    public init?(storageText text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect(" T"),
            let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2)
        else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            if bytes[index] == UInt8(ascii: "Z") {
                index += 1
            } else {
                guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let hours = number(2) else { return nil }
                var minutes = 0
                if index < bytes.count {
                    _ = expect(":")
                    guard let value = number(2) else { return nil }
                    minutes = value
                }
                offset = sign * (hours * 3600 + minutes * 60)
            }
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        self = Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
