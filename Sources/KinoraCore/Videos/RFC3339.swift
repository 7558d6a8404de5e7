import Foundation

/// RFC 3339 date-times (`2030-01-31T18:00:00Z`, `…T18:00:00.5+01:00`); an offset is required.
public enum RFC3339 {
    public static func parse(_ text: String) -> Date? {
        guard text.count <= 40 else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `2030-01-31T18:00:00Z` (UTC, whole seconds), as ISO8601DateFormatter writes it, without
    /// building a formatter per call (a listing writes several dates per video).
    public static func string(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(parts.tm_mon + 1) + "-" + two(parts.tm_mday)
            + "T" + two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec) + "Z"
    }
}
