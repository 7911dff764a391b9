import EngageML
import Testing

/// What each estimator must get right on data whose answer is known by construction.
@Suite struct BehaviourTests {
    @Test func treeSolvesXORWhereLogisticRegressionCannot() throws {
        let data = Datasets.xor(copies: 25)
        let tree = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 2)).fit(data.x, data.y)
        #expect(try tree.predict(data.x) == data.y)
        #expect(tree.tree.leafCount == 4)
        let linear = try LogisticRegression().fit(data.x, data.y)
        #expect(ClassificationMetrics.accuracy(data.y, try linear.predict(data.x)) <= 0.75)
    }

    @Test func logisticRegressionSeparatesSeparableData() throws {
        let blobs = Datasets.blobs(centres: [[-3, -3], [3, 3]], perCluster: 50, spread: 0.5)
        let y = blobs.labels.map(Double.init)
        let model = try LogisticRegression().fit(blobs.x, y)
        #expect(try model.predict(blobs.x) == y)
        #expect(ClassificationMetrics.rocAUC(y, try model.predictPositiveProbability(blobs.x)) == 1)
    }

    @Test func treeLearnsWhereMissingValuesGo() throws {
        let (x, y) = Datasets.missingMeansPositive()
        let tree = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 1)).fit(x, y)
        let root = tree.tree.nodes[0]
        #expect(root.feature == 0)
        #expect(root.missingGoesLeft == false)
        #expect(try tree.predict(try Matrix(rows: [[.nan, 0], [3, 0], [15, 0]])) == [1, 0, 1])
    }

    @Test func balancedClassWeightsFindTheRareClass() throws {
        // 5 % positives, overlapping: unweighted the tree stays at the majority, balanced it does not.
        var rows: [[Double]] = []
        var y: [Double] = []
        for i in 0..<400 {
            let positive = i % 20 == 0
            rows.append([positive ? 1 + Double(i % 3) * 0.1 : Double(i % 17) / 10])
            y.append(positive ? 1 : 0)
        }
        let x = try Matrix(rows: rows)
        let weighted = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 1, minSamplesLeaf: 30), classWeights: .balanced).fit(x, y)
        let recall = ClassificationMetrics.precisionRecallF1(y, try weighted.predict(x)).recall
        #expect(recall == 1)
        let plain = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 1, minSamplesLeaf: 30)).fit(x, y)
        #expect(ClassificationMetrics.precisionRecallF1(y, try plain.predict(x)).recall == 0)
    }

    @Test func minImpurityDecreaseStopsWeakSplits() throws {
        let data = Datasets.wave(rows: 200)
        let full = try DecisionTreeClassifier().fit(data.x, data.y)
        let limited = try DecisionTreeClassifier(growth: TreeGrowth(minImpurityDecrease: 0.02)).fit(data.x, data.y)
        #expect(limited.tree.leafCount < full.tree.leafCount)
        #expect(limited.tree.leafCount >= 2)
    }

    @Test func treeExportsReadableRulesAndGraphviz() throws {
        let data = Datasets.xor(copies: 5)
        let tree = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 2)).fit(data.x, data.y)
        let rules = tree.tree.rules(featureNames: ["verified", "original_music"])
        #expect(rules.hasPrefix("if verified <= 0.5 (missing: left)") || rules.hasPrefix("if original_music <= 0.5"))
        #expect(rules.components(separatedBy: "predict").count - 1 == 4)
        let dot = tree.tree.graphviz(featureNames: ["verified", "original_music"])
        #expect(dot.hasPrefix("digraph Tree {"))
        #expect(dot.contains("0 -> 1"))
        #expect(dot.contains("samples = 20"))
    }

    @Test func kMeansFindsKnownBlobsAndHamerlyAgreesWithNearestCentre() throws {
        let centres: [[Double]] = [[0, 0, 0], [8, 8, 0], [-8, 6, 4]]
        let blobs = Datasets.blobs(centres: centres, perCluster: 300, spread: 0.8)
        let model = try KMeans(clusterCount: 3, seed: 1).fit(blobs.x, [])
        for centre in centres {
            let nearest = (0..<3).map { k in zip(model.centre(k), centre).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min()!
            #expect(nearest < 0.05)
        }
        // The accelerated assignment must equal a plain nearest-centre search.
        let assigned = try model.assign(blobs.x)
        for i in 0..<blobs.x.rows {
            let distances = (0..<3).map { k in zip(model.centre(k), blobs.x.row(i)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            #expect(assigned[i].cluster == distances.firstIndex(of: distances.min()!)!)
        }
        #expect(model.clusterSizes.sorted() == [300, 300, 300])
        #expect(abs(model.inertia - (try model.inertia(of: blobs.x))) < 1e-6 * model.inertia)
    }

    @Test func clusterQualityRanksTheTrueCountFirst() throws {
        let blobs = Datasets.blobs(centres: [[0, 0], [6, 0], [0, 6], [6, 6]], perCluster: 80, spread: 0.6)
        let choice = try KMeans(seed: 2).chooseClusterCount(blobs.x, candidates: 2...6)
        #expect(choice.best == 4)
        #expect(choice.scores.map(\.clusterCount) == [2, 3, 4, 5, 6])
        let four = choice.scores[2]
        #expect(four.silhouette > 0.6)
        #expect(four.daviesBouldin < choice.scores[0].daviesBouldin)
        #expect(ClusterQuality.silhouette(blobs.x, labels: blobs.labels) > 0.6)
    }

    /// Restarts draw their seedings one after another from the seed's generator, so the first of 8
    /// is the single restart: keeping the lowest, 8 are never worse than 1 (keeping the last would
    /// be, on some seed), and on some seeds better (else the restarts did nothing).
    @Test func restartsKeepTheLowestInertia() throws {
        let blobs = Datasets.blobs(centres: [[0, 0], [3, 0], [0, 3], [3, 3], [6, 6], [1.5, 1.5]], perCluster: 40, spread: 1.3)
        var improved = 0
        for seed: UInt64 in 0..<12 {
            let single = try KMeans(clusterCount: 6, restarts: 1, seed: seed).fit(blobs.x, [])
            let many = try KMeans(clusterCount: 6, restarts: 8, seed: seed).fit(blobs.x, [])
            #expect(many.inertia <= single.inertia, "seed \(seed)")
            if many.inertia < single.inertia * (1 - 1e-9) { improved += 1 }
        }
        #expect(improved >= 1, "8 restarts never beat 1 on any of 12 seeds")
    }
}
