import JLFiles
import Foundation
import JLLinearAlgebra
import JLRandom

/// What a finished run produced.
public struct SessionOutcome: Sendable {
    /// The bytes written (or that would be written) to `--json`: the report file of an
    /// unsharded run, the shard file of a `--shard` run.
    public var json: Data
    /// The text for stdout: the aligned table, or a one-line shard summary.
    public var standardOutput: String
    /// The `--csv` text (unsharded runs only).
    public var csv: String?
    /// The `--plot` SVG (unsharded runs whose experiment draws one).
    public var svg: String?
    /// The wall-clock seconds spent computing blocks.
    public var wallSeconds: Double
}

/// One run of an experiment with validated settings: checks outputs, computes its blocks in
/// parallel, finalizes and writes the outputs atomically.
///
/// ``ExperimentMain/run(_:options:arguments:)`` wraps this with signal handling and exit codes;
/// tests use it directly.
public struct ExperimentSession<E: Experiment>: Sendable {
    /// The experiment (its parameters).
    public let experiment: E
    /// The validated settings.
    public let settings: RunSettings
    /// The process arguments (`argv`), for the manifest's command line.
    public let arguments: [String]
    /// The git revision recorded in the manifest.
    public let gitRevision: String

    /// A session; `gitRevision` defaults to ``RunManifest/currentGitRevision()``.
    public init(experiment: E, settings: RunSettings, arguments: [String] = CommandLine.arguments, gitRevision: String? = nil) {
        self.experiment = experiment
        self.settings = settings
        self.arguments = arguments
        self.gitRevision = gitRevision ?? RunManifest.currentGitRevision()
    }

    /// The resolved trial count.
    public var trialCount: Int { settings.trials ?? E.defaultTrials }

    /// The manifest of this run.
    /// - Throws: ``ExperimentError/invalidOption(_:)`` for a shard count above the block count,
    ///   ``ExperimentError/internalFailure(_:)`` for a block size below 1.
    public func manifest() throws(ExperimentError) -> RunManifest {
        guard E.blockSize >= 1 else { throw .internalFailure("\(E.name).blockSize is \(E.blockSize); it must be ≥ 1") }
        guard trialCount >= 1 else { throw .invalidOption("--trials must be ≥ 1, got \(trialCount)") }
        let blockCount = (trialCount + E.blockSize - 1) / E.blockSize
        if let shard = settings.shard, shard.count > blockCount {
            throw .invalidOption("--shard \(shard): \(trialCount) trials make \(blockCount) blocks of \(E.blockSize); use at most \(blockCount) shards")
        }
        return RunManifest(
            experiment: E.name, toolkitVersion: ToolkitVersion.current, gitRevision: gitRevision,
            commandLine: RunManifest.canonicalCommandLine(arguments),
            seed: settings.seed, trials: trialCount, blockSize: E.blockSize, blockCount: blockCount,
            rngAlgorithm: RandomStream.algorithm, precision: settings.precision,
            transformSpecs: experiment.transformSpecs, blas: .current)
    }

    /// The output files of this run, `(option, path)`.
    var outputs: [(option: String, path: String)] {
        [("--json", settings.jsonPath), ("--csv", settings.csvPath), ("--plot", settings.plotPath),
         ("--timings", settings.timingsPath)].compactMap { option, path in path.map { (option, $0) } }
    }

    /// Checks, before any work, that every output file can be created: its directory exists, is
    /// a directory and is writable, and the file is absent unless `--overwrite`.
    /// - Throws: ``ExperimentError/outputExists(path:)``, ``ExperimentError/cannotCreateOutput(path:reason:)``.
    public func preflight() throws(ExperimentError) {
        for (_, path) in outputs {
            try OutputCheck.check(path, overwrite: settings.overwrite)
        }
    }

    /// Runs the experiment and writes its outputs.
    ///
    /// Pins OpenBLAS to 1 thread (process-wide) so results do not depend on `--threads`.
    /// - Throws: any ``ExperimentError``; ``ExperimentError/interrupted`` when the task is cancelled
    ///   (then no output file is written).
    public func execute(progress: ProgressMode = .none) async throws(ExperimentError) -> SessionOutcome {
        let manifest = try manifest()
        try preflight()
        do {
            try BLASConfiguration.setThreadCount(1)
        } catch {
            throw .internalFailure("cannot pin OpenBLAS to 1 thread: \(error)")
        }
        let allBlocks = Array(0..<manifest.blockCount)
        let ownedBlocks = settings.shard.map { shard in allBlocks.filter { shard.owns(block: $0) } } ?? allBlocks
        let label = settings.shard.map { "\(E.name) shard \($0)" } ?? E.name
        let reporter = ProgressReporter(
            mode: settings.quiet ? .none : progress, label: label,
            totalTrials: ownedBlocks.reduce(0) { $0 + trialRange(block: $1).count })
        let accumulators: [E.Accumulator]
        do {
            accumulators = try await computeBlocks(ownedBlocks, reporter: reporter)
            reporter.finish()
        } catch {
            reporter.finish()
            throw error
        }
        let wallSeconds = reporter.elapsedSeconds

        var outcome: SessionOutcome
        if let shard = settings.shard {
            let records = zip(ownedBlocks, accumulators).map { BlockRecord(index: $0, accumulator: $1) }
            let file = ShardFile(manifest: manifest, parameters: experiment, shard: shard, blocks: records)
            outcome = SessionOutcome(
                json: try ResultCoding.encode(file),
                standardOutput: "\(E.name) shard \(shard): \(records.count) of \(manifest.blockCount) blocks (\(ExperimentError.compactList(ownedBlocks))) written to \(settings.jsonPath ?? "-")\n",
                csv: nil, svg: nil, wallSeconds: wallSeconds)
        } else {
            let rendered = try Finalization.finalize(
                experiment: experiment, manifest: manifest, accumulators: try ResultCoding.roundTrip(accumulators))
            outcome = SessionOutcome(
                json: rendered.json, standardOutput: rendered.table, csv: rendered.csv, svg: rendered.svg,
                wallSeconds: wallSeconds)
        }

        guard !Task.isCancelled else { throw .interrupted }
        if let path = settings.jsonPath { try writeFileAtomically(Array(outcome.json), to: path, overwrite: settings.overwrite) }
        if let path = settings.csvPath, let csv = outcome.csv {
            try writeFileAtomically(Array(csv.utf8), to: path, overwrite: settings.overwrite)
        }
        if let path = settings.plotPath {
            guard let svg = outcome.svg else {
                throw .invalidOption("--plot: \(E.name) draws no figure")
            }
            try writeFileAtomically(Array(svg.utf8), to: path, overwrite: settings.overwrite)
        }
        if let path = settings.timingsPath {
            let timings = Timings(
                experiment: E.name, threads: settings.threads, blasThreads: BLASConfiguration.threadCount,
                shard: settings.shard?.description, blocksComputed: ownedBlocks.count,
                trialsComputed: reporter.totalTrials, wallSeconds: wallSeconds)
            try writeFileAtomically(Array(try ResultCoding.encode(timings)), to: path, overwrite: settings.overwrite)
        }
        if !settings.quiet {
            StandardError.write("\(label): \(reporter.totalTrials) trials in \(ownedBlocks.count) blocks on \(settings.threads) threads, \(NumberFormat.significant(wallSeconds, digits: 3)) s\n")
        }
        return outcome
    }

    /// The trials of block `block`.
    func trialRange(block: Int) -> Range<Int> {
        (block * E.blockSize)..<min((block + 1) * E.blockSize, trialCount)
    }

    /// Computes `blocks` with at most `settings.threads` child tasks in flight; the result is in
    /// the order of `blocks`, whatever order the tasks finish in.
    func computeBlocks(_ blocks: [Int], reporter: ProgressReporter) async throws(ExperimentError) -> [E.Accumulator] {
        guard !Task.isCancelled else { throw .interrupted }
        let experimentStream = RandomStream(seed: settings.seed).child(E.name)
        let experiment = self.experiment
        let precision = settings.precision
        let width = max(1, settings.threads)
        var results = [E.Accumulator?](repeating: nil, count: blocks.count)
        var completedTrials = 0
        let failure: ExperimentError? = await withTaskGroup(of: (Int, Result<E.Accumulator, ExperimentError>).self) { group in
            var nextPosition = 0
            func makeBlock(_ position: Int) -> TrialBlock {
                TrialBlock(index: blocks[position], trials: trialRange(block: blocks[position]),
                           precision: precision, experimentStream: experimentStream)
            }
            while nextPosition < min(width, blocks.count) {
                let position = nextPosition, block = makeBlock(position)
                group.addTask { (position, Self.run(experiment, block)) }
                nextPosition += 1
            }
            var failure: ExperimentError?
            // When several running blocks fail, the lowest-numbered one is reported, whatever
            // order they finish in, so the error (like the output) does not depend on timing.
            var failurePosition = Int.max
            while let (position, result) = await group.next() {
                switch result {
                case let .success(accumulator):
                    results[position] = accumulator
                    completedTrials += trialRange(block: blocks[position]).count
                    reporter.update(completedTrials: completedTrials)
                case let .failure(error):
                    let replacesBlockFailure = failurePosition != Int.max && position < failurePosition
                    if failure == nil || replacesBlockFailure {
                        failure = error
                        failurePosition = position
                    }
                    group.cancelAll()
                }
                if failure == nil, Task.isCancelled {
                    failure = .interrupted
                    group.cancelAll()
                }
                if failure == nil, nextPosition < blocks.count {
                    let position = nextPosition, block = makeBlock(position)
                    group.addTask { (position, Self.run(experiment, block)) }
                    nextPosition += 1
                }
            }
            return failure
        }
        if let failure { throw failure }
        guard !Task.isCancelled else { throw .interrupted }
        let accumulators = results.compactMap { $0 }
        guard accumulators.count == blocks.count else {
            throw .internalFailure("\(blocks.count - accumulators.count) blocks produced no result")
        }
        return accumulators
    }

    static func run(_ experiment: E, _ block: TrialBlock) -> Result<E.Accumulator, ExperimentError> {
        guard !Task.isCancelled else { return .failure(.interrupted) }
        return Result { () throws(ExperimentError) -> E.Accumulator in try experiment.runBlock(block) }
    }
}

/// The wall-clock record written by `--timings` (not reproducible, so kept out of `--json`).
struct Timings: Codable {
    var experiment: String
    var threads: Int
    var blasThreads: Int
    var shard: String?
    var blocksComputed: Int
    var trialsComputed: Int
    var wallSeconds: Double
}

/// The one path from block accumulators to report bytes, shared by unsharded runs and merges so
/// both produce identical files.
enum Finalization {
    struct Rendered {
        var json: Data
        var table: String
        var csv: String
        var svg: String?
    }

    static func finalize<E: Experiment>(experiment: E, manifest: RunManifest, accumulators: [E.Accumulator]) throws(ExperimentError) -> Rendered {
        guard accumulators.count == manifest.blockCount else {
            throw .internalFailure("finalize got \(accumulators.count) blocks, manifest says \(manifest.blockCount)")
        }
        let report = try experiment.finalize(accumulators, manifest: manifest)
        let file = ReportFile(manifest: manifest, parameters: experiment, report: report)
        return Rendered(
            json: try ResultCoding.encode(file),
            table: experiment.table(for: report, manifest: manifest).render(),
            csv: experiment.csv(for: report, manifest: manifest).render(),
            svg: experiment.plot(for: report, manifest: manifest))
    }
}

/// Output-file checks done before any work.
enum OutputCheck {
    /// Fails fast, before any trial runs, through `JLFiles.AtomicFile.checkWritable(path:overwrite:)`.
    static func check(_ path: String, overwrite: Bool) throws(ExperimentError) {
        do {
            try AtomicFile.checkWritable(path: path, overwrite: overwrite ? .replace : .refuseExisting)
        } catch .alreadyExists {
            throw .outputExists(path: path)
        } catch {
            throw .outputFile(error)
        }
    }
}
