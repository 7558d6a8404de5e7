/// EASE (Steck, 2019): a linear item-to-item model with a closed-form fit,
/// `P = (XᵀX + λI)⁻¹`, `B[i][j] = −P[i][j] / P[j][j]`, `B[j][j] = 0`. An item's score is the
/// sum of row `i` of B over the history's items. Memory and time grow as the square and the
/// cube of the item count, so the daemon uses it up to a configured size and item-kNN above.
public struct EASE: ItemScorer {
    /// B, row-major.
    let weights: [Float]
    public let itemCount: Int

    public struct TooLarge: Error, CustomStringConvertible {
        public let items: Int
        public var description: String { "EASE needs a \(items) × \(items) matrix inverse; the data has too many items for it" }
    }

    /// Fits on `data` with regularization `lambda` (hundreds for data the size of MovieLens-100k)
    /// plus `dropout` times each item's own count (Steck's EDLAE, 2020: the regularization of
    /// an autoencoder trained with that share of its input dropped; popular items, whose
    /// co-counts are large, are held back as much as rare ones).
    public init(_ data: Interactions, lambda: Double, dropout: Double = 0, maxItems: Int = 20_000) throws {
        let n = data.itemCount
        guard n <= maxItems else { throw TooLarge(items: n) }
        var gram = [Double](repeating: 0, count: n * n)
        for items in data.userItems {
            for i in items {
                let row = Int(i) * n
                for j in items { gram[row + Int(j)] += 1 }
            }
        }
        for i in 0..<n { gram[i * n + i] += lambda + dropout * gram[i * n + i] }
        let p = try PositiveDefiniteInverse.invert(gram, n: n)
        var weights = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where i != j { weights[i * n + j] = Float(-p[i * n + j] / p[j * n + j]) }
        }
        self.weights = weights
        itemCount = n
    }

    public func scores(history: [Int32]) -> [Double] {
        var scores = [Double](repeating: 0, count: itemCount)
        weights.withUnsafeBufferPointer { b in
            scores.withUnsafeMutableBufferPointer { s in
                for i in history where Int(i) < itemCount {
                    let row = b.baseAddress! + Int(i) * itemCount
                    for j in 0..<itemCount { s[j] += Double(row[j]) }
                }
            }
        }
        return scores
    }
}
