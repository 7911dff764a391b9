import ArgumentParser
import EngageML
import Foundation

/// Fits the four estimators of `sklearn_train.py` with its exact settings on the `make_data.py`
/// datasets (first 80 % of rows train, last 20 % test) and reports fit time, CPU, peak memory and
/// test quality as JSON, for scripts/bench-ml.sh to set beside scikit-learn's figures.
struct MLBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml",
        abstract: "Fit logistic regression, tree classifier, tree regressor and k-means like sklearn_train.py.")

    @Option(help: "Folder with cls_200k.csv, reg_200k.csv, blobs_200k.csv (make_data.py --out).") var data: String
    @Option(help: "Dataset size tag.") var size = "200k"
    @Option(help: "Fits per model and thread count.") var repeats = 3
    @Option(help: "Comma-separated thread counts.") var threads = "1,2"
    @Option(help: "Only these models (logreg, tree_cls, tree_reg, kmeans), comma-separated.") var models = "logreg,tree_cls,tree_reg,kmeans"
    @Option(help: "k-means seeds, comma-separated: a seed means different draws here and in numpy, so both sides run several.")
    var kmeansSeeds = "0"
    @Option(help: "The trees' splitter: exact, hist or auto.") var splitter = "exact"
    @Option(help: "Where to write the JSON result.") var out: String

    func run() throws {
        guard let splitter = TreeSplitter(rawValue: splitter) else { throw BenchmarkError("splitter must be exact, hist or auto") }
        let threadCounts = threads.split(separator: ",").compactMap { Int($0) }
        let wanted = models.split(separator: ",").map(String.init)
        var results: [String: [String: ModelResult]] = [:]
        var loaded: [String: Split] = [:]
        for name in wanted {
            let kind = name == "kmeans" ? "blobs" : name == "tree_reg" ? "reg" : "cls"
            if loaded[kind] == nil { loaded[kind] = try Split(path: "\(data)/\(kind)_\(size).csv") }
            let split = loaded[kind]!
            var fits: [String: [Fit]] = [:]
            let seeds = name == "kmeans" ? kmeansSeeds.split(separator: ",").compactMap { UInt64($0) } : [0]
            for _ in 0..<repeats {
                for seed in seeds {
                    for threadCount in threadCounts {
                        let result = try fit(name, split, threads: threadCount, seed: seed, splitter: splitter)
                        fits["\(threadCount)", default: []].append(result)
                        FileHandle.standardError.write(Data("\(name) threads=\(threadCount) seed=\(seed) \(result.line)\n".utf8))
                    }
                }
            }
            results[name] = fits.mapValues { ModelResult(fits: $0, rawTrainingBytes: split.train.rows * split.train.columns * 8) }
        }
        try JSONCoding.readableEncoder().encode(results).write(to: URL(fileURLWithPath: out))
    }

    private func fit(_ name: String, _ split: Split, threads: Int, seed: UInt64, splitter: TreeSplitter) throws -> Fit {
        let growth = TreeGrowth(maxDepth: 12, minSamplesLeaf: 20, splitter: splitter)
        resetPeakResidentBytes()
        let before = residentBytes().current
        let cpu = processCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        var metrics: [String: Double] = [:]
        switch name {
        case "logreg":
            let scaler = StandardScaler(fitting: split.train)
            let model = try LogisticRegression(maxIterations: 200, threads: threads).fit(
                try scaler.transform(split.train), split.trainTarget)
            let elapsed = (clock.now - start, processCPUSeconds() - cpu, residentBytes().peak - before)
            let p = try model.predictPositiveProbability(try scaler.transform(split.test))
            metrics = classification(split.testTarget, p)
            metrics["n_iter"] = Double(model.iterations)
            return Fit(elapsed, metrics)
        case "tree_cls":
            let model = try DecisionTreeClassifier(growth: growth, threads: threads)
                .fit(split.train, split.trainTarget)
            let elapsed = (clock.now - start, processCPUSeconds() - cpu, residentBytes().peak - before)
            metrics = classification(split.testTarget, try model.predictPositiveProbability(split.test))
            metrics["n_leaves"] = Double(model.tree.leafCount)
            metrics["depth"] = Double(model.tree.depth)
            return Fit(elapsed, metrics)
        case "tree_reg":
            let model = try DecisionTreeRegressor(growth: growth, threads: threads)
                .fit(split.train, split.trainTarget)
            let elapsed = (clock.now - start, processCPUSeconds() - cpu, residentBytes().peak - before)
            let predicted = try model.predict(split.test)
            metrics["r2"] = RegressionMetrics.r2(split.testTarget, predicted)
            metrics["rmse"] = RegressionMetrics.rootMeanSquaredError(split.testTarget, predicted)
            metrics["mae"] = RegressionMetrics.meanAbsoluteError(split.testTarget, predicted)
            metrics["n_leaves"] = Double(model.tree.leafCount)
            return Fit(elapsed, metrics)
        default:
            let model = try KMeans(clusterCount: 8, restarts: 1, maxIterations: 100, seed: seed, threads: threads)
                .fit(split.train, [])
            let elapsed = (clock.now - start, processCPUSeconds() - cpu, residentBytes().peak - before)
            metrics["inertia_train"] = model.inertia
            metrics["inertia_test"] = try model.inertia(of: split.test)
            metrics["n_iter"] = Double(model.iterations)
            metrics["seed"] = Double(seed)
            return Fit(elapsed, metrics)
        }
    }

    private func classification(_ truth: [Double], _ p: [Double]) -> [String: Double] {
        [
            "roc_auc": ClassificationMetrics.rocAUC(truth, p),
            "accuracy": ClassificationMetrics.accuracy(truth, p.map { $0 >= 0.5 ? 1 : 0 }),
            "log_loss": ClassificationMetrics.logLoss(truth, p),
        ]
    }
}

/// A benchmark CSV cut by the shared rule: first 80 % of rows train, the rest test; last column is the target.
private struct Split {
    let train: Matrix
    let trainTarget: [Double]
    let test: Matrix
    let testTarget: [Double]

    init(path: String) throws {
        let table = try FeatureTable(csv: path)
        let columns = try table.columns.map { column -> [Double] in
            guard case .numeric(let values) = column else { throw BenchmarkError("\(path): every column must be numeric") }
            return values
        }
        let rows = table.rows
        let cut = rows * 8 / 10
        let features = Array(columns.dropLast())
        train = try Matrix(columns: features.map { Array($0[0..<cut]) })
        test = try Matrix(columns: features.map { Array($0[cut..<rows]) })
        trainTarget = Array(columns.last![0..<cut])
        testTarget = Array(columns.last![cut..<rows])
    }
}

/// One timed fit.
private struct Fit: Codable {
    var wallSeconds: Double
    var cpuSeconds: Double
    var peakExtraBytes: Int
    var metrics: [String: Double]

    init(_ elapsed: (Duration, Double, Int), _ metrics: [String: Double]) {
        wallSeconds = elapsed.0 / .seconds(1)
        cpuSeconds = elapsed.1
        peakExtraBytes = max(0, elapsed.2)
        self.metrics = metrics
    }

    var line: String {
        String(format: "wall %.3f s cpu %.3f s peak +%.1f MiB ", wallSeconds, cpuSeconds, Double(peakExtraBytes) / 1_048_576)
            + metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.5g", $0.value))" }.joined(separator: " ")
    }
}

/// Every fit of one model at one thread count.
private struct ModelResult: Codable {
    var fits: [Fit]
    var rawTrainingBytes: Int
}
