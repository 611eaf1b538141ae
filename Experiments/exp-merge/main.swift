import ArgumentParser
import JLExperimentKit
import JLExperiments

/// `exp-merge`: combines the shard files of one experiment run into the file the unsharded run
/// would have written, byte for byte (docs/cluster.md).
@main
struct ExpMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-merge",
        abstract: "Merge the shard files of an experiment (--shard i/n runs) into one result.",
        discussion: """
            Each shard file is the --json output of the same experiment command run with \
            --shard i/n (0-based). exp-merge refuses shards that come from different commands, \
            seeds or parameters, and names any missing or repeated blocks. The merged --json is \
            byte-identical to the unsharded run's --json; --csv and --plot are drawn from it, \
            and the table is printed on stdout. Exit codes: 0 ok, 64 bad options, 65 bad or \
            inconsistent shard files, 73 cannot write an output.
            Experiments known: \(ExperimentCatalog.registry.names.joined(separator: ", ")).
            """)

    @Argument(help: "Shard files written by --shard i/n --json FILE.")
    var shards: [String]

    @Option(help: "Write the merged result (JSON) here.")
    var json: String?

    @Option(help: "Write the merged table as CSV here.")
    var csv: String?

    @Option(help: "Write the merged plot (SVG) here.")
    var plot: String?

    @Flag(help: "Replace existing output files.")
    var overwrite = false

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give at least one shard file") }
    }

    func run() async throws {
        try await ExperimentMain.merge(
            files: shards, jsonPath: json, csvPath: csv, plotPath: plot, overwrite: overwrite,
            registry: ExperimentCatalog.registry)
    }
}
