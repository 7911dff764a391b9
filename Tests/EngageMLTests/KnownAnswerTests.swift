import EngageML
import Testing

/// Results compared with scikit-learn 1.9.1 on the same data: the expected numbers come from
/// Fixtures/known_answers.py, which documents how to regenerate them.
@Suite struct KnownAnswerTests {
    let data = Datasets.wave(rows: 200)

    @Test func binaryLogisticRegressionMatchesScikitLearn() throws {
        let model = try LogisticRegression(tolerance: 1e-10, maxIterations: 1000).fit(data.x, data.y)
        let expected = [2.7244306925798596, 1.4439076656145884, 0.09609824671581026]
        for (got, want) in zip(model.coefficients[0], expected) { #expect(abs(got - want) < 1e-5) }
        #expect(abs(model.intercepts[0] - -0.678828875300759) < 1e-5)
        #expect(model.converged)
    }

    @Test func multinomialLogisticRegressionMatchesScikitLearn() throws {
        let labels = (0..<data.x.rows).map { Double(Int((data.x[$0, 0] + 2) * 0.75)) }
        let model = try LogisticRegression(inverseRegularization: 0.5, tolerance: 1e-10, maxIterations: 1000).fit(data.x, labels)
        #expect(model.classes == [0, 1, 2])
        let expected = [
            [-3.045966108705785, 0.012652957753752784, -0.06905505998346156],
            [-0.03473917859819164, -0.018066496577277526, 0.01590740137511301],
            [3.080705287303977, 0.005413538823524744, 0.053147658608348296],
        ]
        let intercepts = [-0.9106894163310547, 1.2235196826739783, -0.31283026634292244]
        for k in 0..<3 {
            for j in 0..<3 { #expect(abs(model.coefficients[k][j] - expected[k][j]) < 1e-4, "class \(k) feature \(j)") }
            #expect(abs(model.intercepts[k] - intercepts[k]) < 1e-4)
        }
        let p = try model.predictProbabilities(data.x)
        for i in 0..<p.rows { #expect(abs(p.row(i).reduce(0, +) - 1) < 1e-12) }
    }

    @Test func ridgeMatchesScikitLearn() throws {
        let model = try RidgeRegression(alpha: 2).fit(data.x, data.target)
        let expected = [1.4930149885917718, -0.9799700330033924, 0.25087445001285347]
        for (got, want) in zip(model.coefficients, expected) { #expect(abs(got - want) < 1e-10) }
        #expect(abs(model.intercept - -0.008874669259040513) < 1e-10)
    }

    @Test func classificationTreeMatchesScikitLearn() throws {
        let model = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 3)).fit(data.x, data.y)
        #expect(model.tree.leafCount == 6)
        #expect(model.tree.nodes[0].feature == 0)
        #expect(abs(model.tree.nodes[0].threshold - 0.26022350788116455) < 1e-6)  // sklearn splits on float32 values
        let importances = model.tree.impurityImportances
        #expect(abs(importances[0] - 0.8836706003180848) < 1e-6)
        #expect(abs(importances[1] - 0.1163293996819153) < 1e-6)
        #expect(importances[2] == 0)
        #expect(ClassificationMetrics.accuracy(data.y, try model.predict(data.x)) == 0.945)

        let entropy = try DecisionTreeClassifier(criterion: .entropy, growth: TreeGrowth(maxDepth: 3)).fit(data.x, data.y)
        #expect(entropy.tree.leafCount == 6 && entropy.tree.nodes[0].feature == 0)
    }

    @Test func regressionTreeMatchesScikitLearn() throws {
        let model = try DecisionTreeRegressor(growth: TreeGrowth(maxDepth: 4, minSamplesLeaf: 5)).fit(data.x, data.target)
        #expect(model.tree.leafCount == 16)
        #expect(abs(model.tree.nodes[0].threshold - 0.006814640015363693) < 1e-6)
        #expect(abs(RegressionMetrics.r2(data.target, try model.predict(data.x)) - 0.9516029007575034) < 1e-9)
    }

    @Test func pruningAndBestFirstGrowthMatchScikitLearn() throws {
        let pruned = try DecisionTreeClassifier(growth: TreeGrowth(costComplexityAlpha: 0.01)).fit(data.x, data.y)
        #expect(pruned.tree.leafCount == 6)
        let full = try DecisionTreeClassifier().fit(data.x, data.y)
        #expect(full.tree.leafCount > pruned.tree.leafCount)
        let bestFirst = try DecisionTreeClassifier(growth: TreeGrowth(maxLeafNodes: 5)).fit(data.x, data.y)
        #expect(bestFirst.tree.leafCount == 5)
        #expect(ClassificationMetrics.accuracy(data.y, try bestFirst.predict(data.x)) == 0.94)
    }

    @Test func metricsMatchScikitLearn() {
        let truth: [Double] = [0, 0, 1, 1, 0, 1, 1, 0]
        let scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.55, 0.6]
        #expect(abs(ClassificationMetrics.rocAUC(truth, scores) - 0.8125) < 1e-12)
        #expect(abs(ClassificationMetrics.averagePrecision(truth, scores) - 0.8541666666666666) < 1e-12)
        #expect(abs(ClassificationMetrics.logLoss(truth, scores) - 0.4664729518548145) < 1e-12)
        #expect(abs(ClassificationMetrics.brierScore(truth, scores) - 0.155625) < 1e-12)
    }
}
