import ArgumentParser
import EngageML
import Features
import Foundation
import Registry
import Training

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
            column is categorical and one-hot encoded. Preprocessing is fitted on the training rows only. \
            A text --label is a classifier's classes, answered by name; rows whose label is missing are \
            left out and counted.

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
    @Option(
        help: "A feature set to train on: \(FeatureCatalog.names.joined(separator: ", ")), yours in features/NAME.yaml, or a file.",
        completion: .list(FeatureCatalog.names))
    var task: String?
    @Option(help: "How to hold out test rows for --task: time:YYYY-MM-DD or hash:FRACTION.", transform: { try SplitRule(parsing: $0) })
    var split = SplitRule.hash(testFraction: 0.2)
    @Option(help: "The model name to register under (default: the task; with --data, register only when given).") var name: String?
    @Option(help: "Folder of local model artifacts.", completion: .directory) var models = "models"
    @Option(help: "CSV file with a header row.", completion: .file(extensions: ["csv"])) var data: String?
    @Option(help: "The column to predict (not needed for kmeans).") var label: String?
    @Option(help: "The algorithm.") var algorithm: AlgorithmSpec.Family
    @Option(name: .customLong("kind"), help: "With --data: classification or regression (tree only; default: classification).") var kind:
        LearningTask?
    @Option(name: .customLong("param"), help: "A hyperparameter as key=value; repeatable.") var parameters: [KeyValue] = []
    @Option(help: "Columns to leave out (ids, leaking outcomes); repeatable.") var drop: [String] = []
    @Option(help: "Fraction of rows held out for evaluation.") var testFraction = 0.2
    @Option(help: "Stratified cross-validation folds on the training rows (0: none).") var cv = 0
    @Option(help: "Seed of the train/test shuffle and the folds.") var seed: UInt64 = 0
    @Option(help: "Write the fitted pipeline (preprocessing + model) as JSON here.", completion: .file(extensions: ["json"])) var output:
        String?
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard (task == nil) != (data == nil) else { throw ValidationError("give either --task SET or --data FILE.csv") }
        guard testFraction > 0, testFraction < 1 else {
            throw ValidationError("--test-fraction must be between 0 and 1, got \(testFraction)")
        }
        guard cv == 0 || cv >= 2 else { throw ValidationError("--cv must be 0 or at least 2, got \(cv)") }
        if data != nil && algorithm != .kmeans && label == nil { throw ValidationError("--label is required for \(algorithm) with --data") }
        if let name { try ModelName.validate(name) }
    }

    private var parameterValues: [String: String] {
        Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    func run() async throws {
        if let task { return try await trainOnFeatureSet(task) }
        guard let data else { return }
        let spec = try AlgorithmSpec(name: algorithm.rawValue, task: kind, parameters: parameterValues)
        let trainer = TableTrainer(path: data, label: label, drop: drop, testFraction: testFraction, folds: cv, seed: seed)
        let run = try trainer.train(spec)
        var registered: String?
        if let name {
            registered = try await connection.withDatabase { database in
                let record = try await trainer.register(run, as: name, in: ModelRegistry(database: database, folder: models))
                return "\(record.name)@\(record.version)"
            }
        }
        if let output {
            try JSONCoding.encoder().encode(run.pipeline).write(to: URL(fileURLWithPath: output))
        }
        try report(TrainResult(run, output: output, model: registered))
    }

    private func trainOnFeatureSet(_ name: String) async throws {
        let set = try FeatureCatalog.resolve(name)
        let spec = try AlgorithmSpec(name: algorithm.rawValue, task: set.task, parameters: parameterValues)
        var progress: (@Sendable (String) -> Void)?
        if !json {
            progress = { step in FileHandle.standardError.write(Data("  … \(step)\n".utf8)) }
        }
        try await connection.withDatabase { database in
            let trainer = ModelTrainer(database: database, registry: ModelRegistry(database: database, folder: models))
            let outcome = try await trainer.train(
                set: set, algorithm: spec, split: split, folds: cv, seed: seed, modelName: self.name, progress: progress)
            try report(TrainResult(outcome.run, output: outcome.record.path, model: "\(outcome.record.name)@\(outcome.record.version)"))
        }
    }

    private func report(_ result: TrainResult) throws {
        if json { try printJSON(result) } else { print(result.text) }
    }
}

extension LearningTask: ExpressibleByArgument {}
extension AlgorithmSpec.Family: ExpressibleByArgument {}

/// Mean and standard deviation of one metric over the folds.
struct CVSummary: Encodable {
    var mean: Double
    var sd: Double
}

/// What `engage train` reports.
struct TrainResult: Encodable {
    init(_ run: TrainingRun, output: String?, model: String?) {
        algorithm = run.spec.family.rawValue
        task = run.spec.task.rawValue
        trainRows = run.trainingRows
        testRows = run.testRows
        features = run.pipeline.featureNames
        fitSeconds = run.fitSeconds
        test = run.evaluation.metrics
        baseline = run.baseline.metrics
        crossValidation = run.crossValidation?.mapValues { CVSummary(mean: $0.mean, sd: $0.standardDeviation) }
        classes = run.classLabels
        rowsWithoutLabel = run.rowsWithoutLabel
        self.output = output
        self.model = model
    }

    var algorithm: String
    var task: String
    var trainRows: Int
    var testRows: Int
    var features: [String]
    var fitSeconds: Double
    var test: [String: Double]
    var baseline: [String: Double]
    var crossValidation: [String: CVSummary]?
    var classes: [String]?
    var rowsWithoutLabel: Int
    var output: String?
    var model: String?

    var text: String {
        var lines = [
            (model.map { "registered \($0): " } ?? "")
                + "\(algorithm) (\(task)) on \(trainRows) training rows, \(features.count) features"
                + (fitSeconds > 0 ? "; fit in \(String(format: "%.3f", fitSeconds)) s" : "")
        ]
        if rowsWithoutLabel > 0 { lines.append("left out \(rowsWithoutLabel) rows whose label is missing") }
        if let classes { lines.append("classes (label text): \(classes.joined(separator: ", "))") }
        lines.append("held-out metrics on \(testRows) rows (baseline in brackets):")
        for (name, value) in test.sorted(by: { $0.key < $1.key }) {
            let base = baseline[name].map { String(format: " [%.4f]", $0) } ?? ""
            lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) " + String(format: "%.4f", value) + base)
        }
        if let crossValidation {
            lines.append("cross-validation on the training rows (mean ± sd):")
            for (name, score) in crossValidation.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    "  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) " + String(format: "%.4f ± %.4f", score.mean, score.sd))
            }
        }
        if let output { lines.append("artifact written to \(output)") }
        return lines.joined(separator: "\n")
    }
}
