import Foundation
import Yams

/// Renders the OpenAPI document as one static HTML page: operations grouped by tag in the
/// spec's own order, each with its parameters, body and responses, and the schemas they
/// name. No script runs on it, so it works under a strict Content-Security-Policy.
enum APIReferencePage {
    static func render(yaml: String) throws -> String {
        guard let root = try Yams.compose(yaml: yaml) else { throw RenderError("the document is empty") }
        var html = HTML()
        let title = root["info"]?["title"]?.string ?? "API"
        let version = root["info"]?["version"]?.string ?? ""
        html.raw(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        html.raw("<title>")
        html.text("\(title) \(version) reference")
        html.raw("</title><style>\(style)</style></head><body>")
        html.raw("<header><h1>")
        html.text(title)
        html.raw(" <small>")
        html.text(version)
        html.raw("</small></h1>")
        html.raw("<p><a href=\"/api/openapi.yaml\">openapi.yaml</a></p>")
        if let description = root["info"]?["description"]?.string { html.paragraphs(description) }
        html.raw("</header>")

        let operations = collectOperations(root)
        let tags: [(name: String, description: String?)] = (root["tags"]?.sequence.map(Array.init) ?? []).compactMap {
            guard let name = $0["name"]?.string else { return nil }
            return (name, $0["description"]?.string)
        }
        let untagged = operations.filter { op in !tags.contains { op.tags.contains($0.name) } }
        html.raw("<nav><ul>")
        for tag in tags where operations.contains(where: { $0.tags.contains(tag.name) }) {
            html.raw("<li><a href=\"#tag-\(anchor(tag.name))\">")
            html.text(tag.name)
            html.raw("</a></li>")
        }
        html.raw("<li><a href=\"#schemas\">schemas</a></li></ul></nav><main>")
        for tag in tags + (untagged.isEmpty ? [] : [("other", nil)]) {
            let members = tag.name == "other" ? untagged : operations.filter { $0.tags.contains(tag.name) }
            guard !members.isEmpty else { continue }
            html.raw("<section id=\"tag-\(anchor(tag.name))\"><h2>")
            html.text(tag.name)
            html.raw("</h2>")
            if let description = tag.description { html.paragraphs(description) }
            for operation in members { renderOperation(operation, root: root, into: &html) }
            html.raw("</section>")
        }
        renderSchemas(root, into: &html)
        html.raw("</main></body></html>\n")
        return html.output
    }

    struct Operation {
        let method: String
        let path: String
        let node: Node
        let pathParameters: [Node]
        var tags: [String] { node["tags"]?.sequence.map { $0.compactMap(\.string) } ?? [] }
    }

    static let methods = ["get", "head", "post", "put", "patch", "delete", "options"]

    static func collectOperations(_ root: Node) -> [Operation] {
        var operations: [Operation] = []
        for (key, item) in root["paths"]?.mapping ?? [:] {
            guard let path = key.string else { continue }
            let shared = item["parameters"]?.sequence.map(Array.init) ?? []
            for (methodKey, node) in item.mapping ?? [:] {
                guard let method = methodKey.string, methods.contains(method) else { continue }
                operations.append(Operation(method: method, path: path, node: node, pathParameters: shared))
            }
        }
        return operations
    }

    static func renderOperation(_ operation: Operation, root: Node, into html: inout HTML) {
        let node = operation.node
        let id = node["operationId"]?.string ?? "\(operation.method)-\(operation.path)"
        html.raw("<article id=\"op-\(anchor(id))\"><h3><span class=\"m \(operation.method)\">\(operation.method.uppercased())</span> <code>")
        html.text(operation.path)
        html.raw("</code></h3>")
        if let summary = node["summary"]?.string {
            html.raw("<p class=\"summary\">")
            html.text(summary)
            html.raw("</p>")
        }
        if let description = node["description"]?.string { html.paragraphs(description) }
        html.raw("<p class=\"auth\">")
        html.text(securityText(node["security"] ?? root["security"]))
        html.raw("</p>")

        let parameters = (operation.pathParameters + (node["parameters"]?.sequence.map(Array.init) ?? [])).map { resolve($0, root) }
        if !parameters.isEmpty {
            html.raw("<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>")
            for parameter in parameters {
                html.raw("<tr><td><code>")
                html.text(parameter["name"]?.string ?? "?")
                if parameter["required"]?.bool == true { html.raw("</code> <em>required</em></td>") } else { html.raw("</code></td>") }
                html.raw("<td>")
                html.text(parameter["in"]?.string ?? "")
                html.raw("</td><td>")
                html.raw(typeHTML(parameter["schema"], root))
                html.raw("</td><td>")
                html.text(parameter["description"]?.string ?? "")
                html.raw("</td></tr>")
            }
            html.raw("</table>")
        }
        if let body = node["requestBody"].map({ resolve($0, root) }) {
            html.raw("<h4>Request body</h4><table>")
            for (type, media) in body["content"]?.mapping ?? [:] {
                html.raw("<tr><td><code>")
                html.text(type.string ?? "")
                html.raw("</code></td><td>")
                html.raw(typeHTML(media["schema"], root))
                html.raw("</td></tr>")
            }
            html.raw("</table>")
        }
        html.raw("<h4>Responses</h4><table>")
        for (status, response) in node["responses"]?.mapping ?? [:] {
            let resolved = resolve(response, root)
            html.raw("<tr><td><b>")
            html.text(status.string ?? "")
            html.raw("</b></td><td>")
            html.text(resolved["description"]?.string ?? "")
            for (type, media) in resolved["content"]?.mapping ?? [:] {
                html.raw("<br><code>")
                html.text(type.string ?? "")
                html.raw("</code> ")
                html.raw(typeHTML(media["schema"], root))
            }
            html.raw("</td></tr>")
        }
        html.raw("</table></article>")
    }

    static func renderSchemas(_ root: Node, into html: inout HTML) {
        guard let schemas = root["components"]?["schemas"]?.mapping, !schemas.isEmpty else { return }
        html.raw("<section id=\"schemas\"><h2>Schemas</h2>")
        for (name, schema) in schemas {
            let title = name.string ?? "?"
            html.raw("<article id=\"schema-\(anchor(title))\"><h3><code>")
            html.text(title)
            html.raw("</code></h3>")
            if let description = schema["description"]?.string { html.paragraphs(description) }
            if let properties = schema["properties"]?.mapping {
                let required = Set(schema["required"]?.sequence.map { $0.compactMap(\.string) } ?? [])
                html.raw("<table><tr><th>field</th><th>type</th><th>description</th></tr>")
                for (key, property) in properties {
                    let field = key.string ?? "?"
                    html.raw("<tr><td><code>")
                    html.text(field)
                    html.raw(required.contains(field) ? "</code> <em>required</em></td><td>" : "</code></td><td>")
                    html.raw(typeHTML(property, root))
                    html.raw("</td><td>")
                    html.text(property["description"]?.string ?? "")
                    html.raw("</td></tr>")
                }
                html.raw("</table>")
            } else {
                html.raw("<p>")
                html.raw(typeHTML(schema, root))
                html.raw("</p>")
            }
            html.raw("</article>")
        }
        html.raw("</section>")
    }

    /// A short type description: a link for a named schema, `array of …`, enums listed.
    static func typeHTML(_ schema: Node?, _ root: Node, depth: Int = 0) -> String {
        guard let schema, depth < 4 else { return "" }
        if let ref = schema["$ref"]?.string {
            let name = String(ref.split(separator: "/").last ?? "")
            return "<a href=\"#schema-\(anchor(name))\">\(HTML.escape(name))</a>"
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let options = schema[combinator]?.sequence {
                return options.map { typeHTML($0, root, depth: depth + 1) }.joined(separator: combinator == "allOf" ? " and " : " or ")
            }
        }
        if let values = schema["enum"]?.sequence {
            return "one of " + values.map { "<code>\(HTML.escape($0.string ?? "null"))</code>" }.joined(separator: ", ")
        }
        if let constant = schema["const"]?.string { return "<code>\(HTML.escape(constant))</code>" }
        var type = schema["type"]?.string ?? schema["type"]?.sequence?.compactMap(\.string).joined(separator: " or ") ?? "any"
        if type == "array" { return "array of " + typeHTML(schema["items"], root, depth: depth + 1) }
        if let format = schema["format"]?.string { type += " (\(format))" }
        return HTML.escape(type)
    }

    static func securityText(_ security: Node?) -> String {
        let options = security?.sequence.map(Array.init) ?? []
        let names = options.map { requirement -> String in
            let schemes = requirement.mapping?.compactMap { $0.key.string } ?? []
            return schemes.isEmpty ? "anonymous" : schemes.joined(separator: " + ")
        }
        return "Credentials: " + (names.isEmpty ? "anonymous" : names.joined(separator: ", "))
    }

    /// Follows a local `$ref` (`#/components/…`) one level, as responses and parameters use them.
    static func resolve(_ node: Node, _ root: Node) -> Node {
        guard let ref = node["$ref"]?.string, ref.hasPrefix("#/") else { return node }
        var current: Node? = root
        for part in ref.dropFirst(2).split(separator: "/") { current = current?[String(part)] }
        return current ?? node
    }

    static func anchor(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }

    struct RenderError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let style = """
        body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;display:grid;grid-template-columns:14em 1fr}
        header{grid-column:1/3;padding:1em 2em;background:#f4f4f6;border-bottom:1px solid #ddd}
        nav{padding:1em;position:sticky;top:0;align-self:start}nav ul{list-style:none;padding:0}
        main{padding:0 2em 4em;max-width:70em}article{border-top:1px solid #e4e4e8;padding:.5em 0}
        table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #e4e4e8;padding:.2em .6em;text-align:left;vertical-align:top}
        .m{display:inline-block;min-width:4.5em;font-size:.8em;padding:.1em .4em;border-radius:3px;color:#fff;background:#666}
        .get{background:#2b6cb0}.post{background:#2f855a}.put,.patch{background:#b7791f}.delete{background:#c53030}
        .auth{color:#555;font-size:.9em}code{font-size:.95em}small{color:#777}
        """
}

/// Output with every piece of spec text escaped: the spec is trusted, but a `<` in a
/// description must still read as a character.
struct HTML {
    var output = ""
    mutating func raw(_ string: String) { output += string }
    mutating func text(_ string: String) { output += Self.escape(string) }
    mutating func paragraphs(_ string: String) {
        for paragraph in string.components(separatedBy: "\n\n") where !paragraph.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            // `code` spans read as code, as they do in the spec's Markdown.
            let pieces = Self.escape(paragraph).split(separator: "`", omittingEmptySubsequences: false)
            raw("<p>")
            for (index, piece) in pieces.enumerated() { raw(index % 2 == 1 && index < pieces.count - 1 ? "<code>\(piece)</code>" : String(piece)) }
            raw("</p>")
        }
    }

    static func escape(_ string: String) -> String {
        var result = ""
        result.reserveCapacity(string.utf8.count)
        for character in string {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
