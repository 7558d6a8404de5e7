import Foundation

/// Recall@K and NDCG@K over full rankings (every item scored, the user's training items left
/// out), averaged over the users who have held-out items: the measures and the protocol of
/// RecBole's full-sort evaluation, binary relevance.
public struct RankingMetrics: Sendable, Equatable {
    public var recall: [Int: Double]
    public var ndcg: [Int: Double]
    public var users: Int

    /// `ranked(user)` returns the user's top items, best first, at least `cutoffs.max()` of
    /// them when there are that many candidates.
    public static func measure(held: Interactions, cutoffs: [Int], ranked: (Int) -> [Int32]) -> RankingMetrics {
        var recall = [Int: Double](uniqueKeysWithValues: cutoffs.map { ($0, 0) })
        var ndcg = recall
        var users = 0
        for user in 0..<held.userCount where !held.userItems[user].isEmpty {
            let relevant = Set(held.userItems[user])
            let top = ranked(user)
            users += 1
            for k in cutoffs {
                var hits = 0
                var dcg = 0.0
                for (rank, item) in top.prefix(k).enumerated() where relevant.contains(item) {
                    hits += 1
                    dcg += 1 / log2(Double(rank) + 2)
                }
                let ideal = (0..<min(k, relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
                recall[k, default: 0] += Double(hits) / Double(relevant.count)
                ndcg[k, default: 0] += dcg / ideal
            }
        }
        let count = Double(max(users, 1))
        return RankingMetrics(recall: recall.mapValues { $0 / count }, ndcg: ndcg.mapValues { $0 / count }, users: users)
    }
}
