import Foundation
import KinoraCore
import KinoraServer
import KinoraTestSupport
import Testing

/// Clients switch on problem types, so the README and the OpenAPI document list exactly the
/// types the daemon answers with (`ProblemType`), each with the status and title it is sent with.
/// On a mismatch the test prints the section as it should read, to paste in.
@Suite struct ProblemTypeDocsTests {
    static var expected: [(type: String, status: Int, title: String)] {
        ProblemType.allCases.map { ($0.rawValue, Int($0.refusal.status.code), $0.title) }.sorted { $0.type < $1.type }
    }

    @Test func theReadmeTableListsEveryTypeWithItsStatusAndTitle() throws {
        let readme = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/README.md", encoding: .utf8)
        let rows = readme.split(separator: "\n").compactMap { line -> (String, Int, String)? in
            guard let match = line.wholeMatch(of: /\| `([a-z0-9-]+)` \| (\d{3}) \| (.+) \|/) else { return nil }
            return (String(match.1), Int(match.2)!, String(match.3))
        }
        let table = Self.expected.map { "| `\($0.type)` | \($0.status) | \($0.title) |" }.joined(separator: "\n")
        #expect(
            rows.map { "\($0.0) \($0.1) \($0.2)" } == Self.expected.map { "\($0.type) \($0.status) \($0.title)" },
            "README.md's problem type table should read:\n\(table)")
    }

    @Test func theOpenAPIDocumentListsEveryType() throws {
        let yaml = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/share/openapi.yaml", encoding: .utf8)
        guard let start = yaml.range(of: "      x-problem-types:\n") else {
            Issue.record("share/openapi.yaml has no x-problem-types list under components.schemas.Problem")
            return
        }
        var listed: [String] = []
        for line in yaml[start.upperBound...].split(separator: "\n") {
            guard let match = line.wholeMatch(of: #/        - type: ([a-z0-9-]+)/#) else {
                if line.hasPrefix("          ") { continue }
                break
            }
            listed.append(String(match.1))
        }
        let block = Self.expected.map { "        - type: \($0.type)\n          status: \($0.status)\n          title: \"\($0.title)\"" }.joined(
            separator: "\n")
        #expect(listed == Self.expected.map(\.type), "share/openapi.yaml's x-problem-types should read:\n\(block)")
    }
}
