import JLFiles
import ArgumentParser
import Foundation
import JLExperimentKit
import Testing

@Suite("Options, outputs and exit codes")
struct OptionsTests {
    @Test("bad --shard strings are rejected with one-line messages", arguments: [
        ("3/2", "invalid --shard '3/2': shard index 3 must be < shard count 2 (shards are 0-based: 0/2 … 1/2, like Slurm --array=0-1)"),
        ("a/b", "invalid --shard 'a/b': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
        ("-1/2", "invalid --shard '-1/2': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
        ("1/0", "invalid --shard '1/0': shard count must be ≥ 1"),
        ("2/2", "invalid --shard '2/2': shard index 2 must be < shard count 2 (shards are 0-based: 0/2 … 1/2, like Slurm --array=0-1)"),
        ("1/", "invalid --shard '1/': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
        ("1/2/3", "invalid --shard '1/2/3': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
    ])
    func badShards(spec: String, message: String) throws {
        do {
            _ = try ShardSpec.parse(spec)
            Issue.record("'\(spec)' was accepted")
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("\n"))
            #expect(error.exitStatus == .usage)
        }
        // Through ArgumentParser: validate() fails with the same one-line message and exit 64.
        // (`--shard=` form: ArgumentParser would read a separate "-1/2" as an option name.)
        do {
            _ = try CommonOptions.parse(["--shard=\(spec)", "--json", "x.json"])
            Issue.record("'\(spec)' passed validation")
        } catch {
            #expect(CommonOptions.message(for: error) == message)
            #expect(CommonOptions.exitCode(for: error).rawValue == 64)
        }
    }

    @Test("good --shard strings parse and own b mod n == i")
    func goodShards() throws {
        let shard = try ShardSpec.parse("2/5")
        #expect(shard.index == 2 && shard.count == 5)
        #expect((0..<15).filter { shard.owns(block: $0) } == [2, 7, 12])
        #expect(try ShardSpec.parse("0/1").owns(block: 17))
    }

    @Test("invalid option combinations fail validation", arguments: [
        (["--trials", "0"], "--trials must be ≥ 1, got 0"),
        (["--threads", "0"], "--threads must be ≥ 1, got 0"),
        (["--shard", "0/2"], "--shard needs --json FILE: the shard file is what exp-merge combines"),
        (["--shard", "0/5", "--trials", "4", "--json", "s.json"], "--shard 0/5: 5 shards for 4 trials leaves some shards empty; use at most 4"),
        (["--shard", "0/2", "--json", "s.json", "--csv", "s.csv"], "--csv and --plot need the full result: run exp-merge on the shard files and pass them there"),
        (["--json", "r.out", "--csv", "r.out"], "--json and --csv name the same file 'r.out'"),
    ])
    func invalidCombinations(arguments: [String], message: String) {
        do {
            _ = try CommonOptions.parse(arguments)
            Issue.record("\(arguments) passed validation")
        } catch {
            #expect(CommonOptions.message(for: error) == message)
            #expect(CommonOptions.exitCode(for: error).rawValue == 64)
        }
    }

    @Test("more shards than blocks is refused before running")
    func shardsAboveBlockCount() async throws {
        let scratch = try ScratchDirectory()
        // 10 trials of FailingExperiment make 2 blocks of 5; 3 shards cannot all get a block.
        await #expect(throws: ExperimentError.invalidOption("--shard 2/3: 10 trials make 2 blocks of 5; use at most 2 shards")) {
            try await runToy(FailingExperiment(), ["--shard", "2/3", "--json", scratch.file("s.json"), "--quiet"])
        }
    }

    @Test("an existing output is refused before any block runs; nothing is written")
    func existingOutput() async throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("r.json")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        // FailingExperiment throws from every block: getting outputExists proves no block ran.
        await #expect(throws: ExperimentError.outputExists(path: path)) {
            try await runToy(FailingExperiment(), ["--json", path, "--quiet"])
        }
        // With --overwrite the run starts, fails, and leaves the old file and no temp files.
        await #expect(throws: ExperimentError.experimentFailed("block 0 ran")) {
            try await runToy(FailingExperiment(), ["--json", path, "--quiet", "--overwrite"])
        }
        #expect(try scratch.read("r.json") == Data("old".utf8))
        #expect(scratch.contents() == ["r.json"])
        #expect(ExperimentError.outputExists(path: path).exitStatus.rawValue == 73)
    }

    @Test("--overwrite replaces an existing output")
    func overwrite() async throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("r.json")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try await runToy(["--trials", "7", "--json", path, "--quiet", "--overwrite"])
        #expect(try scratch.read("r.json") == outcome.json)
        #expect(scratch.contents() == ["r.json"])
    }

    @Test("an output in a missing directory is refused with exit 73")
    func missingDirectory() async throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("no/such/dir/r.json")
        await #expect(throws: ExperimentError.outputFile(.directoryMissing(path: path))) {
            try await runToy(FailingExperiment(), ["--csv", path, "--quiet"])
        }
        await #expect(throws: ExperimentError.outputFile(.isDirectory(path: scratch.path))) {
            try await runToy(FailingExperiment(), ["--json", scratch.path, "--quiet"])
        }
    }

    @Test("a cancelled run throws .interrupted and writes nothing")
    func cancellation() async throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("r.json")
        let settings = try CommonOptions.parse(["--trials", "700", "--json", path, "--quiet"]).settings()
        let session = ExperimentSession(experiment: TailProbabilityExperiment(), settings: settings, arguments: ["t"], gitRevision: "x")
        let task = Task { () async -> ExperimentError? in
            do throws(ExperimentError) {
                _ = try await session.execute()
                return nil
            } catch {
                return error
            }
        }
        task.cancel()
        #expect(await task.value == .interrupted)
        #expect(scratch.contents().isEmpty)
        #expect(ExperimentError.interrupted.exitStatus.rawValue == 130)
    }

    @Test("exit statuses follow sysexits.h")
    func exitStatuses() {
        #expect(ExperimentExitStatus.allCases.map(\.rawValue) == [0, 64, 65, 70, 73, 130])
        #expect(ExperimentError.invalidOption("x").exitStatus == .usage)
        #expect(ExperimentError.invalidInput("x").exitStatus == .dataError)
        #expect(ExperimentError.internalFailure("x").exitStatus == .internalError)
        #expect(ExperimentError.experimentFailed("x").exitStatus.exitCode.rawValue == 70)
    }

    @Test("the manifest command line drops output and scheduling options")
    func canonicalCommandLine() {
        let line = RunManifest.canonicalCommandLine([
            "/opt/bin/exp-distortion", "--dimension", "128", "--shard", "1/4", "--threads=8", "--json", "out dir/r.json",
            "--csv=r.csv", "--plot", "p.svg", "--timings", "t.json", "--quiet", "--overwrite", "--label", "it's",
        ])
        #expect(line == "exp-distortion --dimension 128 --label 'it'\\''s'")
    }

    @Test("the git revision is read or reported as unknown")
    func gitRevision() {
        let revision = RunManifest.currentGitRevision()
        #expect(!revision.isEmpty && !revision.contains("\n"))
    }
}

@Suite("Command-line entry points")
struct EntryPointTests {
    @Test("ExperimentMain.run maps errors to exit codes and writes the report")
    func mainRun() async throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("r.json")
        let options = try CommonOptions.parse(["--trials", "14", "--json", path, "--quiet"])
        try await ExperimentMain.run(TailProbabilityExperiment(), options: options, arguments: ["exp-toy-tail", "--trials", "14"])
        #expect(scratch.contents() == ["r.json"])
        do {
            try await ExperimentMain.run(TailProbabilityExperiment(), options: options, arguments: ["exp-toy-tail"])
            Issue.record("an existing output was overwritten")
        } catch let code as ExitCode {
            #expect(code.rawValue == 73)
        }
    }

    @Test("ExperimentMain.merge writes the same bytes as the unsharded run")
    func mainMerge() async throws {
        let scratch = try ScratchDirectory()
        try await runToy(["--trials", "20", "--quiet", "--json", scratch.file("full.json")])
        try await runToy(["--trials", "20", "--quiet", "--shard", "0/2", "--json", scratch.file("s0.json")])
        try await runToy(["--trials", "20", "--quiet", "--shard", "1/2", "--json", scratch.file("s1.json")])
        try await ExperimentMain.merge(
            files: [scratch.file("s0.json"), scratch.file("s1.json")], jsonPath: scratch.file("merged.json"),
            csvPath: scratch.file("merged.csv"), registry: registry())
        #expect(try scratch.read("merged.json") == (try scratch.read("full.json")))
        do {
            try await ExperimentMain.merge(files: [scratch.file("s0.json")], jsonPath: scratch.file("m2.json"), registry: registry())
            Issue.record("an incomplete merge succeeded")
        } catch let code as ExitCode {
            #expect(code.rawValue == 65)
        }
        #expect(!scratch.contents().contains("m2.json"))
    }
}
