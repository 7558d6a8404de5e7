#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// glibc functions that Swift's Glibc module does not import (they sit behind _GNU_SOURCE or
/// in headers outside the module map), looked up once in libc itself.
enum LibcExtras {
    typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<off_t>?, Int32, UnsafeMutablePointer<off_t>?, Int, UInt32) -> Int
    typealias FSetXattr = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer, Int, Int32) -> Int32
    typealias FGetXattr = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutableRawPointer, Int) -> Int

    static let copyFileRange: CopyFileRange? = lookup("copy_file_range")
    static let fsetxattr: FSetXattr? = lookup("fsetxattr")
    static let fgetxattr: FGetXattr? = lookup("fgetxattr")

    private static func lookup<F>(_ name: String) -> F? {
        // A nil handle is RTLD_DEFAULT: search the libraries already loaded.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: F.self)
    }
}
