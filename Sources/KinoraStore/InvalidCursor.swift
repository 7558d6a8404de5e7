/// A `cursor` parameter this store did not make, or made for another listing or sort. Every
/// paged listing throws this one type; the HTTP edge answers it as `bad-cursor` (400) itself.
public struct InvalidCursor: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "the cursor is not one this listing handed out" }
}
