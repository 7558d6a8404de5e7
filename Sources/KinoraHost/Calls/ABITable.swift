/// A pointer into a plugin's (or the host's) ABI structures that may cross tasks. Interface
/// tables and plugin structs stay valid until destroy() and their functions are callable
/// from any thread, which is exactly what makes sharing the pointer safe.
struct ABITable<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }
    var pointee: T { pointer.pointee }
}
