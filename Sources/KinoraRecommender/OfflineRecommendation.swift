import Foundation

/// What `kinora recs offline` and `kinora recs evaluate` run: the daemon's model code on a file.
public enum OfflineRecommendation {
    /// Fits the hybrid on every interaction of `pairs` after choosing its parameters on a
    /// per-user 90/10 split of them (seed fixed), then gives each user's top `k` items, items
    /// of the file left out. `log` hears what was tried.
    public static func recommend(
        _ interactions: [(user: String, item: String, strength: Double)], k: Int, seed: UInt64 = 20_261_208, log: (String) -> Void = { _ in }
    ) throws -> (parameters: Hybrid.Parameters, lists: [(user: String, items: [String])]) {
        let data = Interactions(weighted: interactions)
        let parts = HoldOut.split(data, ratios: [0.9, 0.1], seed: seed)
        let tuned = try RecommenderTuning.tune(train: parts[0], valid: parts[1])
        for trial in tuned.trials { log("validation NDCG@10 \(String(format: "%.4f", trial.ndcg10))  \(trial.what)") }
        log("chosen: \(tuned.parameters)")
        let model = try Hybrid(data, parameters: tuned.parameters)
        var lists: [(user: String, items: [String])] = []
        lists.reserveCapacity(data.userCount)
        for user in 0..<data.userCount {
            let seen = data.userItems[user]
            let top = TopItems.select(model.scores(history: seen, strengths: data.strengths(ofUser: user)), k: k, excluded: seen)
            lists.append((data.userIDs[user], top.map { data.itemIDs[Int($0)] }))
        }
        return (tuned.parameters, lists)
    }

    public struct TooFewInteractions: Error, CustomStringConvertible {
        public var description: String {
            "no user has interactions to hold out: a 10 % part is empty below 10 interactions per user"
        }
    }

    public struct Report: Sendable {
        public var name: String
        public var metrics: RankingMetrics
    }

    /// The published protocol: a per-user random 80/10/10 split with `seed`, parameters chosen
    /// on the 10 % validation part with models fitted on the 80 %, then Recall and NDCG at 10
    /// and 20 on the test part over full rankings, the user's training and validation items
    /// left out (RecBole's full-sort evaluation). Each component alone with its own best
    /// parameter, then the hybrid.
    public static func evaluate(
        _ interactions: [(user: String, item: String, strength: Double)], seed: UInt64, log: (String) -> Void = { _ in }
    ) throws -> (parameters: Hybrid.Parameters, reports: [Report]) {
        let data = Interactions(weighted: interactions)
        let parts = HoldOut.split(data, ratios: [0.8, 0.1, 0.1], seed: seed)
        let (train, valid, test) = (parts[0], parts[1], parts[2])
        guard test.userItems.contains(where: { !$0.isEmpty }), valid.userItems.contains(where: { !$0.isEmpty }) else {
            throw TooFewInteractions()
        }
        let tuned = try RecommenderTuning.tune(train: train, valid: valid)
        for trial in tuned.trials { log("validation NDCG@10 \(String(format: "%.4f", trial.ndcg10))  \(trial.what)") }
        let chosen = tuned.parameters
        // As RecBole ranks for its test metrics: the model sees the training items; the
        // ranking leaves out every item the user is known to have had outside the test part
        // (training and validation), the validation ones being neither new nor held out.
        let known = (0..<data.userCount).map { Array(Set(train.userItems[$0]).union(valid.userItems[$0])).sorted() }
        func measure(_ scorer: some ItemScorer) -> RankingMetrics {
            RankingMetrics.measure(held: test, cutoffs: [10, 20]) { user in
                TopItems.select(
                    scorer.scores(history: train.userItems[user], strengths: train.strengths(ofUser: user)), k: 20, excluded: known[user])
            }
        }
        let hybrid = try Hybrid(train, parameters: chosen)
        var reports = [Report(name: "popularity", metrics: measure(hybrid.popularity))]
        reports.append(Report(name: "item-kNN (k=\(chosen.neighbors), shrink=\(Int(chosen.shrink)))", metrics: measure(hybrid.knn)))
        reports.append(Report(name: "user-kNN (k=\(chosen.userNeighbors))", metrics: measure(hybrid.users)))
        if let ease = hybrid.ease, let lambda = chosen.easeLambda {
            reports.append(Report(name: "EASE (λ=\(Int(lambda)), dropout \(chosen.easeDropout)\(chosen.easeWeighed ? ", weighed" : ""))", metrics: measure(ease)))
        }
        reports.append(Report(name: "hybrid (\(chosen))", metrics: measure(hybrid)))
        // Dacrema et al.'s variant (2019): the chosen parameters refitted on training and
        // validation together, which the daemon's recompute does with all it has.
        let both = data.replacing(userItems: known)
        let refitted = try Hybrid(both, parameters: chosen)
        let refitMetrics = RankingMetrics.measure(held: test, cutoffs: [10, 20]) { user in
            TopItems.select(refitted.scores(history: known[user], strengths: both.strengths(ofUser: user)), k: 20, excluded: known[user])
        }
        reports.append(Report(name: "hybrid refitted on training + validation", metrics: refitMetrics))
        return (chosen, reports)
    }
}
