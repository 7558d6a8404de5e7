/// User-to-user collaborative filtering: the `neighbors` training users whose histories are
/// most like the given one (cosine, shrunk like ``ItemKNN``'s) vote for their items, each vote
/// weighted by that similarity. A signal beside the item-to-item models: it sees whole tastes
/// where they see pairs of items. Scoring walks only the users who share an item with the
/// history, so a history needs no refit.
public struct UserKNN: ItemScorer {
    let data: Interactions
    public let neighbors: Int
    public let shrink: Double
    public var itemCount: Int { data.itemCount }

    public init(_ data: Interactions, neighbors: Int, shrink: Double) {
        self.data = data
        self.neighbors = neighbors
        self.shrink = shrink
    }

    public func scores(history: [Int32]) -> [Double] {
        var scores = [Double](repeating: 0, count: data.itemCount)
        guard !history.isEmpty else { return scores }
        var shared = [Int32](repeating: 0, count: data.userCount)
        var touched: [Int32] = []
        for item in history where Int(item) < data.itemCount {
            for user in data.itemUsers[Int(item)] {
                if shared[Int(user)] == 0 { touched.append(user) }
                shared[Int(user)] += 1
            }
        }
        let size = Double(history.count)
        var similarity: [Double] = []
        similarity.reserveCapacity(touched.count)
        for user in touched {
            let count = shared[Int(user)]
            // The history's own user (every item shared, nothing new to offer) is no neighbour.
            if Int(count) == history.count, data.userItems[Int(user)].count == history.count {
                similarity.append(-.infinity)
                continue
            }
            similarity.append(Double(count) / ((size * Double(data.userItems[Int(user)].count)).squareRoot() + shrink))
        }
        for position in TopItems.select(similarity, k: neighbors) {
            let weight = similarity[Int(position)]
            for item in data.userItems[Int(touched[Int(position)])] { scores[Int(item)] += weight }
        }
        return scores
    }
}
