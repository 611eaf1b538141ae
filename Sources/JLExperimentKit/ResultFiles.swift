import Foundation

/// One block's accumulator in a shard file.
public struct BlockRecord<Accumulator: Codable & Sendable>: Codable, Sendable {
    /// The block index.
    public var index: Int
    /// The block's accumulator.
    public var accumulator: Accumulator

    public init(index: Int, accumulator: Accumulator) {
        self.index = index
        self.accumulator = accumulator
    }
}

/// The JSON a `--shard i/n` run writes: manifest, parameters, shard and its blocks.
///
/// ```
/// { "kind": "shard", "manifest": {…}, "parameters": {…},
///   "shard": {"index": i, "count": n}, "blocks": [{"index": b, "accumulator": {…}}, …] }
/// ```
public struct ShardFile<E: Experiment>: Codable, Sendable {
    /// Always `"shard"`.
    public var kind: String
    /// The run manifest (identical for all shards of one run).
    public var manifest: RunManifest
    /// The experiment parameters.
    public var parameters: E
    /// Which shard this is.
    public var shard: ShardSpec
    /// The blocks this shard computed, in increasing block order.
    public var blocks: [BlockRecord<E.Accumulator>]

    public init(manifest: RunManifest, parameters: E, shard: ShardSpec, blocks: [BlockRecord<E.Accumulator>]) {
        self.kind = ResultCoding.shardKind
        self.manifest = manifest
        self.parameters = parameters
        self.shard = shard
        self.blocks = blocks
    }
}

/// The JSON an unsharded run (or `exp-merge`) writes.
///
/// ```
/// { "kind": "report", "manifest": {…}, "parameters": {…}, "report": {…} }
/// ```
public struct ReportFile<E: Experiment>: Codable, Sendable {
    /// Always `"report"`.
    public var kind: String
    /// The run manifest.
    public var manifest: RunManifest
    /// The experiment parameters.
    public var parameters: E
    /// The finalized report.
    public var report: E.Report

    public init(manifest: RunManifest, parameters: E, report: E.Report) {
        self.kind = ResultCoding.reportKind
        self.manifest = manifest
        self.parameters = parameters
        self.report = report
    }
}

/// The one JSON encoding used for every result file: sorted keys, pretty-printed, unescaped
/// slashes, non-finite numbers as the strings `"nan"`, `"inf"`, `"-inf"`, final newline.
public enum ResultCoding {
    static let shardKind = "shard"
    static let reportKind = "report"

    /// The deterministic encoder.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The matching decoder.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// `value` as result-file bytes (JSON plus a final newline).
    public static func encode<Value: Encodable>(_ value: Value) throws(ExperimentError) -> Data {
        do {
            var data = try makeEncoder().encode(value)
            data.append(0x0A)
            return data
        } catch {
            throw .internalFailure("cannot encode \(Value.self) as JSON: \(error)")
        }
    }

    /// Decodes `Value` from `data`; `source` names the data in the error message.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data, source: String) throws(ExperimentError) -> Value {
        do {
            return try makeDecoder().decode(type, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidInput("\(source): not valid JSON (\(context.debugDescription))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidInput("\(source): missing field '\(path(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidInput("\(source): field '\(path(context.codingPath))' has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidInput("\(source): field '\(path(context.codingPath))' is null")
        } catch {
            throw .invalidInput("\(source): cannot read: \(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }

    /// `value` after a trip through its JSON encoding: what a shard file would give back.
    static func roundTrip<Value: Codable>(_ value: Value) throws(ExperimentError) -> Value {
        let data = try encode(value)
        do {
            return try makeDecoder().decode(Value.self, from: data)
        } catch {
            throw .internalFailure("\(Value.self) does not decode from its own JSON: \(error)")
        }
    }
}
