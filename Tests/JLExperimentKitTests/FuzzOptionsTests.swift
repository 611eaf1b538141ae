import ArgumentParser
import JLExperimentKit
import Testing

/// Inputs found by the libFuzzer targets Fuzz/settings and Fuzz/cli (Scripts/fuzz); each is also
/// in the target's corpus so every fuzz run replays it.
@Suite("Fuzz regressions: experiment options")
struct FuzzOptionsTests {
    /// Fuzz/settings/corpus/crash-formfeed-in-shard: `--shard` = FF NUL×7 "." was rejected, but the
    /// form feed went into the message verbatim and broke the one-line `error: …` a CLI prints.
    /// Fuzz/cli/corpus/crash-cr-in-shard is the everyday form: `0/4\r` from a CRLF job script.
    @Test("control characters in a --shard value are escaped in the one-line message", arguments: [
        ("\u{0C}\0\0\0\0\0\0\0.", "invalid --shard '\\u{C}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}.': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
        ("0/4\r", "invalid --shard '0/4\\u{D}': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
        ("1/2\n", "invalid --shard '1/2\\u{A}': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
    ])
    func controlCharactersInShard(spec: String, message: String) {
        #expect(throws: ExperimentError.invalidShard(spec: spec, reason: "expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4")) {
            try ShardSpec.parse(spec)
        }
        #expect(ExperimentError.invalidShard(spec: spec, reason: "expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4").description == message)
        // Through ArgumentParser, as the executables see it: same message, exit 64.
        do {
            _ = try CommonOptions.parse(["--shard=\(spec)", "--json", "x.json"])
            Issue.record("'\(spec)' passed validation")
        } catch {
            #expect(CommonOptions.message(for: error) == message)
            let hasLineBreak = CommonOptions.message(for: error).contains(where: \.isNewline)
            #expect(!hasLineBreak)
            #expect(CommonOptions.exitCode(for: error).rawValue == 64)
        }
    }

    @Test("paths with line breaks stay on one line in every path-carrying message")
    func pathsWithLineBreaks() {
        let path = "out\u{2028}dir/r\r\n.json"
        #expect(ExperimentError.outputExists(path: path).description
            == "output file 'out\\u{2028}dir/r\\u{D}\\u{A}.json' already exists: pass --overwrite to replace it")
        #expect(ExperimentError.invalidOption("--json and --csv name the same file '\(path)'").description
            == "--json and --csv name the same file 'out\\u{2028}dir/r\\u{D}\\u{A}.json'")
        // Tabs and ordinary Unicode are left alone.
        #expect(ExperimentError.invalidOption("a\tb ≥ ø").description == "a\tb ≥ ø")
    }
}
