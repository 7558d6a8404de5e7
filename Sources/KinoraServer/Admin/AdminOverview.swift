import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore

/// What the admin dashboard shows, as JSON-ready values: health, job counts, storage used,
/// totals, recent errors and uploads per day. Shared by `GET /api/v1/admin/overview` and the
/// `/admin` page so both always agree.
struct AdminOverview {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    static let chartDays = 14
    /// Storage listings stop here: a dashboard must answer quickly on a huge library (the sums
    /// then say `complete: false`).
    static let maxListedObjects = 20_000

    func make(now: Date = Date()) async throws -> [String: Any] {
        let totals = try database.adminStats.totals()
        var counts = try database.jobs.counts()
        for state in JobQueue.states where counts[state] == nil { counts[state] = 0 }
        return [
            "health": await health(),
            "jobs": counts,
            "storage": try await storage(originalBytes: totals.originalBytes),
            "counts": ["users": totals.users, "videos": totals.videos],
            "recent_errors": try recentErrors(),
            "uploads_per_day": try database.adminStats.uploadsPerDay(days: Self.chartDays, now: now).map { ["date": $0.day, "count": $0.count] },
        ]
    }

    /// The same checks as /readyz, itemised.
    func health() async -> [String: Any] {
        let reachable = await database.isReachable()
        var problems: [String] = reachable ? [] : ["database is not reachable"]
        if let events = database.events.problem { problems.append(events) }
        let plugins: [[String: Any]] = registry.instances.map { instance in
            if instance.state != .started {
                problems.append("plugin instance \(instance.name) is \(instance.state.rawValue)" + (instance.lastError.map { ": \($0)" } ?? ""))
            }
            return [
                "name": instance.name, "plugin": instance.pluginID, "state": instance.state.rawValue,
                "last_error": instance.lastError ?? NSNull(),
            ]
        }
        problems += registry.instanceErrors.map(\.description)
        if let playback = registry.playbackProblem { problems.append(playback) }
        return ["ready": problems.isEmpty, "database": reachable, "plugins": plugins, "problems": problems]
    }

    /// Originals from the database; renditions, thumbnails and captions from what the media
    /// storage lists under each video; free space of the data folder.
    func storage(originalBytes: Int64) async throws -> [String: Any] {
        var published: [String: Int64] = [:]
        var complete = true
        var listed = 0
        var reachable = true
        if let storage = MediaStorage(registry: registry, name: config.mediaStorage).client {
            var cursor: String?
            do {
                repeat {
                    let page = try await storage.list(prefix: VideoObjects.root, cursor: cursor, limit: 1000)
                    for object in page.objects {
                        let parts = object.key.split(separator: "/", maxSplits: 2)
                        guard parts.count == 3, parts[2] != "original" else { continue }
                        published[String(parts[1]), default: 0] += object.size
                    }
                    listed += page.objects.count
                    cursor = page.nextCursor
                } while cursor != nil && listed < Self.maxListedObjects
                complete = cursor == nil
            } catch {
                reachable = false
                complete = false
            }
        } else {
            reachable = false
            complete = false
        }
        let videos = try database.adminStats.originals().map { video -> [String: Any] in
            ["id": video.id, "title": video.title, "original_bytes": video.bytes, "published_bytes": published[video.id] ?? 0]
        }
        let largest = videos.sorted {
            ($0["original_bytes"] as? Int64 ?? 0) + ($0["published_bytes"] as? Int64 ?? 0)
                > ($1["original_bytes"] as? Int64 ?? 0) + ($1["published_bytes"] as? Int64 ?? 0)
        }
        return [
            "originals_bytes": originalBytes,
            "published_bytes": published.values.reduce(0, +),
            "free_bytes": freeBytes(at: config.dataDir).map { $0 as Any } ?? NSNull(),
            "media_storage": config.mediaStorage,
            "storage_reachable": reachable,
            "complete": complete,
            "largest_videos": Array(largest.prefix(10)),
        ]
    }

    /// Failed and cancelled jobs' reasons, plugin instances' last errors and the daemon's
    /// latest error log lines, newest first where a time is known.
    func recentErrors() throws -> [[String: Any]] {
        var errors: [(at: Date?, entry: [String: Any])] = []
        for job in try database.adminStats.recentFailures(limit: 10) {
            errors.append(
                (
                    job.updatedAt,
                    [
                        "source": "job", "at": AccountRequests.iso(job.updatedAt), "job_id": job.id,
                        "video_id": job.videoID, "message": job.error ?? job.state,
                    ]
                ))
        }
        for instance in registry.instances {
            if let error = instance.lastError {
                errors.append((nil, ["source": "plugin", "at": NSNull(), "instance": instance.name, "message": error]))
            }
        }
        for line in RecentErrorLog.shared.latest(10) {
            errors.append((line.at, ["source": "log", "at": AccountRequests.iso(line.at), "message": line.message]))
        }
        return errors.sorted { ($0.at ?? .distantFuture) > ($1.at ?? .distantFuture) }.map(\.entry)
    }
}
