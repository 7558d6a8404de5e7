import Foundation
import KinoraTestSupport
import Testing

/// `kinora recs` on MovieLens-100k (fetched from PyPI as the recbole 1.2.1 wheel carries it):
/// the published protocol's figures stay where they were measured, and offline lists are what
/// the command promises.
@Suite struct RecommenderEvaluationTests {
    static func movieLens() throws -> String {
        let result = try TestEnvironment.run("/bin/bash", [TestEnvironment.pythonFixture("fetch-movielens.sh")])
        let path = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0, FileManager.default.fileExists(atPath: path) else {
            throw TestFailure("could not fetch MovieLens-100k (PyPI needed):\n\(result.output)")
        }
        return path
    }

    /// Each line's NDCG@10, by the name before its parenthesis.
    static func ndcg10(_ output: String) -> [String: Double] {
        var figures: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: "NDCG@10 ") else { continue }
            let name = String(line.prefix { $0 != "(" && $0 != ":" }).trimmingCharacters(in: .whitespaces)
            figures[name] = Double(line[range.upperBound...].prefix { $0 != " " })
        }
        return figures
    }

    @Test func evaluateReportsEachModelOnThePublishedProtocol() throws {
        let data = try Self.movieLens()
        let result = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["recs", "evaluate", "--data", data, "--seed", "2026"])
        #expect(result.status == 0, "\(result.output)")
        let figures = Self.ndcg10(result.output)
        let popularity = try #require(figures["popularity"], "\(result.output)")
        let itemKNN = try #require(figures["item-kNN"])
        let ease = try #require(figures["EASE"])
        let hybrid = try #require(figures["hybrid"])
        // The anchors measured on this protocol: popularity .146, item-kNN .296, EASE .349.
        // Seed 2026 gave .150, .299, .342 and the hybrid .342 when this was written; a change
        // that loses more than a point fails here.
        #expect((0.13...0.17).contains(popularity), "\(result.output)")
        #expect(itemKNN > 0.285 && ease > 0.335 && hybrid > 0.335, "\(result.output)")
        #expect(figures["hybrid refitted on training + validation"].map { $0 > hybrid } == true, "\(result.output)")
        #expect(result.output.contains("943 test users"))
    }

    @Test func offlineListsEveryUserWithKNewItems() throws {
        let data = try Self.movieLens()
        let dir = try TestEnvironment.makeTemporaryDirectory("recs-offline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The first 20,000 lines (without the header) as a training file of the expected shape.
        let lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").dropFirst().prefix(20_000)
        let train = dir + "/train.tsv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: train, atomically: true, encoding: .utf8)
        var seen: [String: Set<String>] = [:]
        for line in lines {
            let fields = line.split(separator: "\t")
            seen[String(fields[0]), default: []].insert(String(fields[1]))
        }
        let result = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["recs", "offline", "--train", train, "--k", "10"])
        #expect(result.status == 0)
        let output = result.output.split(separator: "\n").filter { $0.contains("\t") }
        #expect(output.count == seen.count, "one line per user of the file")
        for line in output {
            let parts = line.split(separator: "\t")
            let items = parts.count == 2 ? parts[1].split(separator: ",").map(String.init) : []
            #expect(items.count == 10 && Set(items).count == 10 && Set(items).isDisjoint(with: seen[String(parts[0])] ?? []), "\(line)")
        }
        // A line that is not an interaction: the file and the line are named, nothing printed.
        let bad = dir + "/bad.tsv"
        try "1\t2\t3\t4\njust-one-field\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["recs", "offline", "--train", bad])
        #expect(refused.status != 0 && refused.output.contains("\(bad):2:"), "\(refused.output)")
    }
}
