import ArgumentParser
import JLExperimentKit
import JLExperiments

@main
struct ExpUnbiasedness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-unbiasedness",
        abstract: "Is E[estimate] = <q,k>? Bias with its confidence interval per transform, row scaling, estimator and angle.",
        discussion: UnbiasednessExperiment.helpText)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: UnbiasednessOptions

    func run() async throws {
        let experiment: UnbiasednessExperiment
        do { experiment = try options.experiment() } catch { throw ExperimentMain.report(error) }
        try await ExperimentMain.run(experiment, options: common)
    }
}
