import Hummingbird
import KinoraCore

/// The text fields of a multipart upload, kept in memory and therefore bounded as their bytes
/// arrive: so many fields, so many bytes each and in all. Without the count and total, a form
/// of thousands of 64 KiB fields held hundreds of MiB per request. A refusal is thrown at the
/// part or byte that crosses a limit, before the rest of the body is read.
public struct MultipartFormFields: Sendable {
    public private(set) var values: [String: String] = [:]
    public let maxFields: Int
    public let maxFieldBytes: Int
    public let maxTotalBytes: Int
    /// Field parts begun so far (a repeated name counts each time: each one was read).
    public private(set) var count = 0
    /// Bytes of names and values received so far.
    public private(set) var totalBytes = 0
    private var name: String?
    private var current: [UInt8] = []

    public init(maxFields: Int, maxFieldBytes: Int = 64 * 1024, maxTotalBytes: Int) {
        self.maxFields = maxFields
        self.maxFieldBytes = maxFieldBytes
        self.maxTotalBytes = maxTotalBytes
    }

    /// A text part named `name` begins.
    public mutating func begin(_ name: String) throws {
        count += 1
        guard count <= maxFields else {
            throw Problem(
                .tooManyFields,
                detail: "an upload carries at most \(maxFields) text fields ([uploads] max_form_fields)")
        }
        try add(name.utf8.count)
        self.name = name
        current = []
    }

    /// Some of the current text part's bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard name != nil else { return }
        guard current.count + bytes.count <= maxFieldBytes else {
            throw Problem(
                .fieldTooLarge,
                detail: "a text field is limited to \(maxFieldBytes) bytes")
        }
        try add(bytes.count)
        current.append(contentsOf: bytes)
    }

    /// The current text part ended: keep its value.
    public mutating func end() {
        if let name { values[name] = String(decoding: current, as: UTF8.self) }
        name = nil
        current = []
    }

    private mutating func add(_ bytes: Int) throws {
        totalBytes += bytes
        guard totalBytes <= maxTotalBytes else {
            throw Problem(
                .fieldsTooLarge,
                detail: "an upload's text fields are limited to \(maxTotalBytes) bytes in all ([uploads] max_form_bytes)")
        }
    }
}
