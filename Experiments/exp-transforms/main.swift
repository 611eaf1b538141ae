import ArgumentParser
import Foundation
import JLExperimentKit
import JLExperiments

/// `exp-transforms`: QJL with every JL transform at equal m (bias, variance, tails, memory;
/// time per key on stderr only).
@main
struct ExpTransforms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-transforms",
        abstract: TransformsExperiment.helpAbstract,
        discussion: TransformsExperiment.helpDiscussion)

    @OptionGroup var common: CommonOptions
    @OptionGroup var transforms: TransformsOptions

    func run() async throws {
        let experiment: TransformsExperiment
        do {
            experiment = try transforms.makeExperiment()
        } catch {
            throw ExperimentMain.report(error)
        }
        try await ExperimentMain.run(experiment, options: common)
        if transforms.timingKeys > 0, common.shard == nil {
            let timings = TransformTiming.measure(experiment, keyCount: transforms.timingKeys, seed: common.seed)
            FileHandle.standardError.write(Data(TransformTiming.table(timings, keyCount: transforms.timingKeys).utf8))
        }
    }
}
