/// How data values map to positions along an axis.
///
/// ```
/// linear: t(v) = v                     (all finite v)
/// log10:  t(v) = log10 v               (finite v > 0; others are not plottable)
/// pixel(v) = start + (t(v) − t(lo)) / (t(hi) − t(lo)) · (end − start)
/// ```
/// - Complexity: O(1) per value.
/// - Source: standard affine / logarithmic axis mapping (e.g. Cleveland, "The Elements of
///   Graphing Data", 1985, ch. 2).
public enum AxisScale: Sendable, Hashable {
    /// Linear axis.
    case linear
    /// Base-10 logarithmic axis; non-positive values are dropped.
    case log10

    /// The axis coordinate `t(v)`, or `nil` when `value` cannot be shown on this scale
    /// (non-finite, or ≤ 0 on a log axis).
    ///
    /// ```
    /// linear: v    log10: log10 v  (v > 0)
    /// ```
    /// - Complexity: O(1).
    /// - Source: see ``AxisScale``.
    public func transform(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch self {
        case .linear: return value
        case .log10: return value > 0 ? decimalLog(value) : nil
        }
    }

    /// Maps `value` from `domain` onto the pixel interval `start → end` (end may be smaller than
    /// start, as for an SVG y axis). Returns `nil` when the value or the domain is not plottable.
    /// Results are clamped to ±1e6 px so that far-away points can never produce huge or
    /// non-finite coordinates (they fall outside the clip region anyway).
    ///
    /// ```
    /// pixel = start + (t(v) − t(lo)) / (t(hi) − t(lo)) · (end − start)
    /// ```
    /// - Complexity: O(1).
    /// - Source: see ``AxisScale``.
    public func pixel(for value: Double, domain: ClosedRange<Double>, start: Double, end: Double) -> Double? {
        guard let position = transform(value),
              let low = transform(domain.lowerBound),
              let high = transform(domain.upperBound),
              high > low, start.isFinite, end.isFinite
        else { return nil }
        let pixel = start + (position - low) / (high - low) * (end - start)
        guard pixel.isFinite else { return nil }
        return min(max(pixel, -1e6), 1e6)
    }
}

/// Tick positions and labels for one axis.
///
/// ```
/// major[i] is drawn with gridline and label labels[i]; minor ticks get a short mark only
/// ```
/// - Complexity: O(number of ticks) storage.
/// - Source: P. Heckbert, "Nice numbers for graph labels", Graphics Gems I (1990).
public struct AxisTicks: Sendable, Equatable {
    /// Labelled tick values, increasing.
    public var major: [Double]
    /// Label text for each major tick.
    public var labels: [String]
    /// Unlabelled minor tick values (log axes: 2…9 × 10^k), increasing.
    public var minor: [Double]

    /// Creates a tick set.
    ///
    /// ```
    /// labels.count == major.count
    /// ```
    /// - Complexity: O(1).
    /// - Source: see ``AxisTicks``.
    public init(major: [Double], labels: [String], minor: [Double] = []) {
        self.major = major
        self.labels = labels
        self.minor = minor
    }

    /// The "nice" 1-2-5 step closest above `span / targetCount`.
    ///
    /// ```
    /// raw = span / n,  m = 10^⌊log10 raw⌋,  step = m · min{ s ∈ {1, 2, 5, 10} : s ≥ raw/m }
    /// ```
    /// - Complexity: O(1).
    /// - Source: Heckbert (1990), Graphics Gems I, "Nice numbers for graph labels".
    public static func niceStep(span: Double, targetCount: Int) -> Double {
        guard span.isFinite, span > 0 else { return 1 }
        let raw = span / Double(max(targetCount, 1))
        let magnitude = powerOfTen(Int(decimalLog(raw).rounded(.down)))
        let residual = raw / magnitude
        let tolerance = 1e-9
        let factor: Double = residual <= 1 + tolerance ? 1
            : residual <= 2 + tolerance ? 2
            : residual <= 5 + tolerance ? 5 : 10
        return factor * magnitude
    }

    /// Linear ticks at multiples of a nice step inside `lower…upper`.
    ///
    /// ```
    /// ticks = { k · step : ⌈lower/step⌉ ≤ k ≤ ⌊upper/step⌋ },  step = niceStep(upper − lower, n)
    /// ```
    /// Labels are decimal, or compact scientific (`5e4`, `1.5e5`) for the whole axis when any
    /// tick lies outside 0.01 ≤ |v| < 1e5. Example: `0…1` gives `0, 0.2, 0.4, 0.6, 0.8, 1`.
    /// - Complexity: O(targetCount).
    /// - Source: Heckbert (1990), Graphics Gems I.
    public static func linear(lower: Double, upper: Double, targetCount: Int = 5) -> AxisTicks {
        guard lower.isFinite, upper.isFinite, upper > lower else {
            return AxisTicks(major: [], labels: [])
        }
        let step = niceStep(span: upper - lower, targetCount: targetCount)
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        guard first.isFinite, last.isFinite, last - first < 1000 else {
            return AxisTicks(major: [], labels: [])
        }
        var values: [Double] = []
        var index = first
        while index <= last {
            let value = index * step
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            index += 1
        }
        // One notation per linear axis: if any tick needs scientific notation, all use it.
        let scientific = values.contains { NumberFormat.needsScientific(abs($0)) }
        return AxisTicks(major: values, labels: values.map { NumberFormat.tickLabel($0, step: step, scientific: scientific) })
    }

    /// Logarithmic ticks inside `lower…upper` (both > 0).
    ///
    /// ```
    /// decades D = {10^k ∈ [lower, upper]}
    /// |D| ≥ 2 and upper/lower ≥ 10^3 : major = D (every s-th decade when |D| > maxLabels)
    /// otherwise                      : major = {1, 2, 5} × 10^k ∈ [lower, upper]
    /// fewer than 2 majors            : linear nice ticks in [lower, upper]
    /// minor = {2…9} × 10^k not in major   (only when every decade is labelled)
    /// ```
    /// Example: `64…1024` gives `100, 200, 500, 1000` (64 and 1024 are not round numbers).
    /// - Complexity: O(number of decades).
    /// - Source: Heckbert (1990) for 1-2-5 steps; decade labelling as in common log axes.
    public static func logarithmic(lower: Double, upper: Double, maxLabels: Int = 8) -> AxisTicks {
        guard lower.isFinite, upper.isFinite, lower > 0, upper > lower else {
            return AxisTicks(major: [], labels: [])
        }
        let logLower = decimalLog(lower)
        let logUpper = decimalLog(upper)
        let tolerance = 1e-9
        let firstDecade = Int((logLower - tolerance).rounded(.up))
        let lastDecade = Int((logUpper + tolerance).rounded(.down))
        let decadeCount = lastDecade - firstDecade + 1
        let inRange: (Double) -> Bool = { value in
            value >= lower * (1 - tolerance) && value <= upper * (1 + tolerance)
        }
        var major: [Double] = []
        var everyDecade = true
        if decadeCount >= 2 && logUpper - logLower >= 3 - tolerance {
            let stride = max(1, (decadeCount + maxLabels - 1) / max(maxLabels, 1))
            everyDecade = stride == 1
            var exponent = firstDecade
            // Align the labelled decades on multiples of the stride (…, 1e-6, 1e-3, 1, 1e3, …).
            while exponent % stride != 0 { exponent += 1 }
            while exponent <= lastDecade {
                major.append(powerOfTen(exponent))
                exponent += stride
            }
        } else {
            let lowDecade = Int(logLower.rounded(.down))
            let highDecade = Int(logUpper.rounded(.up))
            if highDecade - lowDecade <= 40 {
                for exponent in lowDecade...highDecade {
                    for mantissa in [1.0, 2.0, 5.0] {
                        let value = mantissa * powerOfTen(exponent)
                        if inRange(value) { major.append(value) }
                    }
                }
            }
        }
        if major.count < 2 {
            // Less than a factor ~2.5 of range: fall back to linear nice numbers.
            return linear(lower: lower, upper: upper, targetCount: 4)
        }
        var minor: [Double] = []
        if everyDecade && logUpper - logLower <= 8 {
            let lowDecade = Int(logLower.rounded(.down))
            let highDecade = Int(logUpper.rounded(.up))
            for exponent in lowDecade...highDecade {
                for mantissa in 2...9 {
                    let value = Double(mantissa) * powerOfTen(exponent)
                    let isMajor = major.contains { abs($0 - value) <= value * tolerance }
                    if inRange(value) && !isMajor { minor.append(value) }
                }
            }
        }
        let labels = major.map { NumberFormat.tickLabel($0, step: $0) }
        return AxisTicks(major: major, labels: labels, minor: minor)
    }

    /// Ticks for `scale` over `lower…upper`.
    ///
    /// ```
    /// linear → AxisTicks.linear,  log10 → AxisTicks.logarithmic
    /// ```
    /// - Complexity: O(number of ticks).
    /// - Source: see ``AxisTicks``.
    public static func ticks(for scale: AxisScale, lower: Double, upper: Double, targetCount: Int = 5) -> AxisTicks {
        switch scale {
        case .linear: return linear(lower: lower, upper: upper, targetCount: targetCount)
        case .log10: return logarithmic(lower: lower, upper: upper, maxLabels: max(targetCount + 2, 3))
        }
    }
}
