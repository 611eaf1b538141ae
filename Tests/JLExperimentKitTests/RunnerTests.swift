import Foundation
import JLExperimentKit
import JLRandom
import Testing

@Suite("Deterministic runs, shards and merge")
struct RunnerTests {
    @Test("same arguments give byte-identical JSON")
    func repeatable() async throws {
        let scratch = try ScratchDirectory()
        try await runToy(["--trials", "60", "--quiet", "--json", scratch.file("a.json")])
        try await runToy(["--trials", "60", "--quiet", "--json", scratch.file("b.json")])
        let a = try scratch.read("a.json"), b = try scratch.read("b.json")
        #expect(a == b)
        #expect(a.count > 200)
        // A different seed must change the bytes (guards against a run that ignores its streams).
        try await runToy(["--trials", "60", "--seed", "1", "--quiet", "--json", scratch.file("c.json")])
        #expect(try scratch.read("c.json") != a)
    }

    @Test("threads 1, 2 and 5 give byte-identical JSON")
    func threadIndependence() async throws {
        let scratch = try ScratchDirectory()
        for threads in [1, 2, 5] {
            try await runToy(["--trials", "90", "--threads", "\(threads)", "--quiet", "--json", scratch.file("t\(threads).json")])
        }
        let one = try scratch.read("t1.json")
        #expect(try scratch.read("t2.json") == one)
        #expect(try scratch.read("t5.json") == one)
    }

    @Test("merged shards are byte-identical to the unsharded run", arguments: [2, 3, 13])
    func mergeEqualsUnsharded(shardCount: Int) async throws {
        let scratch = try ScratchDirectory()
        // 90 trials in blocks of 7 → 13 blocks, the last one partial (6 trials).
        try await runToy(["--trials", "90", "--seed", "99", "--quiet", "--json", scratch.file("full.json")])
        var shardFiles: [String] = []
        for index in 0..<shardCount {
            let path = scratch.file("shard\(index).json")
            // The same command plus --shard; scheduling/output options anywhere, any thread count.
            try await runToy(["--shard", "\(index)/\(shardCount)", "--trials", "90", "--threads", "\(index + 1)", "--seed", "99", "--json", path, "--quiet"])
            shardFiles.append(path)
        }
        let merged = try mergeShards(files: shardFiles.reversed(), registry: registry())
        let full = try scratch.read("full.json")
        #expect(merged == full)
        let text = String(decoding: full, as: UTF8.self)
        #expect(text.contains("\"kind\" : \"report\""))
        #expect(text.contains("\"commandLine\" : \"exp-toy-tail --trials 90 --seed 99\""))
    }

    @Test("a shard file holds exactly the blocks b with b mod n == i")
    func shardOwnership() async throws {
        let scratch = try ScratchDirectory()
        try await runToy(["--trials", "90", "--shard", "1/3", "--quiet", "--json", scratch.file("s.json")])
        let shard = try JSONDecoder().decode(ShardFile<TailProbabilityExperiment>.self, from: try scratch.read("s.json"))
        #expect(shard.kind == "shard")
        #expect(shard.shard == (try ShardSpec(index: 1, count: 3)))
        #expect(shard.blocks.map(\.index) == [1, 4, 7, 10])
        #expect(shard.manifest.blockCount == 13)
        #expect(shard.blocks[0].accumulator.samples == 7 * 16)
    }

    @Test("trial t draws from RandomStream(seed).child(name).child(t)")
    func streamContract() async throws {
        let outcome = try await runToy(["--trials", "23", "--seed", "5", "--quiet"])
        let file = try JSONDecoder().decode(ReportFile<TailProbabilityExperiment>.self, from: outcome.json)
        // Recompute directly from the documented stream path, with no harness involved.
        let root = RandomStream(seed: 5).child(TailProbabilityExperiment.name)
        var exceedances = 0
        var sum = 0.0
        for trial in 0..<23 {
            for index in 0..<16 {
                let z = root.child(UInt64(trial)).gaussian(at: UInt64(index))
                if z > 1 { exceedances += 1 }
                sum += z
            }
        }
        #expect(file.report.samples == 23 * 16)
        #expect(file.report.exceedances == exceedances)
        // Summation order differs (blocks of 7), so compare the mean to rounding, not bits.
        #expect(abs(file.report.mean - sum / Double(23 * 16)) < 1e-12)
    }

    @Test("the toy estimate of P(Z > 1) is within 6σ of 1 − Φ(1)")
    func toyEstimate() async throws {
        let outcome = try await runToy(["--trials", "2000", "--threads", "2", "--quiet"])
        let file = try JSONDecoder().decode(ReportFile<TailProbabilityExperiment>.self, from: outcome.json)
        let p = TailProbabilityExperiment.theory
        let n = Double(file.report.samples)
        // p̂ is a binomial proportion: σ = √(p(1−p)/n) ≈ 0.0020 for n = 32000; 6σ: false failure < 2e-9.
        let tolerance = 6 * (p * (1 - p) / n).squareRoot()
        #expect(n == 32000)
        #expect(abs(file.report.tailProbability - p) < tolerance)
        #expect(outcome.standardOutput.contains("P(Z > 1)  0.158655"))
    }

    @Test("manifest records seed, RNG, precision, blocks, BLAS and the cleaned command line")
    func manifestContents() async throws {
        let scratch = try ScratchDirectory()
        let outcome = try await runToy([
            "--trials", "30", "--precision", "float", "--threads", "3", "--quiet", "--overwrite",
            "--csv", scratch.file("r.csv"), "--plot=\(scratch.file("r.svg"))", "--timings", scratch.file("t.json"),
        ])
        let file = try JSONDecoder().decode(ReportFile<TailProbabilityExperiment>.self, from: outcome.json)
        let manifest = file.manifest
        #expect(manifest.experiment == "exp-toy-tail")
        #expect(manifest.seed == CommonOptions.defaultSeed)
        #expect(manifest.rngAlgorithm == "Philox4x32-10")
        #expect(manifest.precision == .float)
        #expect(manifest.trials == 30 && manifest.blockSize == 7 && manifest.blockCount == 5)
        #expect(manifest.transformSpecs == ["none"])
        #expect(manifest.toolkitVersion == ToolkitVersion.current)
        #expect(manifest.gitRevision == "test-revision")
        #expect(manifest.commandLine == "exp-toy-tail --trials 30 --precision float")
        #expect(!manifest.blas.configuration.isEmpty && !manifest.blas.coreName.isEmpty)
        let json = String(decoding: outcome.json, as: UTF8.self)
        #expect(!json.contains("threads"))  // the thread count must stay out of the JSON
        let timings = String(decoding: try scratch.read("t.json"), as: UTF8.self)
        #expect(timings.contains("\"threads\" : 3"))
        #expect(String(decoding: try scratch.read("r.csv"), as: UTF8.self).hasPrefix("quantity,theory,empirical\nP(Z > 1),0.158655,"))
        #expect(String(decoding: try scratch.read("r.svg"), as: UTF8.self).hasPrefix("<svg"))
    }
}

@Suite("Merge refusals")
struct MergeRefusalTests {
    func shards(_ scratch: ScratchDirectory, seed: Int, count: Int, only: [Int]? = nil, prefix: String = "s") async throws -> [String] {
        var paths: [String] = []
        for index in only ?? Array(0..<count) {
            let path = scratch.file("\(prefix)\(seed)-\(index)of\(count).json")
            try await runToy(["--trials", "40", "--seed", "\(seed)", "--shard", "\(index)/\(count)", "--quiet", "--json", path])
            paths.append(path)
        }
        return paths
    }

    @Test("shards from different seeds are refused, naming the field")
    func differentSeeds() async throws {
        let scratch = try ScratchDirectory()
        let a = try await shards(scratch, seed: 1, count: 2, only: [0])
        let b = try await shards(scratch, seed: 2, count: 2, only: [1])
        #expect(throws: ExperimentError.shardMismatch(field: "manifest.seed", firstFile: a[0], otherFile: b[0])) {
            try mergeShards(files: a + b, registry: registry())
        }
        let error = ExperimentError.shardMismatch(field: "manifest.seed", firstFile: a[0], otherFile: b[0])
        #expect(error.description.hasPrefix("shards come from different commands/seeds: manifest.seed differs"))
        #expect(error.exitStatus == .dataError)
    }

    @Test("different parameters are refused, naming the parameter")
    func differentParameters() async throws {
        let scratch = try ScratchDirectory()
        let a = scratch.file("a.json"), b = scratch.file("b.json")
        try await runToy(TailProbabilityExperiment(samplesPerTrial: 16), ["--trials", "14", "--shard", "0/2", "--quiet", "--json", a])
        try await runToy(TailProbabilityExperiment(samplesPerTrial: 8), ["--trials", "14", "--shard", "1/2", "--quiet", "--json", b])
        #expect(throws: ExperimentError.shardMismatch(field: "parameters.samplesPerTrial", firstFile: a, otherFile: b)) {
            try mergeShards(files: [a, b], registry: registry())
        }
    }

    @Test("missing and duplicate blocks are refused, naming them")
    func missingAndDuplicate() async throws {
        let scratch = try ScratchDirectory()
        let all = try await shards(scratch, seed: 3, count: 3)  // 40 trials → 6 blocks
        #expect(throws: ExperimentError.incompleteShards(missing: [2, 5], duplicate: [], blockCount: 6)) {
            try mergeShards(files: [all[0], all[1]], registry: registry())
        }
        #expect(throws: ExperimentError.incompleteShards(missing: [], duplicate: [1, 4], blockCount: 6)) {
            try mergeShards(files: all + [all[1]], registry: registry())
        }
        let message = ExperimentError.incompleteShards(missing: [2, 3, 4, 9], duplicate: [1], blockCount: 10).description
        #expect(message == "cannot merge: missing blocks 2-4, 9; duplicate blocks 1 (need blocks 0..<10 exactly once: run the missing shards or drop repeated files)")
    }

    @Test("report files, unknown experiments and garbage are refused")
    func notShards() async throws {
        let scratch = try ScratchDirectory()
        let report = scratch.file("report.json")
        try await runToy(["--trials", "14", "--quiet", "--json", report])
        do {
            _ = try mergeShards(files: [report], registry: registry())
            Issue.record("a report file was merged")
        } catch {
            #expect(error.exitStatus == .dataError)
            #expect(error.description.contains("not a shard file"))
        }
        let shard = try await shards(scratch, seed: 4, count: 1)
        #expect(throws: ExperimentError.unknownExperiment(name: "exp-toy-tail", known: [])) {
            try mergeShards(files: shard, registry: ExperimentRegistry())
        }
        let garbage = scratch.file("garbage.json")
        try Data("{\"kind\": \"shard\"".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: ExperimentError.self) { try mergeShards(files: [garbage], registry: registry()) }
        #expect(throws: ExperimentError.invalidOption("no shard files to merge")) { try mergeShards(files: [], registry: registry()) }
    }
}

@Suite("Block order")
struct BlockOrderTests {
    @Test("blocks finishing out of order are still combined in block order")
    func blockOrder() async throws {
        let serial = try await runToy(OrderRecordingExperiment(), ["--threads", "1", "--quiet"])
        let parallel = try await runToy(OrderRecordingExperiment(), ["--threads", "4", "--quiet"])
        #expect(parallel.json == serial.json)
        let file = try JSONDecoder().decode(ReportFile<OrderRecordingExperiment>.self, from: parallel.json)
        let root = RandomStream(seed: CommonOptions.defaultSeed).child("exp-toy-order")
        #expect(file.report == (0..<30).map { root.child(UInt64($0)).word(0) })
    }
}
