import Foundation
import Testing
@testable import JLRandom

/// Sequential draws: bounded integers (Lemire) and samples without replacement.
struct RandomCursorTests {
    @Test func nextWordReadsTheStreamInOrder() {
        let stream = RandomStream(seed: 21)
        var cursor = RandomCursor(stream: stream, position: 5)
        for i in 5..<40 { #expect(cursor.nextWord() == stream.word(UInt64(i))) }
        #expect(cursor.position == 40)
        // A copy reads the same words and does not disturb the original.
        var copy = cursor
        let a = copy.nextWord()
        #expect(cursor.nextWord() == a)
    }

    /// Counts `draws` values of nextInt(below: bound) in `bins` equal-width bins.
    static func binCounts(bound: Int, bins: Int, draws: Int, seed: UInt64) -> [Int] {
        var cursor = RandomCursor(stream: RandomStream(seed: seed).child(UInt64(truncatingIfNeeded: bound)))
        var counts = [Int](repeating: 0, count: bins)
        for _ in 0..<draws {
            let value = cursor.nextInt(below: bound)
            guard value >= 0, value < bound else { counts[0] += draws; continue } // out of range ⇒ fail loudly
            // Bin = ⌊value·bins/bound⌋ without overflow (bins divides bound in every use below).
            counts[value / (bound / bins)] += 1
        }
        return counts
    }

    /// Pearson χ² over the bins against the upper 1e-9 quantile of χ²_{bins−1}
    /// (Wilson–Hilferty). False-failure probability per case ≈ 1e-9.
    @Test(arguments: [
        (bound: 2, bins: 2, draws: 40_000),
        (bound: 3, bins: 3, draws: 30_000),
        (bound: 7, bins: 7, draws: 35_000),
        (bound: 10, bins: 10, draws: 50_000),
        (bound: 1000, bins: 1000, draws: 100_000),
        // 3·2³⁰ > Int32.max but < 2³²: the 32-bit path with a large rejection threshold. A plain
        // `word % bound` would put probability 1/2, 1/4, 1/4 in the three bins.
        (bound: 3 << 30, bins: 3, draws: 30_000),
        // 2³² = UInt32.max + 1 and 3·2³²: the 64-bit path.
        (bound: 1 << 32, bins: 4, draws: 40_000),
        (bound: 3 << 32, bins: 3, draws: 30_000),
    ])
    func nextIntIsUniform(bound: Int, bins: Int, draws: Int) {
        let counts = Self.binCounts(bound: bound, bins: bins, draws: draws, seed: 31)
        #expect(counts.reduce(0, +) == draws, "a draw fell outside 0..<\(bound)")
        let statistic = Stat.chiSquareUniform(counts)
        let critical = Stat.chiSquareCritical(degreesOfFreedom: bins - 1)
        #expect(statistic <= critical, "bound \(bound): χ² = \(statistic), critical \(critical)")
    }

    /// Fine structure for a bound near 2³²: with s = 3·2³⁰, multiply-shift without Lemire's
    /// rejection gives ⌊3w/4⌋, which hits multiples of 3 twice as often (residue 0 gets ½). Uniform
    /// draws have residues mod 3 uniform (3 divides s). χ²_2 at α = 1e-9.
    @Test func nextIntLargeBoundResiduesAreUniform() {
        var cursor = RandomCursor(stream: RandomStream(seed: 36))
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[cursor.nextInt(below: 3 << 30) % 3] += 1 }
        let statistic = Stat.chiSquareUniform(counts)
        #expect(statistic <= Stat.chiSquareCritical(degreesOfFreedom: 2), "residues \(counts)")
    }

    @Test func nextIntEdgeCases() {
        var cursor = RandomCursor(stream: RandomStream(seed: 32))
        for bound in [1, 0, -1, Int.min] { #expect(cursor.nextInt(below: bound) == 0) }
        #expect(cursor.position == 0, "trivial bounds consume no words")
        var seen = Set<Int>()
        for _ in 0..<200 { seen.insert(cursor.nextInt(below: 2)) }
        #expect(seen == [0, 1])
        seen = []
        for _ in 0..<300 { seen.insert(cursor.nextInt(below: 3)) }
        #expect(seen == [0, 1, 2])
        // Int.max: the 64-bit path must stay in range.
        for _ in 0..<1000 {
            let value = cursor.nextInt(below: Int.max)
            #expect(value >= 0 && value < Int.max)
        }
        // UInt32.max itself (largest 32-bit bound).
        for _ in 0..<1000 {
            let value = cursor.nextInt(below: Int(UInt32.max))
            #expect(value >= 0 && value < Int(UInt32.max))
        }
    }

    /// Lemire's map: when the low half is not rejected, the draw is ⌊w·s / 2³²⌋.
    @Test func nextIntIsLemiresMultiplyShift() {
        let stream = RandomStream(seed: 33)
        var cursor = RandomCursor(stream: stream)
        for i in 0..<500 {
            let word = stream.word(UInt64(i))
            let product = UInt64(word) * 10
            // Threshold (2³² mod 10) = 6: a word is rejected only if its low product half < 6.
            guard UInt32(truncatingIfNeeded: product) >= 6 else { return }
            #expect(cursor.nextInt(below: 10) == Int(product >> 32))
        }
    }

    @Test func sampleWithoutReplacementIsDistinctAndInRange() {
        var cursor = RandomCursor(stream: RandomStream(seed: 34))
        for (count, population) in [(1, 1), (3, 10), (10, 10), (15, 10), (50, 1000), (1, 7)] {
            let sample = cursor.sampleWithoutReplacement(count, from: population)
            #expect(sample.count == min(count, population))
            #expect(Set(sample).count == sample.count, "duplicates in \(sample)")
            #expect(sample.allSatisfy { $0 >= 0 && $0 < population })
        }
        #expect(Set(cursor.sampleWithoutReplacement(10, from: 10)) == Set(0..<10))
        #expect(cursor.sampleWithoutReplacement(0, from: 10).isEmpty)
        #expect(cursor.sampleWithoutReplacement(-3, from: 10).isEmpty)
        #expect(cursor.sampleWithoutReplacement(3, from: 0).isEmpty)
        #expect(cursor.sampleWithoutReplacement(3, from: -4).isEmpty)
    }

    @Test func sampleWithoutReplacementInclusionFrequencies() {
        let population = 20, count = 7, trials = 20_000
        var cursor = RandomCursor(stream: RandomStream(seed: 35))
        var inclusions = [Int](repeating: 0, count: population)
        var firstPosition = [Int](repeating: 0, count: population)
        for _ in 0..<trials {
            let sample = cursor.sampleWithoutReplacement(count, from: population)
            for item in sample { inclusions[item] += 1 }
            firstPosition[sample[0]] += 1
        }
        // Each element is included with p = count/population; its count is Binomial(trials, p).
        // 6σ per element (20 elements ⇒ false-failure probability ≲ 4e-8).
        let p = Double(count) / Double(population)
        let tolerance = 6 * (p * (1 - p) / Double(trials)).squareRoot()
        for (item, hits) in inclusions.enumerated() {
            #expect(abs(Double(hits) / Double(trials) - p) <= tolerance, "item \(item): \(hits)")
        }
        // The first entry of the sample is uniform on the population: χ²_{19} at α = 1e-9.
        #expect(Stat.chiSquareUniform(firstPosition) <= Stat.chiSquareCritical(degreesOfFreedom: population - 1))
    }
}
