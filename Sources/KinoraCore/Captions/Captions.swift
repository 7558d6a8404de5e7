import Foundation
import NIOCore

/// The rules a caption track's request must meet before anything is stored: its language,
/// label, default flag and size, and the WebVTT file itself (``WebVTTValidator``).
public enum Captions {
    /// Caption files are text; a feature film's is a few hundred KiB.
    public static let maxBytes = 2 << 20
    public static let maxLabelLength = 100

    /// The route's language tag, in its conventional case.
    public static func language(_ raw: String) throws(CaptionError) -> LanguageTag {
        guard let tag = LanguageTag(raw) else { throw .badLanguage(raw) }
        return tag
    }

    /// The `label` query: trimmed, at most 100 characters, no control characters; nil when absent or blank.
    public static func label(_ value: String?) throws(CaptionError) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        let control = value.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }
        guard value.count <= maxLabelLength, !control else { throw .badLabel }
        return value
    }

    /// The `default` query: absent is false.
    public static func flag(_ value: String?) throws(CaptionError) -> Bool {
        switch value {
        case nil, "false": return false
        case "true": return true
        default: throw .badDefault
        }
    }

    /// The whole file, refused as soon as it passes ``maxBytes`` (at once when the announced
    /// length already does).
    public static func collect<Body: AsyncSequence>(_ body: Body, announcedLength: Int?) async throws -> [UInt8] where Body.Element == ByteBuffer {
        if let announcedLength, announcedLength > maxBytes { throw CaptionError.tooLarge(limit: maxBytes) }
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= maxBytes else { throw CaptionError.tooLarge(limit: maxBytes) }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// The file checked as players will read it.
    public static func validate(_ bytes: [UInt8]) throws(CaptionError) -> WebVTTValidator.Summary {
        do {
            return try WebVTTValidator.validate(bytes)
        } catch {
            throw .invalid(error)
        }
    }
}
