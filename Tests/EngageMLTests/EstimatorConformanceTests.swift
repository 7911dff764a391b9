@testable import EngageML
import Foundation
import Testing

/// One contract for every estimator (scikit-learn's `check_estimator` idea): refits are
/// bit-identical, the thread count changes nothing, bad input is refused with the right error, and
/// models survive a JSON round trip with identical predictions.
@Suite struct EstimatorConformanceTests {
    /// Each estimator under test, with the data it fits (3 features, 200 rows).
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case logistic, ridge, treeGini, treeEntropy, treeRegressor, kmeans

        var testDescription: String { rawValue }

        func spec() throws -> AlgorithmSpec {
            switch self {
            case .logistic: try AlgorithmSpec(name: "logistic", parameters: ["C": "0.7"])
            case .ridge: try AlgorithmSpec(name: "ridge", parameters: ["alpha": "0.5"])
            case .treeGini: try AlgorithmSpec(name: "tree", parameters: ["max_depth": "5", "class_weight": "balanced"])
            case .treeEntropy: try AlgorithmSpec(name: "tree", parameters: ["criterion": "entropy", "min_samples_leaf": "4"])
            case .treeRegressor: try AlgorithmSpec(name: "tree", task: .regression, parameters: ["max_leaf_nodes": "12"])
            case .kmeans: try AlgorithmSpec(name: "kmeans", parameters: ["n_clusters": "4", "n_init": "2", "random_state": "3"])
            }
        }

        var target: [Double] {
            let data = Datasets.wave(rows: 200)
            return self == .ridge || self == .treeRegressor ? data.target : data.y
        }

        var acceptsMissing: Bool { [.treeGini, .treeEntropy, .treeRegressor].contains(self) }
    }

    let x = Datasets.wave(rows: 200).x

    /// Rows enough that every parallel path runs on 2 threads: several chunks of logistic
    /// regression's loss pass and of k-means' assignment pass, and a tree root above both of the
    /// tree's parallel thresholds. The expectations on the thresholds keep it so if one is raised.
    static let parallelRows = 12_000

    @Test(arguments: Case.allCases)
    func refitIsBitIdenticalAndThreadCountChangesNothing(_ estimator: Case) throws {
        #expect(Self.parallelRows >= 3 * LogisticLoss.blockRows && Self.parallelRows >= 2 * HamerlyRun.chunkSize)
        #expect(Self.parallelRows >= TreeBuilder.parallelPartitionRows && Self.parallelRows * 3 >= TreeBuilder.parallelSearchCells)
        let data = Datasets.wave(rows: Self.parallelRows)
        let target = estimator == .ridge || estimator == .treeRegressor ? data.target : data.y
        let spec = try estimator.spec()
        let first = try spec.fit(data.x, target, threads: 1)
        let second = try spec.fit(data.x, target, threads: 1)
        let parallel = try spec.fit(data.x, target, threads: 2)
        #expect(first == second)
        #expect(first == parallel)
    }

    @Test(arguments: Case.allCases)
    func encodesAndDecodesLosslessly(_ estimator: Case) throws {
        let model = try estimator.spec().fit(x, estimator.target)
        let data = try JSONEncoder().encode(model)
        let decoded = try JSONDecoder().decode(TrainedModel.self, from: data)
        #expect(decoded == model)
        #expect(try decoded.predict(x) == model.predict(x))
    }

    @Test(arguments: Case.allCases)
    func refusesBadShapesAndEmptyInput(_ estimator: Case) throws {
        let spec = try estimator.spec()
        if estimator != .kmeans {
            #expect(throws: MLError.shapeMismatch("200 rows of features but 199 labels")) {
                try spec.fit(x, Array(estimator.target.dropLast()))
            }
        }
        let empty = try Matrix(rows: 0, columns: 3, values: [])
        #expect(throws: MLError.emptyInput("the feature matrix is 0 × 3; it needs at least one row and one column")) {
            try spec.fit(empty, [])
        }
        let model = try spec.fit(x, estimator.target)
        #expect(throws: MLError.shapeMismatch("the model was fitted on 3 features, this matrix has 2")) {
            try model.predict(try Matrix(rows: [[1, 2]]))
        }
    }

    @Test(arguments: Case.allCases)
    func refusesInfinityAndNaNUnlessMissingValuesAreNative(_ estimator: Case) throws {
        let spec = try estimator.spec()
        var withInfinity = x
        withInfinity[17, 1] = .infinity
        #expect(throws: MLError.nonFinite("feature column 1 is inf at row 17")) { try spec.fit(withInfinity, estimator.target) }
        var withNaN = x
        withNaN[5, 2] = .nan
        if estimator.acceptsMissing {
            _ = try spec.fit(withNaN, estimator.target)
        } else {
            #expect(throws: MLError.nonFinite("feature column 2 is nan at row 5")) { try spec.fit(withNaN, estimator.target) }
        }
        if estimator != .kmeans {
            var labels = estimator.target
            labels[3] = .nan
            #expect(throws: MLError.nonFinite("label at row 3 is nan")) { try spec.fit(x, labels) }
        }
    }
}
