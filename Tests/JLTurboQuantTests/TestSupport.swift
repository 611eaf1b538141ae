import JLLinearAlgebra
import JLRandom
@testable import JLTurboQuant

/// Mean and unbiased sample variance.
func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, variance)
}

/// A uniform unit vector in R^d from `stream` (normalized Gaussian, indices start ..< start + d).
func unitVector(_ d: Int, _ stream: RandomStream, _ start: UInt64) -> [Double] {
    let g: [Double] = stream.gaussians(d, startingAt: start)
    let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return g.map { $0 / norm }
}

/// A pair (x, q) of unit vectors at angle θ whose joint law is invariant under rotations:
/// x uniform, q = cos θ·x + sin θ·w with w uniform on the unit sphere of x⊥.
func rotatedPair(_ d: Int, angle: Double, _ stream: RandomStream, _ trial: Int) -> (x: [Double], q: [Double]) {
    let x = unitVector(d, stream, UInt64(2 * trial * d))
    var w: [Double] = stream.gaussians(d, startingAt: UInt64((2 * trial + 1) * d))
    let projection = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }
    for j in 0..<d { w[j] -= projection * x[j] }
    let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let q = (0..<d).map { Double.cos(angle) * x[$0] + Double.sin(angle) * w[$0] / norm }
    return (x, q)
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
