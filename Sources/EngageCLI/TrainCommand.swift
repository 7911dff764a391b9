import ArgumentParser
import EngageML
import Features
import Foundation
import Hashing
import Registry

/// `engage train`: trains one model, either on a built feature set in MongoDB (`--task`, registered
/// as a new version) or on a CSV feature table on disk (`--data`), evaluates it on held-out rows
/// against the naive baseline, and reports.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a feature set (--task, registered) or a CSV table (--data).",
        discussion: """
            --task reads features_TASK (engage features build TASK first), holds out rows by --split \
            (time:YYYY-MM-DD or hash:FRACTION), trains, evaluates against the baseline and registers \
            version N+1 of the model (named after the task unless --name) under models/ and in GridFS.

            With --data, numeric columns are used as numbers (empty, NA, #N/A, NaN, null are missing); any other \
            column is categorical and one-hot encoded. Preprocessing is fitted on the training rows only.

            Parameters use scikit-learn's names:
              logistic  C, max_iter, tol, class_weight=balanced, fit_intercept
              ridge     alpha
              tree      criterion=gini|entropy, max_depth, min_samples_split, min_samples_leaf,
                        min_impurity_decrease, max_leaf_nodes, ccp_alpha, class_weight=balanced
              kmeans    n_clusters, n_init, max_iter, tol, random_state

            With --data and --name, the model is also registered as version N+1 of NAME, so that \
            engage serve answers with it (its features are the table's columns).

            Example: engage train --data videos.csv --label viral --algorithm tree --param max_depth=8
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "A feature set to train on: \(FeatureCatalog.names.joined(separator: ", ")).") var task: String?
    @Option(help: "How to hold out test rows for --task: time:YYYY-MM-DD or hash:FRACTION.") var split = "hash:0.2"
    @Option(help: "The model name to register under (default: the task; with --data, register only when given).") var name: String?
    @Option(help: "Folder of local model artifacts.") var models = "models"
    @Option(help: "CSV file with a header row.") var data: String?
    @Option(help: "The column to predict (not needed for kmeans).") var label: String?
    @Option(help: "logistic, ridge, tree or kmeans.") var algorithm: String
    @Option(name: .customLong("kind"), help: "With --data: classification or regression (tree only; default: classification).") var kind: LearningTask?
    @Option(name: .customLong("param"), help: "A hyperparameter as key=value; repeatable.") var parameters: [String] = []
    @Option(help: "Columns to leave out (ids, leaking outcomes); repeatable.") var drop: [String] = []
    @Option(help: "Fraction of rows held out for evaluation.") var testFraction = 0.2
    @Option(help: "Stratified cross-validation folds on the training rows (0: none).") var cv = 0
    @Option(help: "Seed of the train/test shuffle and the folds.") var seed: UInt64 = 0
    @Option(help: "Write the fitted pipeline (preprocessing + model) as JSON here.") var output: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard (task == nil) != (data == nil) else { throw ValidationError("give either --task SET or --data FILE.csv") }
        guard testFraction > 0, testFraction < 1 else { throw ValidationError("--test-fraction must be between 0 and 1, got \(testFraction)") }
        guard cv == 0 || cv >= 2 else { throw ValidationError("--cv must be 0 or at least 2, got \(cv)") }
        if data != nil && algorithm != "kmeans" && label == nil { throw ValidationError("--label is required for \(algorithm) with --data") }
        for parameter in parameters where !parameter.contains("=") {
            throw ValidationError("--param takes key=value, got \(parameter)")
        }
    }

    private var parameterValues: [String: String] {
        Dictionary(parameters.map { parameter in
            let parts = parameter.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }, uniquingKeysWith: { _, last in last })
    }

    func run() async throws {
        if let task { return try await trainOnFeatureSet(task) }
        guard let data else { return }
        let spec = try AlgorithmSpec(name: algorithm, task: kind, parameters: parameterValues)
        let table = try FeatureTable(csv: data)
        let (features, target) = try splitLabel(table, spec: spec)
        var generator = SeededGenerator(seed: seed)
        let order = Array(0..<table.rows).shuffled(using: &generator)
        let testCount = max(1, Int((Double(table.rows) * testFraction).rounded()))
        guard table.rows - testCount >= 2 else { throw ValidationError("\(data) has \(table.rows) rows; too few to train and test") }
        let testRows = Array(order.prefix(testCount)).sorted()
        let trainRows = Array(order.dropFirst(testCount)).sorted()
        let trainTarget = trainRows.map { target[$0] }
        let testTarget = testRows.map { target[$0] }

        let clock = ContinuousClock()
        let start = clock.now
        let pipeline = try ModelPipeline.fit(spec, features: features.selectingRows(trainRows), target: trainTarget, label: label)
        let seconds = (clock.now - start) / .seconds(1)
        let evaluation = try Evaluation.evaluate(pipeline.model, x: pipeline.matrix(features.selectingRows(testRows)), truth: testTarget)
        let baseline = Evaluation.baseline(task: spec.task, trainTarget: trainTarget, truth: testTarget)
        var crossValidation: [String: CrossValidationScore]?
        if cv > 0, spec.task != .clustering {
            crossValidation = try ModelPipeline.crossValidate(
                spec, features: features.selectingRows(trainRows), target: trainTarget, label: label, folds: cv, seed: seed)
        }
        var registered: String?
        if let name {
            let artifact = ModelArtifact(
                name: name, task: spec.task.rawValue, features: pipeline.featureNames, pipeline: pipeline,
                metadata: ModelMetadata(
                    algorithm: spec.family.rawValue, parameters: spec.parameters,
                    featureSet: FeatureSetReference(name: "file:" + URL(fileURLWithPath: data).lastPathComponent, version: 1, definitionHash: ""),
                    trainingRows: trainRows.count, testRows: testRows.count,
                    dataFingerprint: try fileDigest(data), seed: seed,
                    split: "shuffle:\(testFraction)", metrics: evaluation.metrics, baseline: baseline.metrics,
                    crossValidation: crossValidation?.mapValues { [$0.mean, $0.standardDeviation] },
                    codeVersion: ModelTrainer.codeVersion, createdAt: Date()))
            registered = try await connection.withDatabase { database in
                let (_, record) = try await ModelRegistry(database: database, folder: models).register(artifact)
                return "\(record.name)@\(record.version)"
            }
        }
        if let output {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(pipeline).write(to: URL(fileURLWithPath: output))
        }
        let result = TrainResult(
            algorithm: spec.family.rawValue, task: spec.task.rawValue, trainRows: trainRows.count, testRows: testRows.count,
            features: pipeline.featureNames, fitSeconds: seconds, test: evaluation.metrics, baseline: baseline.metrics,
            crossValidation: crossValidation?.mapValues { CVSummary(mean: $0.mean, sd: $0.standardDeviation) }, output: output, model: registered)
        if json {
            try printJSON(result)
        } else {
            print(result.text)
        }
    }

    private func trainOnFeatureSet(_ name: String) async throws {
        let set = try FeatureCatalog.set(name)
        let learning: LearningTask = switch set.task {
        case .classification: .classification
        case .regression: .regression
        case .clustering: .clustering
        }
        let spec = try AlgorithmSpec(name: algorithm, task: learning, parameters: parameterValues)
        let rule = try SplitRule(parsing: split)
        var progress: (@Sendable (String) -> Void)?
        if !json {
            progress = { step in FileHandle.standardError.write(Data("  … \(step)\n".utf8)) }
        }
        try await connection.withDatabase { database in
            let trainer = ModelTrainer(database: database, registry: ModelRegistry(database: database, folder: models))
            let outcome = try await trainer.train(
                set: set, algorithm: spec, split: rule, folds: cv, seed: seed, modelName: self.name,
                progress: progress)
            let metadata = outcome.artifact.metadata
            let result = TrainResult(
                algorithm: spec.family.rawValue, task: spec.task.rawValue, trainRows: metadata.trainingRows, testRows: metadata.testRows,
                features: outcome.artifact.features, fitSeconds: 0, test: metadata.metrics, baseline: metadata.baseline,
                crossValidation: metadata.crossValidation?.mapValues { CVSummary(mean: $0[0], sd: $0[1]) },
                output: outcome.record.path, model: "\(outcome.record.name)@\(outcome.record.version)")
            if json { try printJSON(result) } else { print(result.text) }
        }
    }

    private func splitLabel(_ table: FeatureTable, spec: AlgorithmSpec) throws -> (FeatureTable, [Double]) {
        for name in drop where table.column(named: name) == nil {
            throw ValidationError("--drop \(name): \(data ?? "") has no such column (it has \(table.names.joined(separator: ", ")))")
        }
        guard let label else { return (table.removing(Set(drop)), [Double](repeating: 0, count: table.rows)) }
        guard let column = table.column(named: label) else {
            throw ValidationError("--label \(label): \(data ?? "") has no such column (it has \(table.names.joined(separator: ", ")))")
        }
        guard case .numeric(let values) = column else {
            throw ValidationError("--label \(label) must be numeric (classes as 0, 1, …)")
        }
        if let row = values.firstIndex(where: { $0.isNaN }) {
            throw ValidationError("--label \(label) is missing at data row \(row + 1); drop or fill those rows first")
        }
        return (table.removing(Set(drop + [label])), values)
    }
}

extension LearningTask: ExpressibleByArgument {}

/// SHA-256 of a file's bytes, read a mebibyte at a time so that any size takes constant memory.
private func fileDigest(_ path: String) throws -> String {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var hasher = SHA256()
    while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(piece) }
    return SHA256.hex(digest: hasher.finalize())
}

/// Mean and standard deviation of one metric over the folds.
struct CVSummary: Encodable {
    var mean: Double
    var sd: Double
}

/// What `engage train --data` reports.
struct TrainResult: Encodable {
    var algorithm: String
    var task: String
    var trainRows: Int
    var testRows: Int
    var features: [String]
    var fitSeconds: Double
    var test: [String: Double]
    var baseline: [String: Double]
    var crossValidation: [String: CVSummary]?
    var output: String?
    var model: String?

    var text: String {
        var lines = [
            (model.map { "registered \($0): " } ?? "")
                + "\(algorithm) (\(task)) on \(trainRows) training rows, \(features.count) features"
                + (fitSeconds > 0 ? "; fit in \(String(format: "%.3f", fitSeconds)) s" : ""),
            "held-out metrics on \(testRows) rows (baseline in brackets):",
        ]
        for (name, value) in test.sorted(by: { $0.key < $1.key }) {
            let base = baseline[name].map { String(format: " [%.4f]", $0) } ?? ""
            lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) " + String(format: "%.4f", value) + base)
        }
        if let crossValidation {
            lines.append("cross-validation on the training rows (mean ± sd):")
            for (name, score) in crossValidation.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) " + String(format: "%.4f ± %.4f", score.mean, score.sd))
            }
        }
        if let output { lines.append("artifact written to \(output)") }
        return lines.joined(separator: "\n")
    }
}
