extension UnbiasednessExperiment {
    /// The `--help` discussion: what is checked, against which formulas, how to read each column.
    public static let helpText = """
    WHAT IT CHECKS
      For each transform (and orthogonal row scaling), estimator and unit pair
      (q, k) at angle θ, whether E[est] = <q,k> over the randomness of S. Each
      trial draws a fresh S per transform; all rows of one transform share
      that draw. Expected findings with the defaults (d = m = 128, 4000
      trials):
        * Gaussian QJL, χ_d- and E[χ_d]-scaled orthogonal QJL, unquantized JL:
          unbiased.
        * orthogonal-sqrtd with the paper constant √(π/2): biased by c_d =
          √(d/2)Γ(d/2)/Γ((d+1)/2) ≈ 1 + 1/(4d) (c_128 − 1 = 0.00196; theory.md
          §2.3); the derived constant removes it.
        * SRHT (±1 rows) with k = e₁: E = √(π/2)<q,k> = 1.2533<q,k>; with the
          flat key k = 1/√d: factor √(π/2)E|S_d|/√d = 0.99805 at d = 128
          (§2.5).
        * sparse-s with k = e₁: factor √(π/2)·√(s/m) (derived: E|s₁| =
          √(s/m)).
        * SimHash ‖q‖‖k‖cos(πH/m): biased, E = Re[(1 − p + p e^{iπ/m})^m], p =
          θ/π (§2.7).

    FORMULAS (theory.md §2)
      Gaussian QJL       E = <q,k>, Var = ((π/2)‖q‖²‖k‖² − <q,k>²)/m
      orthogonal rows    E = c·L·μ_d·<q,k>, Var from the block formula of §2.3
                         (JLTheory.qjlOrthogonalMoments)
      unquantized JL     E = <q,k>, Var = (‖q‖²‖k‖² + <q,k>²)/m (Gaussian
                         rows)
      SimHash            E and Var from Binomial(m, θ/π)
                         (JLTheory.symmetricSimHashMoments)

    PAIRS
      θ=…        a fixed random unit pair at angle θ (--pair-seed), the same
                 for every --seed
      k=e₁ θ=…   k = e₁, q = cos θ e₁ + sin θ e₂ (coordinate-aligned key)
      k=1/√d     k = (1,…,1)/√d, q at angle θ to it

    COLUMNS
      transform      the transform spec; rows: the law of one row of S
      estimator      qjl-paper (c = √(π/2)), qjl-derived (c that is unbiased
                     for the row law), simhash, jl
      quantity       E[est]/<q,k> (unbiased = 1) or, at q ⟂ k, E[est] − <q,k>
                     (unbiased = 0)
      empirical      the sample mean of that quantity over the trials
      95% CI         Student-t interval: empirical ± t_{0.975,n−1}·s/√n
      theory         the closed-form value of the quantity; "none" where no
                     closed form exists
      detectable±    the CI half-width t·SE: the smallest bias this trial
                     count detects with ≈ 50 % power (a bias of 2×detectable
                     is found ≈ 98 % of the time); more trials shrink it as
                     1/√trials
      verdict        "biased (detected)" if 1 (or 0) lies outside the CI, else
                     "unbiased (consistent)"; a truly unbiased row reads
                     "biased" with probability 1 − level = 5 %
      theory in CI   ✓ if the closed-form value lies inside the CI, ✗ if not
                     (— if none)
      Var/Var_exact  sample variance / exact variance, with its chi-square
                     interval [(n−1)s²/χ²_{0.975,n−1},
                     (n−1)s²/χ²_{0.025,n−1}]/Var_exact (exact for normal
                     estimates, approximate otherwise); "none" where no exact
                     variance exists

    SPEED
      Gaussian and Haar-orthogonal rows use an exact-in-law shortcut (only the
      two columns of S that span(q, k) needs; rotation invariance). SRHT,
      sparse and GaussianHD are applied to the actual vectors.
      --no-rotation-shortcut applies every transform to the actual vectors.
"""
}
