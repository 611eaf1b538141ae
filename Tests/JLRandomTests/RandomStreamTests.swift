import Dispatch
import Synchronization
import Testing
@testable import JLRandom

/// Derivation of streams: determinism, separation and independence from scheduling.
struct RandomStreamTests {
    static func words(_ stream: RandomStream, count: Int = 64) -> [UInt32] {
        (0..<UInt64(count)).map { stream.word($0) }
    }

    @Test func sameSeedGivesIdenticalWords() {
        #expect(Self.words(RandomStream(seed: 123)) == Self.words(RandomStream(seed: 123)))
        #expect(Self.words(RandomStream(seed: 123).child("a").child(9)) == Self.words(RandomStream(seed: 123).child("a").child(9)))
    }

    @Test func rootKeyIsTheSeedWords() {
        let stream = RandomStream(seed: 0x0123_4567_89AB_CDEF)
        #expect(stream.key == SIMD2(0x89AB_CDEF, 0x0123_4567))
        #expect(stream.streamNumber == 0)
        // Block b of the stream is Philox(counter: (b_lo, b_hi, s_lo, s_hi), key).
        let b: UInt64 = 0x1_0000_0002
        #expect(stream.block(b) == Philox4x32_10.block(counter: SIMD4(2, 1, 0, 0), key: stream.key))
        let other = RandomStream(key: SIMD2(5, 6), streamNumber: 0x7_0000_0008)
        #expect(other.block(3) == Philox4x32_10.block(counter: SIMD4(3, 0, 8, 7), key: SIMD2(5, 6)))
        // word(4b + j) is lane j of block b.
        for j in 0..<4 { #expect(stream.word(4 * 11 + UInt64(j)) == stream.block(11)[j]) }
    }

    @Test func differentSeedsDiffer() {
        let seeds: [UInt64] = [0, 1, 2, 1 << 32, UInt64.max]
        let all = seeds.map { Self.words(RandomStream(seed: $0), count: 8) }
        #expect(Set(all.map { $0.description }).count == seeds.count)
    }

    @Test func childLabelsDiffer() {
        let root = RandomStream(seed: 42)
        let numeric = (0..<UInt64(100)).map { root.child($0) }
        #expect(Set(numeric).count == 100)
        #expect(!numeric.contains(root))
        let named = ["exp-distortion", "exp-bias", "sketch", "keys", ""].map { root.child($0) }
        #expect(Set(named).count == 5)
        // A child's data differs from its parent's data and from its siblings'.
        #expect(Self.words(root.child(0)) != Self.words(root))
        #expect(Self.words(root.child(0)) != Self.words(root.child(1)))
        // Streams with different stream numbers but the same key derive different children.
        let a = RandomStream(key: SIMD2(1, 2), streamNumber: 0), b = RandomStream(key: SIMD2(1, 2), streamNumber: 1)
        #expect(a.child(5) != b.child(5))
    }

    @Test func childPathEqualsChainedChildren() {
        let root = RandomStream(seed: 77)
        #expect(root.child(path: [3, 1, 4, 1, 5]) == root.child(3).child(1).child(4).child(1).child(5))
        #expect(root.child(path: []) == root)
        #expect(root.child(path: [9]) == root.child(9))
        // Order matters: (a, b) and (b, a) are different paths.
        #expect(root.child(path: [1, 2]) != root.child(path: [2, 1]))
    }

    @Test func textLabelIsFNV1aOfUTF8() {
        // FNV-1a 64 reference values (Fowler–Noll–Vo test suite).
        #expect(RandomStream.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(RandomStream.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(RandomStream.fnv1a64("foobar") == 0x8594_4171_F739_67E8)
        let root = RandomStream(seed: 1)
        #expect(root.child("trial") == root.child(RandomStream.fnv1a64("trial")))
    }

    @Test func childDerivationUsesTaggedCounter() {
        let parent = RandomStream(key: SIMD2(10, 20), streamNumber: 0x3_0000_0004)
        let label: UInt64 = 0x5_0000_0006
        let out = Philox4x32_10.block(counter: SIMD4(6, 5, 4 ^ 0x5EED_C0DE, 3), key: SIMD2(10, 20))
        #expect(parent.child(label) == RandomStream(key: SIMD2(out.x, out.y), streamNumber: 0))
    }

    // MARK: scheduling independence

    /// The result of trial t: a value that depends on many words of the trial's own stream.
    static func trialResult(root: RandomStream, trial: Int) -> Double {
        let stream = root.child("exp-scheduling").child(UInt64(trial))
        var sum = 0.0
        for i in 0..<200 { sum += stream.gaussian(at: UInt64(i)) * Double(i + 1) }
        var cursor = RandomCursor(stream: stream.child("cursor"))
        return sum + Double(cursor.nextInt(below: 1000))
    }

    final class Results: Sendable {
        let values: Mutex<[Double]>
        init(count: Int) { values = Mutex([Double](repeating: .nan, count: count)) }
        func set(_ index: Int, _ value: Double) { values.withLock { $0[index] = value } }
        var snapshot: [Double] { values.withLock { $0 } }
    }

    @Test(arguments: [2, 8])
    func concurrentTrialsEqualSerialLoop(workers: Int) {
        let root = RandomStream(seed: 2026)
        let trialCount = 96
        let serial = (0..<trialCount).map { Self.trialResult(root: root, trial: $0) }
        let results = Results(count: trialCount)
        // Worker w takes trials w, w + workers, … in reverse order, so the order of derivation
        // differs from the serial loop's.
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for trial in stride(from: trialCount - 1, through: 0, by: -1) where trial % workers == worker {
                results.set(trial, Self.trialResult(root: root, trial: trial))
            }
        }
        let parallel = results.snapshot
        // Bit-identical, not approximately equal.
        #expect(parallel.map(\.bitPattern) == serial.map(\.bitPattern))
    }
}

extension RandomStreamTests {
    /// Key words are zero-padded, so (0x1, 0x23) and (0x12, 0x3) print differently.
    @Test func descriptionIsUnambiguous() {
        let a = RandomStream(key: SIMD2(0x23, 0x1), streamNumber: 4)
        #expect(a.description == "Philox4x32-10(key: 0x0000000100000023, stream: 4)")
        let b = RandomStream(key: SIMD2(0x3, 0x12), streamNumber: 4)
        #expect(a.description != b.description)
    }
}
