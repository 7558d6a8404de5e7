/// EASE (Steck, 2019): a linear item-to-item model with a closed-form fit,
/// `P = (XᵀX + λI)⁻¹`, `B[i][j] = −P[i][j] / P[j][j]`, `B[j][j] = 0`. An item's score is the
/// sum of row `i` of B over the history's items. Memory and time grow as the square and the
/// cube of the item count, so the daemon uses it up to a configured size and item-kNN above.
public struct EASE: ItemScorer {
    /// B, row-major.
    let weights: [Float]
    public let itemCount: Int
    /// Whether the fit weighed interactions by their strengths (then scoring does too).
    public let weighed: Bool

    public struct TooLarge: Error, CustomStringConvertible {
        public let items: Int
        public var description: String { "EASE needs a \(items) × \(items) matrix inverse; the data has too many items for it" }
    }

    /// Fits on `data` with regularization `lambda` (hundreds for data the size of MovieLens-100k)
    /// plus `dropout` times each item's own count (Steck's EDLAE, 2020: the regularization of
    /// an autoencoder trained with that share of its input dropped; popular items, whose
    /// co-counts are large, are held back as much as rare ones).
    /// `weighed`: the Gram matrix and the scores use the interactions' strengths, not 1s.
    public init(_ data: Interactions, lambda: Double, dropout: Double = 0, weighed: Bool = false, maxItems: Int = 20_000) throws {
        let n = data.itemCount
        guard n <= maxItems else { throw TooLarge(items: n) }
        var gram = [Double](repeating: 0, count: n * n)
        let weighed = weighed && data.hasStrengths
        for (user, items) in data.userItems.enumerated() {
            let strengths = weighed ? data.strengths(ofUser: user) : []
            for (a, i) in items.enumerated() {
                let row = Int(i) * n
                if weighed {
                    for (b, j) in items.enumerated() { gram[row + Int(j)] += strengths[a] * strengths[b] }
                } else {
                    for j in items { gram[row + Int(j)] += 1 }
                }
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
        self.weighed = weighed
    }

    public func scores(history: [Int32]) -> [Double] {
        scores(history: history, strengths: [Double](repeating: 1, count: history.count))
    }

    public func scores(history: [Int32], strengths: [Double]) -> [Double] {
        var scores = [Double](repeating: 0, count: itemCount)
        weights.withUnsafeBufferPointer { b in
            scores.withUnsafeMutableBufferPointer { s in
                for (position, i) in history.enumerated() where Int(i) < itemCount {
                    let row = b.baseAddress! + Int(i) * itemCount
                    let strength = weighed ? Float(strengths[position]) : 1
                    for j in 0..<itemCount { s[j] += Double(row[j] * strength) }
                }
            }
        }
        return scores
    }
}
