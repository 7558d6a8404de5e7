/// The recommender the daemon serves and the offline commands evaluate: EASE (or item-kNN
/// when there are too many items for it), item-kNN and popularity, each user's scores of a
/// component divided by their largest so that weights mean the same for everyone, then summed
/// with the weights ``RecommenderTuning`` chose on held-out data.
public struct Hybrid: ItemScorer {
    public struct Parameters: Sendable, Equatable, CustomStringConvertible {
        /// EASE's regularization; nil leaves EASE out (too many items, or it did not help).
        public var easeLambda: Double?
        /// EASE's item-dependent regularization (``EASE/init(_:lambda:dropout:maxItems:)``).
        public var easeDropout: Double
        /// Whether EASE weighs interactions by their strengths.
        public var easeWeighed: Bool
        public var neighbors: Int
        public var shrink: Double
        public var easeWeight: Double
        public var knnWeight: Double
        public var popularityWeight: Double
        public var userNeighbors: Int
        public var userWeight: Double

        public init(
            easeLambda: Double?, easeDropout: Double = 0, easeWeighed: Bool = false, neighbors: Int, shrink: Double, easeWeight: Double, knnWeight: Double,
            popularityWeight: Double, userNeighbors: Int = 50, userWeight: Double = 0
        ) {
            self.userNeighbors = userNeighbors
            self.userWeight = userWeight
            self.easeLambda = easeLambda
            self.easeDropout = easeDropout
            self.easeWeighed = easeWeighed
            self.neighbors = neighbors
            self.shrink = shrink
            self.easeWeight = easeWeight
            self.knnWeight = knnWeight
            self.popularityWeight = popularityWeight
        }

        public var description: String {
            let ease = easeLambda.map { "EASE λ=\(Int($0)) dropout=\(easeDropout)\(easeWeighed ? " weighed" : "") ×\(easeWeight)" } ?? "no EASE"
            return "\(ease), item-kNN k=\(neighbors) shrink=\(Int(shrink)) ×\(knnWeight), user-kNN k=\(userNeighbors) ×\(userWeight), popularity ×\(popularityWeight)"
        }
    }

    public let parameters: Parameters
    public let ease: EASE?
    public let knn: ItemKNN
    public let popularity: Popularity
    public let users: UserKNN
    public var itemCount: Int { popularity.itemCount }

    public init(_ data: Interactions, parameters: Parameters) throws {
        self.parameters = parameters
        ease = try parameters.easeLambda.map { try EASE(data, lambda: $0, dropout: parameters.easeDropout, weighed: parameters.easeWeighed) }
        knn = ItemKNN(data, neighbors: parameters.neighbors, shrink: parameters.shrink)
        popularity = Popularity(data)
        users = UserKNN(data, neighbors: parameters.userNeighbors, shrink: 0)
    }

    /// Built from components already fitted (tuning fits each once and tries many weights).

    public func scores(history: [Int32]) -> [Double] {
        scores(history: history, strengths: [Double](repeating: 1, count: history.count))
    }

    public func scores(history: [Int32], strengths: [Double]) -> [Double] {
        Self.blend(
            ease: ease?.scores(history: history, strengths: strengths), knn: knn.scores(history: history),
            users: parameters.userWeight == 0 ? nil : users.scores(history: history), popularity: popularity.counts, parameters: parameters)
    }

    static func blend(ease: [Double]?, knn: [Double], users: [Double]?, popularity: [Double], parameters: Parameters) -> [Double] {
        var total = [Double](repeating: 0, count: popularity.count)
        func add(_ scores: [Double], _ weight: Double) {
            guard weight != 0, let top = scores.max(), top > 0 else { return }
            let factor = weight / top
            for index in total.indices { total[index] += scores[index] * factor }
        }
        if let ease { add(ease, parameters.easeWeight) }
        add(knn, parameters.knnWeight)
        if let users { add(users, parameters.userWeight) }
        add(popularity, parameters.popularityWeight)
        return total
    }
}
