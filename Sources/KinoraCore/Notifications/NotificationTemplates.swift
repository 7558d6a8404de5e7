import Foundation
import Mustache

/// The message templates: `{language}/{event}.{subject|text|html}.mustache` in the share
/// folder's `notifications` (English and French ship), each replaceable file by file by one in
/// the operator's folder (`[notifications] templates`, `/etc/kinora/templates` in the package).
/// A language is looked up as the account chose it (`pt-BR`), then its base (`pt`), then
/// English. Subjects and texts are plain text; the HTML part escapes every value.
public struct NotificationTemplates: Sendable {
    public enum Part: String, Sendable, CaseIterable { case subject, text, html }

    /// Where the templates come from, the operator's folder first.
    public let folders: [String]
    private let cache = TemplateCache()

    public init(shareDir: String?, overrides: String?) {
        folders = [overrides, shareDir.map { $0 + "/notifications" }].compactMap { $0 }
    }

    /// The rendered part, nil when no folder has it in any of the languages tried (an HTML
    /// part is optional; a missing subject or text is a broken installation).
    public func render(_ event: NotificationEvent, _ part: Part, language: String?, values: [String: String]) -> String? {
        render(event.rawValue, part, language: language, values: values)
    }

    /// A digest of several messages: `digest.{part}.mustache`, with `count` and `items` (each
    /// with its `subject`) beside the common variables.
    public func renderDigest(_ part: Part, language: String?, values: [String: Any]) -> String? {
        render(Self.digestName, part, language: language, values: values)
    }

    public static let digestName = "digest"
    static let digestVariables: Set<String> = ["count", "items", "subject"]

    func render(_ name: String, _ part: Part, language: String?, values: Any) -> String? {
        for tag in Self.languages(for: language) {
            if let template = template(name, part, language: tag) { return template.render(values) }
        }
        return nil
    }

    /// `pt-BR` → `pt-BR`, `pt`, `en`.
    static func languages(for language: String?) -> [String] {
        var tags: [String] = []
        if let language, !language.isEmpty {
            tags.append(language)
            if let base = language.split(separator: "-").first.map(String.init), base != language { tags.append(base) }
        }
        if !tags.contains("en") { tags.append("en") }
        return tags
    }

    private func template(_ base: String, _ part: Part, language: String) -> MustacheTemplate? {
        let name = "\(language)/\(base).\(part.rawValue).mustache"
        // Only plain tags reach a path: language tags were checked when the account stored them.
        guard !language.contains("/"), !language.contains("..") else { return nil }
        return cache.template(name) {
            for folder in folders {
                guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else { continue }
                // Subjects and texts are not HTML: nothing in them may be escaped.
                return try? MustacheTemplate(string: part == .html ? text : "{{% CONTENT_TYPE: TEXT}}" + text)
            }
            return nil
        }
    }

    /// Every problem of the templates in `folder`: a file that does not parse, a tag naming a
    /// variable its event does not have, a file for no event. Each names the file and line.
    public static func problems(in folder: String) -> [String] {
        guard let languages = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var problems: [String] = []
        for language in languages.sorted() {
            let directory = folder + "/" + language
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for file in files.sorted() where file.hasSuffix(".mustache") {
                let path = directory + "/" + file
                let parts = file.dropLast(".mustache".count).split(separator: ".")
                let allowed: Set<String>
                if parts.count == 2, parts[0] == Self.digestName, Part(rawValue: String(parts[1])) != nil {
                    allowed = Self.digestVariables.union(NotificationEvent.commonVariables)
                } else if parts.count == 3, let event = NotificationEvent(rawValue: parts[0...1].joined(separator: ".")),
                    Part(rawValue: String(parts[2])) != nil
                {
                    allowed = event.variables.union(NotificationEvent.commonVariables)
                } else {
                    problems.append("\(path): not a template name (EVENT.subject|text|html.mustache or digest.…; events: \(NotificationEvent.allCases.map(\.rawValue).joined(separator: ", ")))")
                    continue
                }
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    problems.append("\(path): cannot be read as UTF-8")
                    continue
                }
                do {
                    _ = try MustacheTemplate(string: text)
                } catch {
                    problems.append("\(path): \(error)")
                    continue
                }
                problems += unknownVariables(text, allowed: allowed).map {
                    "\(path):\($0.line): unknown variable \"\($0.name)\" (this template has \(allowed.sorted().joined(separator: ", ")))"
                }
            }
        }
        return problems
    }

    /// Tags naming a variable outside `allowed`, with their lines. Comments (`{{! }}`),
    /// pragmas (`{{% }}`), partials (`{{> }}`) and section ends are not variables.
    static func unknownVariables(_ text: String, allowed: Set<String>) -> [(line: Int, name: String)] {
        var found: [(Int, String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            while let open = rest.range(of: "{{") {
                rest = rest[open.upperBound...]
                guard let close = rest.range(of: "}}") else { break }
                var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                rest = rest[close.upperBound...]
                if tag.hasPrefix("{") { tag = String(tag.dropFirst()) }
                if tag.hasSuffix("}") { tag = String(tag.dropLast()) }
                if let first = tag.first, "!%>/=".contains(first) { continue }
                if let first = tag.first, "#^&".contains(first) { tag = String(tag.dropFirst()) }
                let name = tag.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, name != ".", !allowed.contains(name) { found.append((index + 1, name)) }
            }
        }
        return found
    }
}

/// Parsed templates by name, kept for the life of the process (templates change with an
/// upgrade or an operator's edit followed by a restart).
final class TemplateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var templates: [String: MustacheTemplate?] = [:]

    func template(_ name: String, load: () -> MustacheTemplate?) -> MustacheTemplate? {
        lock.lock()
        defer { lock.unlock() }
        if let known = templates[name] { return known }
        let loaded = load()
        templates[name] = loaded
        return loaded
    }
}
