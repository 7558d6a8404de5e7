import Foundation

/// The inverse of a symmetric positive-definite matrix (row-major, `n × n`), through its
/// Cholesky factor: `A = L Lᵀ`, `M = L⁻¹`, `A⁻¹ = Mᵀ M`. Every inner loop is a dot product of
/// two contiguous rows, about `2n³/3` multiply-adds in all, spread over the cores; EASE's Gram
/// matrix plus its regularization is always positive definite.
public enum PositiveDefiniteInverse {
    public struct NotPositiveDefinite: Error {}

    public static func invert(_ matrix: [Double], n: Int) throws -> [Double] {
        precondition(matrix.count == n * n)
        var l = matrix
        try l.withUnsafeMutableBufferPointer { l in
            // Column by column: L[j][j], then L[i][j] for the rows below, in parallel.
            for j in 0..<n {
                let rowJ = l.baseAddress! + j * n
                let diagonal = rowJ[j] - dot(rowJ, rowJ, j)
                guard diagonal > 0 else { throw NotPositiveDefinite() }
                let pivot = diagonal.squareRoot()
                rowJ[j] = pivot
                let below = n - j - 1
                guard below > 0 else { continue }
                let base = Shared(l.baseAddress!)
                parallel(below) { range in
                    let rowJ = base.pointer + j * n
                    for i in range {
                        let rowI = base.pointer + (j + 1 + i) * n
                        rowI[j] = (rowI[j] - dot(rowI, rowJ, j)) / pivot
                    }
                }
            }
        }
        // Mᵀ: row j holds column j of L⁻¹ (zero before j), solved forward from e_j.
        var mt = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { l in
            mt.withUnsafeMutableBufferPointer { mt in
                let lShared = Shared(UnsafeMutablePointer(mutating: l.baseAddress!))
                let mShared = Shared(mt.baseAddress!)
                parallel(n) { range in
                    let lBase = lShared.pointer
                    for j in range {
                        let m = mShared.pointer + j * n
                        m[j] = 1 / lBase[j * n + j]
                        for i in (j + 1)..<n {
                            let rowI = lBase + i * n
                            m[i] = -dot(rowI + j, m + j, i - j) / rowI[i]
                        }
                    }
                }
            }
        }
        // A⁻¹[i][k] = Σ_{t ≥ max(i, k)} Mᵀ[i][t] · Mᵀ[k][t]; the lower half, mirrored. L's
        // buffer is no longer needed and takes the result.
        mt.withUnsafeBufferPointer { mt in
            l.withUnsafeMutableBufferPointer { out in
                let mShared = Shared(UnsafeMutablePointer(mutating: mt.baseAddress!))
                let oShared = Shared(out.baseAddress!)
                parallel(n) { range in
                    let mBase = mShared.pointer
                    let oBase = oShared.pointer
                    for i in range {
                        let rowI = mBase + i * n
                        for k in 0...i {
                            let value = dot(rowI + i, mBase + k * n + i, n - i)
                            oBase[i * n + k] = value
                            oBase[k * n + i] = value
                        }
                    }
                }
            }
        }
        return l
    }

    @inline(__always)
    static func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ count: Int) -> Double {
        dot(UnsafePointer(a), UnsafePointer(b), count)
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        // Four sums let the loop vectorize (floating-point addition is not reassociated otherwise).
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var t = 0
        while t + 4 <= count {
            s0 += a[t] * b[t]
            s1 += a[t + 1] * b[t + 1]
            s2 += a[t + 2] * b[t + 2]
            s3 += a[t + 3] * b[t + 3]
            t += 4
        }
        while t < count {
            s0 += a[t] * b[t]
            t += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// A buffer the parallel loops write disjoint parts of.
    struct Shared: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Double>
        init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
    }

    /// `body` over `0..<count` in a few chunks per core (one chunk when the work is small).
    static func parallel(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunks = count < 64 ? 1 : min(cores * 4, count)
        guard chunks > 1 else { return body(0..<count) }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
        }
    }
}
