import EngageML
import Features
import MongoKit
import Registry

/// Scoring, the one home for the server's answers and `engage predict`'s: the artifact's
/// pipeline turns a feature table into one ``Prediction`` per row.
extension ServedModel {
    /// Loads `name` at `reference` (a version or an alias; nil: the newest) from `registry`, with
    /// the feature set it was trained on (for raw documents). A model of a CSV table has none.
    public static func load(_ name: String, reference: String? = nil, from registry: ModelRegistry) async throws -> ServedModel {
        let artifact = try await registry.load(name, reference: reference)
        let trainedOn = artifact.metadata.featureSet
        let featureSet =
            trainedOn.definition == nil
            ? try? FeatureCatalog.set(trainedOn.name) : try FeatureCatalog.set(named: trainedOn.name, definition: trainedOn.definition)
        return ServedModel(artifact: artifact, featureSet: featureSet)
    }

    /// The text a classifier's `label` is written as: the class name of a text label, else the number.
    public func labelText(_ label: Double) -> String {
        if let names = artifact.classLabels, let code = Int(exactly: label), names.indices.contains(code) { return names[code] }
        return JSONWriter.text(of: label)
    }

    /// The model's answers for every row. A row whose values the model cannot turn into finite
    /// outputs (values far outside anything it was trained on, such as 1e200) is a 400 naming the
    /// instance and its largest feature, never an answer with `null` or `Infinity` in it.
    public func predictions(_ table: FeatureTable) throws(ServingError) -> [Prediction] {
        if let answers = try? answer(table), answers.allSatisfy(\.isFinite) { return answers }
        var problems: [FieldProblem] = []
        for row in 0..<table.rows {
            let single = table.selectingRows([row])
            if let answers = try? answer(single), answers.allSatisfy(\.isFinite) { continue }
            problems.append(Self.outOfRange(single, instance: row))
        }
        guard !problems.isEmpty else { throw .internalError("a batch of \(table.rows) rows failed where each row alone succeeded") }
        throw .fields(summary: "instances the model cannot compute a finite answer for", problems)
    }

    /// The problem of one row that gives no finite answer: its feature of largest magnitude.
    private static func outOfRange(_ row: FeatureTable, instance: Int) -> FieldProblem {
        var worst: (name: String, value: Double)?
        for (name, column) in zip(row.names, row.columns) {
            guard case .numeric(let values) = column, let value = values.first, !value.isNaN else { continue }
            if worst == nil || abs(value) > abs(worst!.value) { worst = (name, value) }
        }
        guard let worst else {
            return FieldProblem(instance: instance, field: "(instance)", error: "the model gives no finite answer for it")
        }
        return FieldProblem(
            instance: instance, field: worst.name,
            error: "\(worst.value) is too large in magnitude for this model: its answer would not be a finite number")
    }

    private func answer(_ table: FeatureTable) throws(MLError) -> [Prediction] {
        let pipeline = artifact.pipeline
        let x = try pipeline.matrix(table)
        switch pipeline.model {
        case .logisticRegression, .decisionTreeClassifier:
            let classes = pipeline.model.classes ?? []
            guard let p = try pipeline.model.predictProbabilities(x) else { throw .invalidModel("a classifier without probabilities") }
            return zip(0..<x.rows, p.argmaxPerRow()).map { i, best in
                Prediction(label: classes[best], probability: p[i, best], probabilities: (0..<p.columns).map { p[i, $0] })
            }
        case .ridgeRegression, .decisionTreeRegressor:
            return try pipeline.model.predict(x).map { Prediction(value: $0) }
        case .kMeans(let kmeans):
            return try kmeans.assign(x).map { Prediction(cluster: $0.cluster, distance: $0.distance) }
        }
    }
}

/// One row's answer: label and probability (and every class's, in the model's class order), a
/// value, or a cluster and its distance.
public struct Prediction: Sendable {
    /// A classifier's class (its code when the label was text: see ``ServedModel/labelText(_:)``).
    public var label: Double?
    /// The probability of that class.
    public var probability: Double?
    /// Every class's probability, in the model's class order (``ServedModel/classNames``).
    public var probabilities: [Double]?
    /// A regressor's value.
    public var value: Double?
    /// A k-means cluster.
    public var cluster: Int?
    /// The distance to its centre.
    public var distance: Double?

    /// Whether every number of the answer is finite.
    var isFinite: Bool {
        [label, probability, value, distance].allSatisfy { $0?.isFinite ?? true }
    }

    /// The answer as the prediction log stores it.
    var document: Document {
        var document = Document()
        if let label { document["label"] = .double(label) }
        if let probability { document["probability"] = .double(probability) }
        if let value { document["value"] = .double(value) }
        if let cluster { document["cluster"] = .int64(Int64(cluster)) }
        if let distance { document["distance"] = .double(distance) }
        return document
    }
}

extension Prediction {
    /// A number as answers write it (whole numbers without a fraction).
    public static func text(of number: Double) -> String { JSONWriter.text(of: number) }
}
