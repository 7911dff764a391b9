import EngageML
import Foundation
import Testing

@Suite struct PreprocessingAndMetricsTests {
    @Test func preprocessorFitsOnTrainingRowsAndIgnoresUnknownCategories() throws {
        let train = try FeatureTable(
            names: ["followers", "language"],
            columns: [
                .numeric([10, .nan, 30, 50]), .categorical(["en", "fr", nil, "en"]),
            ])
        let preprocessor = TablePreprocessor(fitting: train)
        #expect(preprocessor.outputNames == ["followers", "language=en", "language=fr"])
        let x = try preprocessor.transform(train)
        // Median of 10, 30, 50 is 30; after imputation the column is 10, 30, 30, 50: mean 30, sd √200.
        #expect(abs(x[1, 0]) < 1e-12)
        #expect(abs(x[0, 0] - -20 / 200.0.squareRoot()) < 1e-12)
        // Missing language takes the most frequent, en.
        #expect(x.row(2) == [0, 1, 0])
        let unseen = try FeatureTable(names: ["language", "followers"], columns: [.categorical(["de"]), .numeric([30])])
        #expect(try preprocessor.transform(unseen).row(0) == [0, 0, 0])
        #expect(throws: MLError.shapeMismatch("the categorical feature language is missing from the input")) {
            try preprocessor.transform(try FeatureTable(names: ["followers"], columns: [.numeric([1])]))
        }
    }

    @Test func featureTableReadsMixedCSV() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID()).csv").path
        try "\u{FEFF}views,genre,budget\r\n10,Drama,#N/A\r\n20,\"Sci-Fi, Action\",5\r\n30,,7".write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try FeatureTable(csv: path)
        #expect(table.names == ["views", "genre", "budget"])
        #expect(table.column(named: "views") == .numeric([10, 20, 30]))
        #expect(table.column(named: "genre") == .categorical(["Drama", "Sci-Fi, Action", nil]))
        guard case .numeric(let budget)? = table.column(named: "budget") else { Issue.record("budget not numeric"); return }
        #expect(budget[0].isNaN && budget[1] == 5 && budget[2] == 7)
    }

    @Test func stratifiedFoldsKeepClassProportionsAndCoverEveryRow() throws {
        let y = (0..<100).map { Double($0 % 4 == 0 ? 1 : 0) }
        let splits = try StratifiedKFold(folds: 5, seed: 9).splits(y)
        var seen = Set<Int>()
        for (train, test) in splits {
            #expect(test.count == 20)
            #expect(test.filter { y[$0] == 1 }.count == 5)
            #expect(Set(train).isDisjoint(with: test))
            seen.formUnion(test)
        }
        #expect(seen.count == 100)
        #expect(try StratifiedKFold(folds: 5, seed: 9).splits(y).map(\.test) == splits.map(\.test))
    }

    @Test func crossValidationScoresEachFold() throws {
        let data = Datasets.wave(rows: 200)
        let score = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 3)).crossValidate(
            data.x, data.y, folds: try StratifiedKFold(folds: 4)
        ) { (truth, model, x) throws(MLError) in ClassificationMetrics.accuracy(truth, try model.predict(x)) }
        #expect(score.scores.count == 4)
        #expect(score.mean > 0.8 && score.standardDeviation < 0.1)
    }

    @Test func confusionCalibrationAndRegressionMetrics() {
        let truth: [Double] = [0, 0, 1, 1, 1, 2]
        let predicted: [Double] = [0, 1, 1, 1, 0, 2]
        #expect(ClassificationMetrics.confusionMatrix(truth, predicted, classes: [0, 1, 2]) == [[1, 1, 0], [1, 2, 0], [0, 0, 1]])
        let f1 = ClassificationMetrics.precisionRecallF1(truth, predicted, positive: 1)
        #expect(f1.precision == 2.0 / 3 && f1.recall == 2.0 / 3)
        let bins = ClassificationMetrics.calibration([0, 1, 1, 0], [0.05, 0.95, 0.9, 0.15], bins: 10)
        #expect(bins.map(\.count) == [1, 1, 2])
        #expect(bins.last?.fractionPositive == 1)
        #expect(RegressionMetrics.r2([1, 2, 3], [1, 2, 3]) == 1)
        #expect(abs(RegressionMetrics.rootMeanSquaredError([0, 0], [3, 4]) - (12.5).squareRoot()) < 1e-12)
        #expect(RegressionMetrics.meanAbsoluteError([0, 0], [3, -4]) == 3.5)
        #expect(ClassificationMetrics.rocAUC([1, 1], [0.2, 0.3]).isNaN)
    }

    @Test func algorithmSpecRefusesUnknownNamesAndBadValues() {
        #expect(throws: MLError.invalidParameter("unknown algorithm forest; choose one of logistic, ridge, tree, kmeans")) {
            try AlgorithmSpec(name: "forest")
        }
        #expect(throws: MLError.invalidParameter("max_depth must be a whole number ≥ 0, got deep")) {
            try AlgorithmSpec(name: "tree", parameters: ["max_depth": "deep"])
        }
        #expect(throws: MLError.invalidParameter("maxDepth must be ≥ 1 or nil, got 0")) {
            try AlgorithmSpec(name: "tree", parameters: ["max_depth": "0"])
        }
        #expect(throws: MLError.invalidParameter("logistic does classification, not regression")) {
            try AlgorithmSpec(name: "logistic", task: .regression)
        }
        #expect(throws: MLError.invalidLabels("class label 0.5 at row 1 is not an integer")) {
            try LogisticRegression().fit(try Matrix(rows: [[1], [2]]), [0, 0.5])
        }
        #expect(throws: MLError.invalidLabels("only one class (1.0) in the labels; a classifier needs two or more")) {
            try DecisionTreeClassifier().fit(try Matrix(rows: [[1], [2]]), [1, 1])
        }
    }
}
