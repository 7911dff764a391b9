import EngageML
import Foundation

/// One saved model version: everything needed to predict (preprocessing, model, feature order)
/// and to know where it came from. Stored as JSON, described by `models/model-artifact.schema.json`.
/// `schema_version` changes whenever the layout does; a reader refuses versions it does not know.
/// Version 2 stores cross-validation as `{mean, standard_deviation}` per metric; version 1 (as
/// `[mean, sd]`) is still read; version 3 adds `class_labels` (a classifier trained on a text label).
public struct ModelArtifact: Sendable, Codable, Equatable {
    /// The layout this code writes.
    public static let currentSchemaVersion = 3
    /// The layouts this code reads.
    public static let readableSchemaVersions: ClosedRange<Int> = 1...3

    /// The layout of this artifact (``currentSchemaVersion`` when written by this code).
    public var schemaVersion: Int
    /// The model name (by default the feature set it was trained on).
    public var name: String
    /// The version the registry gave it (0 until registered).
    public var version: Int
    /// What the model predicts.
    public var task: LearningTask
    /// Input feature names, in the order the model reads them.
    public var features: [String]
    /// Preprocessing and the fitted model.
    public var pipeline: ModelPipeline
    /// Where the model came from and how good it was.
    public var metadata: ModelMetadata
    /// A classifier trained on a text label: the text of each class, by class code (the model's
    /// classes are 0, 1, …); nil when the label was numeric.
    public var classLabels: [String]?

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", name, version, task, features, pipeline, metadata, classLabels = "class_labels"
    }

    /// A new artifact in the current schema; the registry gives it its version when registering.
    public init(
        name: String, task: LearningTask, features: [String], pipeline: ModelPipeline, metadata: ModelMetadata, classLabels: [String]? = nil
    ) {
        schemaVersion = Self.currentSchemaVersion
        self.name = name
        version = 0
        self.task = task
        self.features = features
        self.pipeline = pipeline
        self.metadata = metadata
        self.classLabels = classLabels
    }

    /// Decodes artifact bytes, refusing a schema version this code does not know.
    public static func decode(_ bytes: [UInt8]) throws -> ModelArtifact {
        struct Probe: Decodable {
            var schemaVersion: Int?
            enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }
        }
        let data = Data(bytes)
        let probe = try JSONDecoder().decode(Probe.self, from: data)
        guard let found = probe.schemaVersion, readableSchemaVersions.contains(found) else {
            throw RegistryError.unsupportedSchema(found: probe.schemaVersion, supported: currentSchemaVersion)
        }
        return try JSONDecoder().decode(ModelArtifact.self, from: data)
    }

    /// The canonical bytes (sorted keys), the ones whose SHA-256 the registry records.
    public func encoded() throws -> [UInt8] {
        Array(try JSONCoding.encoder().encode(self))
    }
}

/// Where a model came from and how good it was.
public struct ModelMetadata: Sendable, Codable, Equatable {
    /// The algorithm family.
    public var algorithm: AlgorithmSpec.Family
    /// The hyperparameters as given, with scikit-learn's names.
    public var parameters: [String: String]
    /// The feature set (or file) the model was trained on.
    public var featureSet: FeatureSetReference
    /// Rows the model was fitted on.
    public var trainingRows: Int
    /// Rows held out for the metrics.
    public var testRows: Int
    /// SHA-256 of the training matrix and labels: the same data gives the same fingerprint.
    public var dataFingerprint: String
    /// The seed of the shuffle, folds and estimator.
    public var seed: UInt64
    /// How rows were held out (`time:…`, `hash:…`, `shuffle:…`).
    public var split: String
    /// Held-out metrics of the model and of the naive baseline.
    public var metrics: [String: Double]
    /// The naive baseline's held-out metrics (majority class or mean).
    public var baseline: [String: Double]
    /// Cross-validation on the training rows, by metric.
    public var crossValidation: [String: CrossValidationSummary]?
    /// The code that trained it (`engage 0.5.0`).
    public var codeVersion: String
    /// When it was trained.
    public var createdAt: Date

    /// Metadata with every field given.
    public init(
        algorithm: AlgorithmSpec.Family, parameters: [String: String], featureSet: FeatureSetReference, trainingRows: Int, testRows: Int,
        dataFingerprint: String, seed: UInt64, split: String, metrics: [String: Double], baseline: [String: Double],
        crossValidation: [String: CrossValidationSummary]?, codeVersion: String,
        createdAt: Date
    ) {
        self.algorithm = algorithm
        self.parameters = parameters
        self.featureSet = featureSet
        self.trainingRows = trainingRows
        self.testRows = testRows
        self.dataFingerprint = dataFingerprint
        self.seed = seed
        self.split = split
        self.metrics = metrics
        self.baseline = baseline
        self.crossValidation = crossValidation
        self.codeVersion = codeVersion
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case algorithm, parameters, featureSet = "feature_set", trainingRows = "training_rows", testRows = "test_rows"
        case dataFingerprint = "data_fingerprint", seed, split, metrics, baseline, crossValidation = "cross_validation"
        case codeVersion = "code_version", createdAt = "created_at"
    }
}

/// One metric's cross-validation result: the mean and standard deviation over the folds.
public struct CrossValidationSummary: Sendable, Codable, Equatable {
    /// The mean score over the folds.
    public var mean: Double
    /// The sample standard deviation over the folds.
    public var standardDeviation: Double

    /// A summary with both values given.
    public init(mean: Double, standardDeviation: Double) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    enum CodingKeys: String, CodingKey { case mean, standardDeviation = "standard_deviation" }

    /// Reads `{mean, standard_deviation}` (schema 2) or `[mean, sd]` (schema 1).
    public init(from decoder: any Decoder) throws {
        if var pair = try? decoder.unkeyedContainer() {
            mean = try pair.decode(Double.self)
            standardDeviation = try pair.decode(Double.self)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mean = try container.decode(Double.self, forKey: .mean)
        standardDeviation = try container.decode(Double.self, forKey: .standardDeviation)
    }
}

/// The feature set a model was trained on, exactly.
public struct FeatureSetReference: Sendable, Codable, Equatable {
    /// The feature set's name (or `file:NAME` for a CSV table).
    public var name: String
    /// The feature set's version.
    public var version: Int
    /// SHA-256 of the feature set's definition when the model was trained.
    public var definitionHash: String
    /// The definition itself, as a feature set file's text, so the model serves raw documents with
    /// exactly the features it learned from, whatever the file or catalog says later (nil in models
    /// from before definitions were kept, and for CSV tables).
    public var definition: String?

    /// A reference with every field given.
    public init(name: String, version: Int, definitionHash: String, definition: String? = nil) {
        self.name = name
        self.version = version
        self.definitionHash = definitionHash
        self.definition = definition
    }

    enum CodingKeys: String, CodingKey { case name, version, definitionHash = "definition_hash", definition }
}

/// What the registry refuses, and why.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedSchema(found: Int?, supported: Int)
    case checksumMismatch(model: String, expected: String, found: String)
    case unknownModel(String)
    case unknownVersion(model: String, reference: String)
    case archived(model: String, version: Int)
    case invalidName(String, reason: String)
    case busy(model: String)

    /// The refusal, with what to do about it.
    public var description: String {
        switch self {
        case .invalidName(let name, let reason): "\"\(name.prefix(80))\" cannot be used: \(reason)"
        case .busy(let model): "could not claim a version of \(model): other registrations kept taking the next number; try again"
        case .unsupportedSchema(let found, let supported):
            "model artifact schema version \(found.map(String.init) ?? "(none)") is not supported (this build reads versions up to \(supported)); "
                + "retrain the model or upgrade engage"
        case .checksumMismatch(let model, let expected, let found):
            "artifact of \(model) does not match its recorded SHA-256 (expected \(expected.prefix(12))…, found \(found.prefix(12))…); "
                + "it was changed or corrupted: refusing to load it"
        case .unknownModel(let name): "no model named \(name); see engage models list"
        case .unknownVersion(let model, let reference): "model \(model) has no version or alias \(reference)"
        case .archived(let model, let version): "\(model) version \(version) is archived"
        }
    }
}

/// The rules for model names and aliases: 1 to 64 characters of letters, digits, `_`, `-` and
/// `.`, beginning with a letter or digit. A name becomes a folder under the registry's folder and
/// part of record keys, so nothing else (no `/`, no `..`, no `@` or `:`) may appear in it.
public enum ModelName {
    /// The longest name accepted.
    public static let maximumLength = 64

    /// Throws ``RegistryError/invalidName(_:reason:)`` unless `name` follows the rules.
    public static func validate(_ name: String, what: String = "model name") throws(RegistryError) {
        guard !name.isEmpty, name.utf8.count <= maximumLength else {
            throw .invalidName(name, reason: "a \(what) has 1 to \(maximumLength) characters")
        }
        guard let first = name.unicodeScalars.first, isAlphanumeric(first) else {
            throw .invalidName(name, reason: "a \(what) begins with a letter or digit")
        }
        guard name.unicodeScalars.allSatisfy({ isAlphanumeric($0) || "_-.".unicodeScalars.contains($0) }) else {
            throw .invalidName(name, reason: "a \(what) holds only letters, digits, _, - and . (A-Z a-z 0-9 _ - .)")
        }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
    }
}
