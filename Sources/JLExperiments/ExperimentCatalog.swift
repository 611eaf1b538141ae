import JLExperimentKit

/// Every experiment whose shards `exp-merge` can combine. Add each new experiment here.
public enum ExperimentCatalog {
    /// A registry holding every experiment of this module.
    public static var registry: ExperimentRegistry {
        var registry = ExperimentRegistry()
        registry.register(DistortionExperiment.self)
        registry.register(UnbiasednessExperiment.self)
        registry.register(SeedVarianceExperiment.self)
        registry.register(TransformsExperiment.self)
        registry.register(BitsExperiment.self)
        return registry
    }
}
