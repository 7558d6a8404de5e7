import Foundation
import KinoraCore
import KinoraStore

/// What the admin console's templates show: plain strings and numbers prepared here, so the
/// templates only print with `{{ }}` escaping.
enum AdminViews {
    static let sections = [
        ("dashboard", "Dashboard", "/admin"), ("plugins", "Plugins", "/admin/plugins"), ("jobs", "Jobs", "/admin/jobs"),
        ("users", "Users", "/admin/users"), ("categories", "Categories", "/admin/categories"), ("moderation", "Moderation", "/admin/moderation"),
        ("notifications", "Notifications", "/admin/notifications"),
    ]

    /// What a moderator who is not an admin may open of the console.
    static let moderatorSections: Set<String> = ["moderation"]

    /// The console's own navigation, with the current section marked for `aria-current`:
    /// every section for admins, the moderation pages alone for moderators.
    static func nav(_ current: String, principal: Principal? = nil) -> [[String: Any]] {
        let limited = principal.map { !$0.isAdmin } ?? false
        return sections.filter { !limited || moderatorSections.contains($0.0) }
            .map { ["label": $0.1, "href": $0.2, "current": $0.0 == current] }
    }

    /// 1024-based sizes with one decimal: "0 B", "512 B", "2.8 MiB", "46.6 GiB".
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var size = Double(value)
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", size, units[unit])
    }

    static func dashboard(_ data: [String: Any]) -> [String: Any] {
        let health = data["health"] as? [String: Any] ?? [:]
        let jobs = data["jobs"] as? [String: Int] ?? [:]
        let storage = data["storage"] as? [String: Any] ?? [:]
        let counts = data["counts"] as? [String: Int] ?? [:]
        let plugins = (health["plugins"] as? [[String: Any]] ?? []).map { plugin -> [String: Any] in
            var row = plugin
            row["ok"] = plugin["state"] as? String == "started"
            if plugin["last_error"] is NSNull { row["last_error"] = nil }
            return row
        }
        let errors = (data["recent_errors"] as? [[String: Any]] ?? []).map { entry -> [String: Any] in
            var row = entry.filter { !($0.value is NSNull) }
            row["where"] = entry["instance"] as? String ?? (entry["video_id"] as? String).map { "video \($0)" } ?? entry["source"] as? String ?? ""
            return row
        }
        let largest = (storage["largest_videos"] as? [[String: Any]] ?? []).map { video -> [String: Any] in
            let original = video["original_bytes"] as? Int64 ?? 0, published = video["published_bytes"] as? Int64 ?? 0
            return ["id": video["id"] ?? "", "title": video["title"] ?? "", "original": bytes(original), "published": bytes(published)]
        }
        let free = storage["free_bytes"] as? Int64
        let series = (data["uploads_per_day"] as? [[String: Any]] ?? []).map { ($0["date"] as? String ?? "", $0["count"] as? Int ?? 0) }
        return [
            "nav": nav("dashboard"),
            "ready": health["ready"] as? Bool == true,
            "databaseOK": health["database"] as? Bool == true,
            "problems": health["problems"] as? [String] ?? [],
            "hasProblems": !(health["problems"] as? [String] ?? []).isEmpty,
            "plugins": plugins,
            "jobCounts": JobQueue.states.map { ["state": $0, "count": jobs[$0] ?? 0, "some": (jobs[$0] ?? 0) > 0] as [String: Any] },
            "originals": bytes(storage["originals_bytes"] as? Int64 ?? 0),
            "published": bytes(storage["published_bytes"] as? Int64 ?? 0),
            "free": free.map(bytes) ?? "unknown",
            "storageIncomplete": storage["complete"] as? Bool == false,
            "largest": largest, "hasLargest": !largest.isEmpty,
            "users": counts["users"] ?? 0, "videos": counts["videos"] ?? 0,
            "errors": errors, "noErrors": errors.isEmpty,
            "chart": AdminChart.bars(series),
        ]
    }

    static func plugins(_ report: [String: Any]) -> [String: Any] {
        let modules = (report["modules"] as? [[String: Any]] ?? []).map { module -> [String: Any] in
            var row = module
            row["name"] = ((module["path"] as? String ?? "") as NSString).lastPathComponent
            row["plugins"] = (module["plugins"] as? [[String: Any]] ?? []).map { plugin -> [String: Any] in
                var entry = plugin
                entry["interfaceList"] = (plugin["interfaces"] as? [String] ?? []).joined(separator: ", ")
                return entry
            }
            return row
        }
        let instances = (report["instances"] as? [[String: Any]] ?? []).map { instance -> [String: Any] in
            var row = instance
            row["ok"] = instance["state"] as? String == "started"
            row["moduleName"] = ((instance["module"] as? String ?? "") as NSString).lastPathComponent
            return row
        }
        let refused = report["refused_modules"] as? [[String: String]] ?? []
        let configErrors = report["config_errors"] as? [String] ?? []
        return [
            "nav": nav("plugins"), "modules": modules, "noModules": modules.isEmpty, "instances": instances, "noInstances": instances.isEmpty,
            "refused": refused, "configErrors": configErrors, "configOK": configErrors.isEmpty && refused.isEmpty,
        ]
    }

    static func jobs(_ items: [AdminJob], state: String?, next: Int64?) -> [String: Any] {
        let rows = items.map { job -> [String: Any] in
            var row: [String: Any] = [
                "id": job.id, "videoID": job.videoID, "title": job.videoTitle, "kind": job.kind, "state": job.state,
                "attempts": job.attempts, "percent": Int((job.progress * 100).rounded()), "updated": AccountRequests.iso(job.updatedAt),
                "retry": job.state == "failed" || job.state == "cancelled", "cancel": job.state == "queued" || job.state == "running",
            ]
            row["step"] = job.step
            row["error"] = job.error
            return row
        }
        var object: [String: Any] = [
            "nav": nav("jobs"), "jobs": rows, "empty": rows.isEmpty,
            "states": JobQueue.states.map { ["value": $0, "label": $0.capitalized, "selected": $0 == state] as [String: Any] },
        ]
        if let next { object["next"] = "/admin/jobs?" + (state.map { "state=\($0)&" } ?? "") + "cursor=\(next)" }
        return object
    }

    static func users(_ users: [UserRecord], me: String?) -> [String: Any] {
        let rows = users.map { user -> [String: Any] in
            // The display name only when it says more than the username.
            [
                "id": user.id, "username": user.username, "displayName": user.displayName == user.username ? "" : user.displayName,
                "disabled": user.disabled, "me": user.id == me,
                "created": AccountRequests.iso(user.createdAt),
                "roles": Role.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == user.role] as [String: Any] },
            ]
        }
        return ["nav": nav("users"), "users": rows]
    }
}
