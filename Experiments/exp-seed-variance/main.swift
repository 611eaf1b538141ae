import ArgumentParser
import JLExperimentKit
import JLExperiments

@main
struct ExpSeedVariance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-seed-variance",
        abstract: "QJL metrics under many master seeds: per-seed spread against the exact variance.",
        discussion: SeedVarianceExperiment.helpText)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: SeedVarianceOptions

    func run() async throws {
        let experiment: SeedVarianceExperiment
        let resolved: CommonOptions
        do {
            experiment = try options.experiment()
            resolved = try options.resolving(common)
        } catch { throw ExperimentMain.report(error) }
        try await ExperimentMain.run(experiment, options: resolved)
    }
}
