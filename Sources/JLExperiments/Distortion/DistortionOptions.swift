import ArgumentParser
import JLExperimentKit
import JLRandom

/// The options of `exp-distortion` beyond `JLExperimentKit.CommonOptions` and ``InputOptions``.
public struct DistortionOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("dimension"), help: "Input dimension d of the (q, k) pairs and of the synthetic keys.")
    public var inputDimension: Int = 128

    @Option(help: "Comma-separated transform specs (gaussian, orthogonal-sqrtd, orthogonal-chi, orthogonal-expectedchi[-nosigncorrection]).")
    public var transforms: String = "gaussian,orthogonal-sqrtd"

    @Option(help: "Comma-separated ε values.")
    public var epsilons: String = "0.1"

    @Option(name: .customLong("sketch-dimensions"), help: "Comma-separated m sweep (default 64,128,256,512,1024 plus the Lemma 3.5 check points: stated and corrected m for δ = 0.05 and 0.001 at each ε; 542,1115,1209,2490 at ε = 0.1).")
    public var sketchDimensions: String?

    @Option(help: "Comma-separated angles θ between q and k in degrees (90: q ⟂ k, the worst case).")
    public var angles: String = "90"

    @Option(name: .customLong("max-norm"), help: "Theorem 3.6: keys scaled to max‖k_j‖ = r and the query to ‖q‖ = r.")
    public var maxNorm: Double = 1

    @Option(name: .customLong("attention-sketch-dimensions"), help: "Comma-separated m sweep of the attention part (default 64,128,256,512,1024 plus ⌈2r²ε⁻² ln n⌉ per ε).")
    public var attentionSketchDimensions: String?

    @Option(name: .customLong("attention-trials"), help: "The attention part runs on the first N trials only (each costs an m_max×d Gaussian S and a gemm, ~100× a Lemma 3.5 trial).")
    public var attentionTrials: Int = AttentionWorkload.defaultTrialLimit

    @Flag(name: .customLong("no-attention"), help: "Skip the Theorem 3.6 attention part.")
    public var noAttention = false

    public init() {}

    /// Parses a comma-separated list.
    static func list<Value>(_ text: String, option: String, _ parse: (String) -> Value?) throws(ExperimentError) -> [Value] {
        var values: [Value] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            guard let value = parse(item) else { throw .invalidOption("\(option): cannot read '\(item)' in '\(text)' (comma-separated list)") }
            values.append(value)
        }
        guard !values.isEmpty else { throw .invalidOption("\(option) needs at least one value") }
        return values
    }

    /// The experiment for these options, the master seed and the input options. Synthetic
    /// attention keys come from `RandomStream(seed).child("exp-distortion").child("attention-input")`.
    /// - Throws: `JLExperimentKit.ExperimentError`: `.invalidOption` (exit 64) for bad values,
    ///   `.invalidInput` (exit 65) for bad data files.
    public func makeExperiment(seed: UInt64, inputs: InputOptions) throws(ExperimentError) -> DistortionExperiment {
        try DistortionExperiment.checkInputDimension(inputDimension)
        let transformList = try Self.list(transforms, option: "--transforms") { $0.isEmpty ? nil : $0.lowercased() }
        let epsilonList = try Self.list(epsilons, option: "--epsilons") { Double($0) }
        guard epsilonList.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidOption("--epsilons must be finite and > 0, got \(epsilons)")
        }
        let angleList = try Self.list(angles, option: "--angles") { Double($0) }
        let sweep: [Int]
        if let sketchDimensions {
            sweep = try Self.list(sketchDimensions, option: "--sketch-dimensions") { Int($0) }
        } else {
            sweep = try DistortionExperiment.defaultSketchDimensions(epsilons: epsilonList)
        }
        var workload: AttentionWorkload?
        if !noAttention {
            let source: AttentionInputSource
            let input: AttentionInput
            do throws(InputError) {
                source = try inputs.source(dimension: inputDimension)
                input = try source.input(dimension: inputDimension,
                                         stream: RandomStream(seed: seed).child(DistortionExperiment.name).child("attention-input"))
            } catch { throw error.experimentError }
            guard maxNorm > 0, maxNorm.isFinite else { throw .invalidOption("--max-norm must be finite and > 0, got \(maxNorm)") }
            let attentionSweep: [Int]
            if let attentionSketchDimensions {
                attentionSweep = try Self.list(attentionSketchDimensions, option: "--attention-sketch-dimensions") { Int($0) }
            } else {
                attentionSweep = AttentionWorkload.defaultSketchDimensions(epsilons: epsilonList, maxNorm: maxNorm, tokenCount: input.tokenCount)
            }
            workload = try AttentionWorkload(input: input, source: source.summary, maxNorm: maxNorm, sketchDimensions: attentionSweep,
                                         trialLimit: attentionTrials)
        }
        return try DistortionExperiment(
            inputDimension: inputDimension, transforms: transformList, epsilons: epsilonList,
            sketchDimensions: sweep, anglesInDegrees: angleList, attention: workload)
    }
}

extension DistortionExperiment {
    /// One-line abstract for `--help`.
    public static let helpAbstract = "Checks QJL's Lemma 3.5 (distortion) and Theorem 3.6 (softmax scores) against the stated, corrected and exact theory."

    /// The `--help` discussion: what is checked, the formulas, how to read each column.
    public static let helpDiscussion = """
    WHAT IT CHECKS (Zandieh-Daliri-Han, QJL, arXiv 2406.03482; theory.md §1.4, §1.6, §2.1, §2.3, §2.8)
      Prod_QJL(q,k) = sqrt(pi/2)/m * ||k|| * <Sq, sign(Sk)>, sign(0) = -1.
      Part 1, Lemma 3.5: for unit q, k at angle theta (default 90 degrees: q perpendicular to k, the
      worst case), the failure probability P(|Prod - <q,k>| > eps) at each m, next to
        delta stated    = 2 exp(-(3/4) m eps^2/(1+eps))   (the paper; ">=1 (vacuous)" when it promises nothing)
        delta corrected = 2 exp(-m eps^2/(pi + 4 eps/3))  (the same Bernstein argument with the right variance)
        CLT gaussian    = 2(1 - Phi(eps sqrt(m)/sqrt(pi/2 - cos^2 theta)))
        CLT orthogonal  = P(|N(b, s^2)| > eps) with the exact mean bias b and variance s^2 of QR rows (§2.3)
      The default m sweep adds the paper's m for delta = 0.05 and 0.001 (542, 1115 at eps = 0.1) and the
      corrected m (1209, 2490): at the stated m the failure rate is about 7x delta (lemma violated), at the
      corrected m it is below delta (bound holds).
      Part 2, Theorem 3.6: n keys and a query (synthetic LLM-like keys by default, or --keys/--queries),
      scaled to max norm r, one Gaussian S per trial, on the first --attention-trials trials (default 250). Scores S = softmax(a), a_j = <q,k_j>, no 1/sqrt(d).
      The theorem promises max_i |S^_i - S_i|/S_i <= 3 eps with probability 1 - 1/poly(n) (the proof's union
      bound n * n^(-3/(2+2 eps))), assuming m >= 2 r^2 eps^-2 ln n, r <= 1 and eps <= 0.381.
      Logits: e = ||a^ - a||/||a|| against E e^2 = C/m exactly, C = sum_j[(pi/2)||q||^2||k_j||^2 - a_j^2]/sum_j a_j^2,
      and E e <= sqrt(C/m) (Jensen).

    HOW TO READ THE COLUMNS
      fail/n, P^      failures out of trials and their rate; 95% Wilson: the 95% Wilson score interval.
      vs stated / vs corrected
                      violated: the whole interval lies above delta; holds: the whole interval lies at or below
                      delta; inconclusive: it straddles delta. "n to decide" is then the number of trials
                      after which the interval at the observed rate would exclude delta: n > z^2 delta(1-delta)/(P^-delta)^2.
      m_req, m>=m_req, eps<=0.381, r<=1
                      the theorem's assumptions and whether each holds; "not promised" when one fails.
      mean max|dS|/S, worst   mean and worst over trials of max_i |S^_i - S_i|/S_i; compare with 3 eps.
      mean e, 95% t, sqrt(C/m), vs sqrt(C/m)   the mean logit error with a t interval against the Jensen bound.
      mean e^2, 99.9% t, C/m exact, verdict    agrees iff the exact C/m lies in the 99.9% t interval.
      MSE/exact       mean squared error of Prod_m over the trials divided by its exact value (Var + bias^2,
                      theory.md §2.1, §2.3); about 1 +- 3 sqrt(2/trials).

    HOW IT IS COMPUTED (exact, and fast)
      Gaussian and Haar-orthogonal sketches are rotation invariant, so q, k are put in span(e0, e1) and only
      columns 0 and 1 of S are drawn: for gaussian exactly the entries of GaussianJL(d, m_max, seed) (regenerated
      by address), for orthogonal-* the exact law of OrthogonalJL's columns (a Haar 2-frame per block of d rows).
      Every m uses the first m rows of one S per trial, so rows for different m are correlated; each per-m
      interval is unaffected. Trial t draws from RandomStream(seed).child("exp-distortion").child(t):
      results do not depend on --threads or --shard.
    """
}
