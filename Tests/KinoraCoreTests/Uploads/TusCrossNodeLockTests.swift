import Foundation
import KinoraCore
import KinoraTestSupport
import Testing

@Suite struct TusCrossNodeLockTests {
    /// Two nodes are two lock tables on one shared folder: while one writes an upload, the
    /// other is refused it (the client hears 423 and retries), and gets it once released.
    @Test func nodesSharingTheTusFolderNeverWriteOneUploadAtOnce() throws {
        let folder = try TestEnvironment.makeTemporaryDirectory("tus-locks") + "/.locks"
        let nodeA = TusLocks(crossNodeFolder: folder)
        let nodeB = TusLocks(crossNodeFolder: folder)
        #expect(nodeA.acquire("u1"))
        #expect(!nodeB.acquire("u1"), "held by the other node")
        #expect(!nodeB.isBusy("u1"), "a refused acquire leaves nothing behind")
        #expect(nodeB.acquire("u2"), "another upload is free")
        nodeA.release("u1")
        #expect(nodeB.acquire("u1"))
        #expect(!nodeA.acquire("u1"))
        nodeB.release("u1")
        nodeB.release("u2")
    }
}
