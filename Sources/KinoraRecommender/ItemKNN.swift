/// Item-to-item collaborative filtering: two items are alike when the same users saw both,
/// cosine similarity shrunk toward zero when few users back it,
/// `sim(i, j) = c(i, j) / (sqrt(n(i) · n(j)) + shrink)`, and each item keeps its `neighbors`
/// most similar. An item's score is the sum of its similarities to the history's items.
public struct ItemKNN: ItemScorer {
    /// Per history item i, the items j that keep i among their neighbours, with sim(i, j).
    let edges: [[(item: Int32, weight: Float)]]
    public var itemCount: Int { edges.count }

    public init(_ data: Interactions, neighbors: Int, shrink: Double) {
        let n = data.itemCount
        var edges = [[(item: Int32, weight: Float)]](repeating: [], count: n)
        var together = [Int32](repeating: 0, count: n)
        var touched: [Int32] = []
        for j in 0..<n {
            let users = data.itemUsers[j]
            guard !users.isEmpty else { continue }
            for user in users {
                for i in data.userItems[Int(user)] where Int(i) != j {
                    if together[Int(i)] == 0 { touched.append(i) }
                    together[Int(i)] += 1
                }
            }
            let nj = Double(users.count)
            var similar: [Double] = []
            similar.reserveCapacity(touched.count)
            for i in touched {
                let ni = Double(data.itemUsers[Int(i)].count)
                similar.append(Double(together[Int(i)]) / ((ni * nj).squareRoot() + shrink))
            }
            // The neighbours of j among the touched items (scores indexed by position).
            for position in TopItems.select(similar, k: neighbors) {
                let i = touched[Int(position)]
                edges[Int(i)].append((item: Int32(j), weight: Float(similar[Int(position)])))
            }
            for i in touched { together[Int(i)] = 0 }
            touched.removeAll(keepingCapacity: true)
        }
        self.edges = edges
    }

    public func scores(history: [Int32]) -> [Double] {
        var scores = [Double](repeating: 0, count: edges.count)
        for i in history where Int(i) < edges.count {
            for edge in edges[Int(i)] { scores[Int(edge.item)] += Double(edge.weight) }
        }
        return scores
    }
}
