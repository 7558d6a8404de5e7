import Foundation
import KinoraHost

extension Process {
    /// Starts the child, then closes this process's copies of the ends of `pipes` that the
    /// child was given (the writing end of its output, the reading end of its input), so that
    /// the child's exit is the output's end and closing the input is the child's EOF.
    ///
    /// Every pipe a test hands a child is a ``PrivatePipe``, never Foundation's `Pipe`: a
    /// `Pipe`'s write end leaks into any child another test starts at that moment, and a CI run
    /// hung for good with both threads of the cooperative pool reading to an end that the
    /// shared PostgreSQL server held.
    public func run(closingChildEndsOf pipes: PrivatePipe...) throws {
        try run()
        for pipe in pipes {
            if standardOutput as? FileHandle === pipe.fileHandleForWriting || standardError as? FileHandle === pipe.fileHandleForWriting {
                try? pipe.fileHandleForWriting.close()
            }
            if standardInput as? FileHandle === pipe.fileHandleForReading { try? pipe.fileHandleForReading.close() }
        }
    }
}
