import EngageML
import Foundation
import Testing

/// The histogram splitter (`splitter=hist`): the exact tree where the bins hold one value each,
/// close to it where they do not, missing values routed, and the exact splitter for old artifacts.
@Suite struct HistogramTreeTests {
    /// `rows` rows of `features` columns; integer-valued with `levels` levels when given (else
    /// continuous), every seventh value of column 1 missing; a nonlinear label and target.
    static func data(rows: Int, features: Int = 6, levels: Int?, seed: UInt64 = 3) throws -> (x: Matrix, y: [Double], target: [Double]) {
        var generator = SeededGenerator(seed: seed)
        var columns = [[Double]](repeating: [], count: features)
        var y: [Double] = []
        var target: [Double] = []
        for row in 0..<rows {
            var values: [Double] = []
            for f in 0..<features {
                let u = Double.random(in: 0..<1, using: &generator)
                values.append(levels.map { (u * Double($0)).rounded(.down) / Double($0) } ?? u)
                if f == 1, row % 7 == 0 { values[f] = .nan }
            }
            for f in 0..<features { columns[f].append(values[f]) }
            let second = values[1].isNaN ? 0.9 : values[1]
            let noise = Double.random(in: -0.15..<0.15, using: &generator)
            y.append(sin(6 * values[0]) + second * values[2] + noise > 0.4 ? 1 : 0)
            target.append(3 * values[0] * values[0] - second + values[3] + noise)
        }
        return (try Matrix(columns: columns), y, target)
    }

    static func growth(_ splitter: TreeSplitter, maxBins: Int = 255) -> TreeGrowth {
        TreeGrowth(maxDepth: 6, minSamplesLeaf: 5, splitter: splitter, maxBins: maxBins)
    }

    /// The tree without its thresholds: the exact splitter cuts halfway between the values a node
    /// holds, the histogram one halfway between the values the whole column holds, which sends
    /// every training row the same way.
    static func shape(_ tree: DecisionTree) -> [String] {
        tree.nodes.map { "\($0.feature) \($0.left) \($0.right) \($0.missingGoesLeft) \($0.samples) \($0.value)" }
    }

    @Test func withABinPerValueItGrowsTheExactTree() throws {
        let data = try Self.data(rows: 3_000, levels: 40)
        for criterion in [SplitCriterion.gini, .entropy] {
            let exact = try DecisionTreeClassifier(criterion: criterion, growth: Self.growth(.exact)).fit(data.x, data.y)
            let histogram = try DecisionTreeClassifier(criterion: criterion, growth: Self.growth(.histogram)).fit(data.x, data.y)
            #expect(exact.tree.leafCount > 20)
            #expect(Self.shape(histogram.tree) == Self.shape(exact.tree))
            #expect(try histogram.predictProbabilities(data.x) == exact.predictProbabilities(data.x))
        }
    }

    @Test func onContinuousValuesItStaysCloseToTheExactTree() throws {
        let train = try Self.data(rows: 20_000, levels: nil)
        let test = try Self.data(rows: 5_000, levels: nil, seed: 4)
        let exact = try DecisionTreeClassifier(growth: Self.growth(.exact)).fit(train.x, train.y)
        let histogram = try DecisionTreeClassifier(growth: Self.growth(.histogram)).fit(train.x, train.y)
        let exactAUC = ClassificationMetrics.rocAUC(test.y, try exact.predictPositiveProbability(test.x))
        let histogramAUC = ClassificationMetrics.rocAUC(test.y, try histogram.predictPositiveProbability(test.x))
        #expect(exactAUC > 0.85 && abs(exactAUC - histogramAUC) < 0.01, "exact \(exactAUC), hist \(histogramAUC)")

        let exactRegressor = try DecisionTreeRegressor(growth: Self.growth(.exact)).fit(train.x, train.target)
        let histogramRegressor = try DecisionTreeRegressor(growth: Self.growth(.histogram)).fit(train.x, train.target)
        let exactR2 = RegressionMetrics.r2(test.target, try exactRegressor.predict(test.x))
        let histogramR2 = RegressionMetrics.r2(test.target, try histogramRegressor.predict(test.x))
        #expect(exactR2 > 0.8 && abs(exactR2 - histogramR2) < 0.01, "exact \(exactR2), hist \(histogramR2)")

        // Sixteen bins: no feature is cut at more than fifteen places, and the tree still learns.
        let coarse = try DecisionTreeClassifier(growth: Self.growth(.histogram, maxBins: 16)).fit(train.x, train.y)
        let cuts = Dictionary(grouping: coarse.tree.nodes.filter { !$0.isLeaf }, by: \.feature).mapValues { Set($0.map(\.threshold)).count }
        #expect(cuts.values.allSatisfy { $0 <= 15 } && !cuts.isEmpty)
        #expect(ClassificationMetrics.rocAUC(test.y, try coarse.predictPositiveProbability(test.x)) > 0.8)
    }

    @Test func missingValuesGoWhereTheyScoreAndThreadsChangeNothing() throws {
        let missing = Datasets.missingMeansPositive()
        let tree = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 1, splitter: .histogram)).fit(missing.x, missing.y)
        #expect(tree.tree.nodes[0].feature == 0 && tree.tree.nodes[0].missingGoesLeft == false)
        #expect(try tree.predict(try Matrix(rows: [[.nan, 0], [3, 0], [15, 0]])) == [1, 0, 1])

        let data = try Self.data(rows: 30_000, levels: nil)
        let one = try DecisionTreeRegressor(growth: Self.growth(.histogram), threads: 1).fit(data.x, data.target)
        let four = try DecisionTreeRegressor(growth: Self.growth(.histogram), threads: 4).fit(data.x, data.target)
        #expect(one.tree == four.tree)
    }

    @Test func theSplitterIsAParameterAndOldArtifactsStayExact() throws {
        let data = try Self.data(rows: 2_000, levels: nil)
        let spec = try AlgorithmSpec(name: "tree", task: .classification, parameters: ["splitter": "hist", "max_bins": "4"])
        guard case .decisionTreeClassifier(let model) = try spec.fit(data.x, data.y) else {
            Issue.record("a tree spec gives a tree")
            return
        }
        let cuts = Dictionary(grouping: model.tree.nodes.filter { !$0.isLeaf }, by: \.feature).mapValues { Set($0.map(\.threshold)).count }
        #expect(!cuts.isEmpty && cuts.values.allSatisfy { $0 <= 3 }, "\(cuts)")
        #expect(throws: MLError.self) { try AlgorithmSpec(name: "tree", parameters: ["max_bins": "300"]) }
        #expect(throws: MLError.self) { try AlgorithmSpec(name: "tree", parameters: ["splitter": "random"]) }

        // Saved before the splitter existed: read back as the exact splitter it was grown with.
        let saved = #"{"maxDepth": 4, "minSamplesSplit": 2, "minSamplesLeaf": 1, "minImpurityDecrease": 0, "costComplexityAlpha": 0}"#
        let growth = try JSONDecoder().decode(TreeGrowth.self, from: Data(saved.utf8))
        #expect(growth.splitter == .exact && growth.maxDepth == 4)
        #expect(TreeGrowth().splitter == .auto)
    }
}
