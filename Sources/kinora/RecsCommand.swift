import ArgumentParser
import Foundation
import KinoraRecommender

/// `kinora recs`: the recommender's model code run on a file, to measure it against published
/// baselines. It needs no configuration and touches no data folder.
struct RecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recs", abstract: "Run the recommender on an interaction file.", subcommands: [Offline.self, Evaluate.self])

    struct Offline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit the daemon's recommender on a file of tab-separated `user item rating timestamp` lines and print, per user, `user<TAB>item1,…,itemK` (the file's items of that user left out).",
            discussion: "Every line is an interaction, whatever its rating. The parameters are chosen on a per-user 90/10 split of the file; what was tried goes to standard error.")

        @Option(help: "The interactions (tab-separated; a header line such as RecBole's is skipped).") var train: String
        @Option(help: "Items per user (1 to 1000).") var k = 10
        @Flag(help: "Print the parameters tried to standard error.") var verbose = false

        func validate() throws {
            guard (1...1000).contains(k) else { throw ValidationError("--k must be from 1 to 1000") }
        }

        func run() throws {
            let pairs = try CLIError.wrap { try InteractionFile.read(train) }
            let result = try CLIError.wrap {
                try OfflineRecommendation.recommend(pairs, k: k) { line in if verbose { FileHandle.standardError.write(Data((line + "\n").utf8)) } }
            }
            FileHandle.standardError.write(Data("chosen: \(result.parameters)\n".utf8))
            var output = ""
            output.reserveCapacity(result.lists.count * (k * 6 + 8))
            for (user, items) in result.lists { output += user + "\t" + items.joined(separator: ",") + "\n" }
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the recommender on a file (MovieLens-100k's ml-100k.inter): a per-user random 80/10/10 split, parameters tuned on validation, Recall@10/20 and NDCG@10/20 on test, full ranking, training items left out.",
            discussion: "Downloads nothing: give the file's path. Each component is reported alone, then the hybrid.")

        @Option(help: "The interactions (tab-separated `user item rating timestamp`).") var data: String
        @Option(help: "Seed of the split.") var seed: UInt64 = 2026
        @Flag(help: "Print every setting tried on the validation part.") var verbose = false

        func run() throws {
            let pairs = try CLIError.wrap { try InteractionFile.read(data) }
            let started = Date()
            let result = try CLIError.wrap {
                try OfflineRecommendation.evaluate(pairs, seed: seed) { line in if verbose { print(line) } }
            }
            print("\(data): \(pairs.count) interactions, split 80/10/10 per user with seed \(seed); chosen on validation: \(result.parameters)")
            for report in result.reports {
                let m = report.metrics
                print(
                    String(
                        format: "%@: Recall@10 %.4f  Recall@20 %.4f  NDCG@10 %.4f  NDCG@20 %.4f  (%d test users)", report.name,
                        m.recall[10] ?? 0, m.recall[20] ?? 0, m.ndcg[10] ?? 0, m.ndcg[20] ?? 0, m.users))
            }
            print(String(format: "took %.1f s", Date().timeIntervalSince(started)))
        }
    }
}
