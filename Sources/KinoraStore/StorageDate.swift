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
        let millis = Int((interval - Double(seconds)) * 1000)
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
