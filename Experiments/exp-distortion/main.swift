import ArgumentParser
import JLExperimentKit
import JLExperiments

/// `exp-distortion`: QJL Lemma 3.5 and Theorem 3.6 against the stated, corrected and exact theory.
@main
struct ExpDistortion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-distortion",
        abstract: DistortionExperiment.helpAbstract,
        discussion: DistortionExperiment.helpDiscussion)

    @OptionGroup var common: CommonOptions
    @OptionGroup var distortion: DistortionOptions
    @OptionGroup(title: "Keys and queries") var inputs: InputOptions

    func run() async throws {
        let experiment: DistortionExperiment
        do {
            experiment = try distortion.makeExperiment(seed: common.seed, inputs: inputs)
        } catch {
            throw ExperimentMain.report(error)
        }
        try await ExperimentMain.run(experiment, options: common)
    }
}
