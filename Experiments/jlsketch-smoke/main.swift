// jlsketch-smoke: applies every transform family to one vector and prints one line each:
import Foundation
// the transform spec, its row law, and ‖Sx‖²/(c‖x‖²) (close to 1: E‖Sx‖² = c‖x‖², c stated by
// the transform). A quick end-to-end check that the C libraries link and the transforms run.
import JLLinearAlgebra
import JLRandom
import JLTransforms

let inputDimension = 128
let sketchDimension = 256
let seed: UInt64 = 42
let x: [Double] = RandomStream(seed: seed).child("smoke-vector").gaussians(inputDimension)
let squaredNorm = x.reduce(0) { $0 + $1 * $1 }

print("JLSketch smoke test: d = \(inputDimension), m = \(sketchDimension), seed = \(seed)")
var failures = 0
for spec in TransformKind.exampleSpecs {
    do {
        let kind = try TransformKind(parsing: spec)
        let transform = try kind.make(
            inputDimension: inputDimension, sketchDimension: sketchDimension, seed: seed, as: Double.self)
        let y = try transform.apply(x)
        let ratio = y.reduce(0) { $0 + $1 * $1 } / (transform.squaredNormScale * squaredNorm)
        let padded = spec.padding(toLength: 36, withPad: " ", startingAt: 0)
        print("\(padded) ‖Sx‖²/(c‖x‖²) = \(String(format: "%.4f", ratio))   rows: \(transform.rowLaw)")
    } catch {
        failures += 1
        print("\(spec): FAILED: \(error)")
    }
}
if failures > 0 {
    print("\(failures) transform(s) failed")
    exit(1)
}
