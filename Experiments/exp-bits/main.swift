import ArgumentParser
import JLExperimentKit
import JLExperiments

/// `exp-bits`: QJL, KIVI and TurboQuant key caches at equal total bits per coordinate.
@main
struct ExpBits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-bits",
        abstract: BitsExperiment.helpAbstract,
        discussion: BitsExperiment.helpDiscussion)

    @OptionGroup var common: CommonOptions
    @OptionGroup var bits: BitsOptions
    @OptionGroup(title: "Keys and queries") var inputs: InputOptions

    func run() async throws {
        let experiment: BitsExperiment
        do {
            experiment = try bits.makeExperiment(seed: common.seed, inputs: inputs)
        } catch {
            throw ExperimentMain.report(error)
        }
        try await ExperimentMain.run(experiment, options: common)
    }
}
