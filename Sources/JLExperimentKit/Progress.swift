#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where progress goes while blocks run.
public enum ProgressMode: Sendable, Equatable {
    /// Nothing (`--quiet`).
    case none
    /// A redrawn bar with ETA (for a terminal).
    case bar
    /// One line about every 5 seconds (for logs, Slurm output files).
    case lines
    /// `bar` if stderr is a terminal (`isatty(2)`), else `lines`.
    case automatic

    /// The concrete mode for this process.
    var resolved: ProgressMode {
        self == .automatic ? (isatty(STDERR_FILENO) != 0 ? .bar : .lines) : self
    }
}

/// Writes text to stderr (file descriptor 2), unbuffered.
enum StandardError {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                #if canImport(Darwin)
                Darwin.write(STDERR_FILENO, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                #else
                Glibc.write(STDERR_FILENO, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }
}

/// Progress of one run, updated by the task that collects block results (not thread-safe;
/// it never needs to be).
final class ProgressReporter {
    let mode: ProgressMode
    let label: String
    let totalTrials: Int
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var lastDraw: ContinuousClock.Instant
    var drewBar = false

    static let lineInterval: Duration = .seconds(5)
    static let barInterval: Duration = .milliseconds(100)

    init(mode: ProgressMode, label: String, totalTrials: Int) {
        self.mode = mode.resolved
        self.label = label
        self.totalTrials = totalTrials
        self.start = clock.now
        self.lastDraw = start
    }

    /// Reports that `completedTrials` of `totalTrials` are done.
    func update(completedTrials: Int) {
        guard mode != .none, totalTrials > 0 else { return }
        let now = clock.now
        let interval = mode == .bar ? Self.barInterval : Self.lineInterval
        guard now - lastDraw >= interval || completedTrials == totalTrials else { return }
        lastDraw = now
        let elapsed = seconds(now - start)
        let fraction = Double(completedTrials) / Double(totalTrials)
        let eta = completedTrials > 0 ? elapsed / fraction - elapsed : .nan
        let percent = NumberFormat.fixed(100 * fraction, decimals: 1)
        if mode == .bar {
            let width = 30
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            StandardError.write("\r\(label) [\(bar)] \(percent)% \(completedTrials)/\(totalTrials) trials  ETA \(Self.duration(eta))   ")
            drewBar = true
        } else {
            StandardError.write("\(label): \(completedTrials)/\(totalTrials) trials (\(percent)%), elapsed \(Self.duration(elapsed)), ETA \(Self.duration(eta))\n")
        }
    }

    /// Ends the bar line so later stderr output starts on a fresh line.
    func finish() {
        if drewBar { StandardError.write("\n") }
        drewBar = false
    }

    /// Seconds since the reporter was created.
    var elapsedSeconds: Double { seconds(clock.now - start) }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// `3725` → `1h02m`, `185` → `3m05s`, `12.3` → `12s`, NaN → `?`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h" + twoDigits((total % 3600) / 60) + "m" }
        if total >= 60 { return "\(total / 60)m" + twoDigits(total % 60) + "s" }
        return "\(total)s"
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
