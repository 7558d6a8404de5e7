import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 channel, except that each connection's task prefers the
/// connection's own event loop as its executor. Plain Hummingbird reads and writes on the
/// event loop but runs the handler on Swift's global pool, so every request crossed threads
/// twice (the request in, the response out), each crossing a wake-up; for small answers such
/// as playlists those crossings cost more than the handler itself. Here a request is handled
/// on the thread its bytes arrived on, as in NIO's own servers and Vapor. The price: a handler
/// that blocks holds up the other connections of its loop, so long work goes to a thread pool,
/// as bcrypt, the media worker and file reads already do; a SQLite read held up a pool
/// thread before, and there were as many of those as there are loops. Unstructured tasks a
/// handler starts (`Task {}`) do not inherit the preference and still run on the pool.
struct EventLoopHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel

    static func builder(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EventLoopHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await http1.handle(value: value, logger: logger)
        }
    }
}

/// Runs a task's jobs on one event loop. A job enqueued from that loop (a read resuming the
/// connection's task) runs in the same loop iteration, with no thread crossing.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
