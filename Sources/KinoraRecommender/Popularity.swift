/// How many users saw each item: the baseline every other model must beat, and the fallback
/// for someone with no history.
public struct Popularity: ItemScorer {
    public let counts: [Double]
    public var itemCount: Int { counts.count }

    public init(_ data: Interactions) {
        counts = data.itemUsers.map { Double($0.count) }
    }

    public func scores(history: [Int32]) -> [Double] { counts }
}
