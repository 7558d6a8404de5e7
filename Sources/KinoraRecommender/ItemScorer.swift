/// A fitted model: scores every item for a history of items. The daemon scores a signed-in
/// viewer's current history with the model of the last recompute, and the offline commands
/// score a file's users with the same code.
public protocol ItemScorer: Sendable {
    /// How many items the model knows (the length of every score vector).
    var itemCount: Int { get }
    /// One score per item for someone who saw `history` (item indices); higher is better.
    /// Items seen are scored too: leaving them out is ``TopItems``' job.
    func scores(history: [Int32]) -> [Double]
    /// The same with each history item's strength (aligned with `history`); models that do
    /// not weigh interactions ignore them.
    func scores(history: [Int32], strengths: [Double]) -> [Double]
}

extension ItemScorer {
    public func scores(history: [Int32], strengths: [Double]) -> [Double] { scores(history: history) }
}

/// The best `k` items by score, best first, leaving out `excluded` (sorted ascending) and items
/// scored `-infinity`; ties go to the lower index, so a ranking is the same in every run.
public enum TopItems {
    public static func select(_ scores: [Double], k: Int, excluded: [Int32] = []) -> [Int32] {
        guard k > 0 else { return [] }
        // A min-heap of the best k so far: k log k per item at worst, one comparison for most.
        var heap: [(score: Double, item: Int32)] = []
        heap.reserveCapacity(k)
        func worse(_ a: (score: Double, item: Int32), _ b: (score: Double, item: Int32)) -> Bool {
            a.score < b.score || (a.score == b.score && a.item > b.item)
        }
        var skip = excluded.makeIterator()
        var nextSkipped = skip.next()
        for index in scores.indices {
            let item = Int32(index)
            while let skipped = nextSkipped, skipped < item { nextSkipped = skip.next() }
            if nextSkipped == item { continue }
            let candidate = (score: scores[index], item: item)
            guard candidate.score > -.infinity else { continue }
            if heap.count < k {
                heap.append(candidate)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard worse(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if worse(heap[0], candidate) {
                heap[0] = candidate
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    let right = left + 1
                    var smallest = parent
                    if left < k, worse(heap[left], heap[smallest]) { smallest = left }
                    if right < k, worse(heap[right], heap[smallest]) { smallest = right }
                    guard smallest != parent else { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
        }
        return heap.sorted { worse($1, $0) }.map(\.item)
    }
}
