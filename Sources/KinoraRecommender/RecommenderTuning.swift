/// Chooses the hybrid's parameters on held-out data: each component's own parameter by its
/// NDCG@10 on the validation part, then the weights of the blend. The daemon's recompute and
/// `kinora recs offline` both call it, so what is served is what was measured.
public enum RecommenderTuning {
    public struct Trial: Sendable {
        public var what: String
        public var ndcg10: Double
    }

    public struct Outcome: Sendable {
        public var parameters: Hybrid.Parameters
        /// Every setting tried, in order, with its validation NDCG@10.
        public var trials: [Trial]
    }

    public static let lambdas: [Double] = [50, 100, 200, 300, 500, 800, 1200]
    public static let dropouts: [Double] = [0, 0.25, 0.5]
    public static let neighborCounts = [20, 50, 100, 200]
    public static let userNeighborCounts = [20, 50, 100, 200]
    public static let shrinks: [Double] = [0, 10, 50]

    /// `train` and `valid` share users and items (``HoldOut``). EASE is tried when the items
    /// number at most `easeMaxItems`.
    public static func tune(train: Interactions, valid: Interactions, easeMaxItems: Int = 6_000) throws -> Outcome {
        var trials: [Trial] = []
        func score(_ what: String, _ scorer: some ItemScorer) -> Double {
            let value = ndcg10(scorer, train: train, valid: valid)
            trials.append(Trial(what: what, ndcg10: value))
            return value
        }
        var bestEASE: (lambda: Double, dropout: Double, weighed: Bool, model: EASE, ndcg: Double)?
        if train.itemCount <= easeMaxItems {
            for weighed in train.hasStrengths ? [false, true] : [false] {
                for dropout in dropouts {
                    for lambda in lambdas {
                        let model = try EASE(train, lambda: lambda, dropout: dropout, weighed: weighed)
                        let value = score("EASE λ=\(Int(lambda)) dropout=\(dropout)\(weighed ? " weighed" : "")", model)
                        if value > bestEASE?.ndcg ?? -1 { bestEASE = (lambda, dropout, weighed, model, value) }
                    }
                }
            }
        }
        var bestKNN: (neighbors: Int, shrink: Double, model: ItemKNN, ndcg: Double)?
        for neighbors in neighborCounts {
            for shrink in shrinks {
                let model = ItemKNN(train, neighbors: neighbors, shrink: shrink)
                let value = score("item-kNN k=\(neighbors) shrink=\(Int(shrink))", model)
                if value > bestKNN?.ndcg ?? -1 { bestKNN = (neighbors, shrink, model, value) }
            }
        }
        var bestUsers: (model: UserKNN, ndcg: Double)?
        for neighbors in userNeighborCounts {
            let model = UserKNN(train, neighbors: neighbors, shrink: 0)
            let value = score("user-kNN k=\(neighbors)", model)
            if value > bestUsers?.ndcg ?? -1 { bestUsers = (model, value) }
        }
        let popularity = Popularity(train)
        _ = score("popularity", popularity)
        guard let bestKNN, let bestUsers else { throw NoData() }

        // The blend: each user's component scores computed once, then every weight tried.
        let users = (0..<train.userCount).filter { !valid.userItems[$0].isEmpty }
        let easeScores = bestEASE.map { best in users.map { best.model.scores(history: train.userItems[$0], strengths: train.strengths(ofUser: $0)) } }
        let knnScores = users.map { bestKNN.model.scores(history: train.userItems[$0]) }
        let userScores = users.map { bestUsers.model.scores(history: train.userItems[$0]) }
        var position: [Int: Int] = [:]
        for (index, user) in users.enumerated() { position[user] = index }
        var best: (parameters: Hybrid.Parameters, ndcg: Double)?
        var grid: [(knn: Double, users: Double, popularity: Double)] = []
        for knn in bestEASE == nil ? [1.0] : [0, 0.05, 0.1, 0.2, 0.35, 0.5, 1] {
            for users in [0, 0.1, 0.2, 0.35, 0.5] {
                for popularity in [0, 0.02, 0.05, 0.1] { grid.append((knn, users, popularity)) }
            }
        }
        for weights in grid {
            let parameters = Hybrid.Parameters(
                easeLambda: bestEASE?.lambda, easeDropout: bestEASE?.dropout ?? 0, easeWeighed: bestEASE?.weighed ?? false, neighbors: bestKNN.neighbors, shrink: bestKNN.shrink,
                easeWeight: bestEASE == nil ? 0 : 1, knnWeight: weights.knn, popularityWeight: weights.popularity,
                userNeighbors: bestUsers.model.neighbors, userWeight: weights.users)
            let metrics = RankingMetrics.measure(held: valid, cutoffs: [10]) { user in
                let index = position[user]!
                let blended = Hybrid.blend(
                    ease: easeScores?[index], knn: knnScores[index], users: userScores[index], popularity: popularity.counts,
                    parameters: parameters)
                return TopItems.select(blended, k: 10, excluded: train.userItems[user])
            }
            let value = metrics.ndcg[10] ?? 0
            trials.append(Trial(what: "hybrid \(parameters)", ndcg10: value))
            if value > best?.ndcg ?? -1 { best = (parameters, value) }
        }
        return Outcome(parameters: best!.parameters, trials: trials)
    }

    public struct NoData: Error, CustomStringConvertible {
        public var description: String { "no interactions to learn from" }
    }

    /// NDCG@10 of `scorer` (fitted on `train`) on `valid`, train items left out.
    public static func ndcg10(_ scorer: some ItemScorer, train: Interactions, valid: Interactions) -> Double {
        RankingMetrics.measure(held: valid, cutoffs: [10]) { user in
            TopItems.select(
                scorer.scores(history: train.userItems[user], strengths: train.strengths(ofUser: user)), k: 10, excluded: train.userItems[user])
        }.ndcg[10] ?? 0
    }
}
