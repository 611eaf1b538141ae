import JLFiles
import Foundation

/// One shard file to merge: a name for messages and its bytes.
public struct ShardInput: Sendable {
    /// The file name, used in error messages.
    public var name: String
    /// The file contents.
    public var contents: Data

    public init(name: String, contents: Data) {
        self.name = name
        self.contents = contents
    }

    /// Reads `path`.
    /// - Throws: ``ExperimentError/invalidInput(_:)`` when it cannot be read.
    public init(path: String) throws(ExperimentError) {
        do {
            self.init(name: path, contents: Data(try FileReader.readBytes(atPath: path)))
        } catch {
            throw .invalidInput("cannot read shard file: \(error.description)")
        }
    }
}

/// The result of merging shard files: the same outputs an unsharded run would produce.
public struct MergeOutcome: Sendable {
    /// The experiment name.
    public var experiment: String
    /// The report-file bytes, identical to the unsharded run's `--json`.
    public var json: Data
    /// The stdout table.
    public var table: String
    /// The CSV text.
    public var csv: String
    /// The SVG figure, if the experiment draws one.
    public var svg: String?
}

/// Maps experiment names to their finalizers, so one `exp-merge` executable can merge the shard
/// files of every experiment it links.
///
/// ```swift
/// var registry = ExperimentRegistry()
/// registry.register(DistortionExperiment.self)
/// registry.register(UnbiasednessExperiment.self)
/// ```
public struct ExperimentRegistry: Sendable {
    // A Result-returning closure: a stored typed-throws closure crashes SILGen in Swift 6.3.1.
    typealias Merger = @Sendable ([ShardInput], RunManifest) -> Result<MergeOutcome, ExperimentError>
    var mergers: [String: Merger] = [:]

    /// An empty registry.
    public init() {}

    /// Registers `type` under `E.name` (a later registration of the same name replaces it).
    public mutating func register<E: Experiment>(_ type: E.Type) {
        mergers[E.name] = { inputs, manifest in
            do throws(ExperimentError) {
                return .success(try Self.merge(E.self, inputs, manifest: manifest))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The registered experiment names, sorted.
    public var names: [String] { mergers.keys.sorted() }

    /// Merges shard files into the report an unsharded run with the same command would write.
    ///
    /// Refuses (``ExperimentError``, exit 65) when a file is not a shard file, when manifests or
    /// parameters differ (naming the first differing field), when the experiment is unknown, or
    /// when the blocks are not exactly `0..<blockCount` once each (naming missing and duplicate
    /// blocks).
    /// - Complexity: O(total input size).
    public func merge(_ inputs: [ShardInput]) throws(ExperimentError) -> MergeOutcome {
        guard let first = inputs.first else { throw .invalidOption("no shard files to merge") }
        var headers: [ShardHeader] = []
        var identities: [ShardIdentity] = []
        for input in inputs {
            let header = try ResultCoding.decode(ShardHeader.self, from: input.contents, source: input.name)
            guard header.kind == ResultCoding.shardKind else {
                throw .invalidInput("\(input.name) is a '\(header.kind)' file, not a shard file (only --shard runs write shard files)")
            }
            headers.append(header)
            identities.append(try ResultCoding.decode(ShardIdentity.self, from: input.contents, source: input.name))
        }
        for (position, identity) in identities.enumerated().dropFirst() {
            let (manifest, parameters) = (identities[0].manifest, identities[0].parameters)
            if let field = manifest.firstDifference(
                from: identity.manifest, path: "manifest", restrictedTo: ShardIdentity.leadingManifestFields)
                ?? parameters.firstDifference(from: identity.parameters, path: "parameters")
                ?? manifest.firstDifference(from: identity.manifest, path: "manifest") {
                throw .shardMismatch(field: field, firstFile: first.name, otherFile: inputs[position].name)
            }
        }
        let manifest = headers[0].manifest
        guard let merger = mergers[manifest.experiment] else {
            throw .unknownExperiment(name: manifest.experiment, known: names)
        }
        return try merger(inputs, manifest).get()
    }

    static func merge<E: Experiment>(_ type: E.Type, _ inputs: [ShardInput], manifest: RunManifest) throws(ExperimentError) -> MergeOutcome {
        var files: [ShardFile<E>] = []
        for input in inputs {
            files.append(try ResultCoding.decode(ShardFile<E>.self, from: input.contents, source: input.name))
        }
        let blockCount = manifest.blockCount
        var slots = [E.Accumulator?](repeating: nil, count: blockCount)
        var duplicate = Set<Int>()
        var outOfRange = Set<Int>()
        for file in files {
            for record in file.blocks {
                guard (0..<blockCount).contains(record.index) else {
                    outOfRange.insert(record.index)
                    continue
                }
                if slots[record.index] != nil { duplicate.insert(record.index) }
                slots[record.index] = record.accumulator
            }
        }
        if !outOfRange.isEmpty {
            throw .invalidInput("shard files hold blocks \(ExperimentError.compactList(Array(outOfRange))) outside 0..<\(blockCount)")
        }
        let missing = (0..<blockCount).filter { slots[$0] == nil }
        guard missing.isEmpty, duplicate.isEmpty else {
            throw .incompleteShards(missing: missing, duplicate: duplicate.sorted(), blockCount: blockCount)
        }
        let rendered = try Finalization.finalize(
            experiment: files[0].parameters, manifest: manifest, accumulators: slots.compactMap { $0 })
        return MergeOutcome(experiment: E.name, json: rendered.json, table: rendered.table, csv: rendered.csv, svg: rendered.svg)
    }
}

/// Merges the shard files at `files` and returns the report-file bytes, identical to those of
/// the unsharded run. See ``ExperimentRegistry/merge(_:)``.
public func mergeShards(files: [String], registry: ExperimentRegistry) throws(ExperimentError) -> Data {
    var inputs: [ShardInput] = []
    for path in files { inputs.append(try ShardInput(path: path)) }
    return try registry.merge(inputs).json
}

/// The typed head of a shard file.
struct ShardHeader: Decodable {
    var kind: String
    var manifest: RunManifest
    var shard: ShardSpec?
}

/// The untyped manifest and parameters of a shard file, for field-by-field comparison.
struct ShardIdentity: Decodable {
    var manifest: JSONValue
    var parameters: JSONValue

    /// Manifest fields compared first, then the parameters, then the rest of the manifest, so a
    /// refusal names the telling difference (another experiment, seed or parameter) rather than
    /// one that follows from it (block size, command line).
    static let leadingManifestFields: Set<String> = ["experiment", "seed", "trials", "precision"]
}

/// A JSON value, decoded without knowing its schema.
indirect enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: JSONValue] = [:]
            for key in container.allKeys { object[key.stringValue] = try container.decode(JSONValue.self, forKey: key) }
            self = .object(object)
        } else if var container = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            while !container.isAtEnd { array.append(try container.decode(JSONValue.self)) }
            self = .array(array)
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Int64.self) { self = .integer(value) }
            else if let value = try? container.decode(UInt64.self) { self = .unsigned(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else { self = .string(try container.decode(String.self)) }
        }
    }

    /// The path of the first difference from `other` (`manifest.seed`, `parameters.dims[2]`), or nil.
    /// Object keys are compared in sorted order; `restrictedTo` limits the top-level keys compared.
    func firstDifference(from other: JSONValue, path: String, restrictedTo: Set<String>? = nil) -> String? {
        switch (self, other) {
        case let (.object(left), .object(right)):
            for key in Set(left.keys).union(right.keys).sorted() where restrictedTo?.contains(key) ?? true {
                guard let l = left[key], let r = right[key] else { return "\(path).\(key)" }
                if let difference = l.firstDifference(from: r, path: "\(path).\(key)") { return difference }
            }
            return nil
        case let (.array(left), .array(right)):
            guard left.count == right.count else { return path }
            for (index, pair) in zip(left, right).enumerated() {
                if let difference = pair.0.firstDifference(from: pair.1, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return self == other ? nil : path
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
