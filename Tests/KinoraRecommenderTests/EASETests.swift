import KinoraRecommender
import Testing

@Suite struct EASETests {
    /// A⁻¹ from the Cholesky path times A is the identity, for a matrix the size where the
    /// loops split across cores (a wrong index would show as a large residual).
    @Test func theInverseOfAPositiveDefiniteMatrixIsExact() throws {
        let n = 150
        var random = SeededRandom(seed: 7)
        var x = [Double](repeating: 0, count: n * n)
        for index in x.indices { x[index] = Double(random.next() % 1000) / 1000 }
        // XᵀX + I: symmetric positive definite.
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = i == j ? 1.0 : 0
                for k in 0..<n { sum += x[k * n + i] * x[k * n + j] }
                a[i * n + j] = sum
            }
        }
        let inverse = try PositiveDefiniteInverse.invert(a, n: n)
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n { sum += a[i * n + k] * inverse[k * n + j] }
                worst = max(worst, abs(sum - (i == j ? 1 : 0)))
            }
        }
        #expect(worst < 1e-8, "largest residual \(worst)")
        #expect(throws: PositiveDefiniteInverse.NotPositiveDefinite.self) { try PositiveDefiniteInverse.invert([1, 2, 2, 1], n: 2) }
    }
}
