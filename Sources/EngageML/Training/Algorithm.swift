/// A learning algorithm and its hyperparameters, parsed from `key=value` pairs with scikit-learn's
/// parameter names, so the command line, the registry and the server name them the same way.
///
/// ```swift
/// let spec = try AlgorithmSpec(name: "tree", task: .classification, parameters: ["max_depth": "8", "criterion": "entropy"])
/// let model = try spec.fit(x, y)
/// ```
public struct AlgorithmSpec: Sendable, Equatable, Codable {
    /// The algorithm families.
    public enum Family: String, Sendable, Codable, CaseIterable {
        case logistic, ridge, tree, kmeans
    }

    /// The algorithm family.
    public let family: Family
    /// What the algorithm learns: the family's task, or the one asked for a tree.
    public let task: LearningTask
    /// The parameters as given (validated), for the model's metadata.
    public let parameters: [String: String]

    /// The parameter names each family accepts.
    public static let knownParameters: [Family: Set<String>] = [
        .logistic: ["C", "max_iter", "tol", "class_weight", "fit_intercept"],
        .ridge: ["alpha"],
        .tree: [
            "criterion", "max_depth", "min_samples_split", "min_samples_leaf", "min_impurity_decrease",
            "max_leaf_nodes", "ccp_alpha", "class_weight", "splitter", "max_bins",
        ],
        .kmeans: ["n_clusters", "n_init", "max_iter", "tol", "random_state"],
    ]

    /// Validates the family, the task it implies and every parameter name and value.
    public init(name: String, task: LearningTask? = nil, parameters: [String: String] = [:]) throws(MLError) {
        guard let family = Family(rawValue: name) else {
            throw .invalidParameter("unknown algorithm \(name); choose one of \(Family.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let known = Self.knownParameters[family] ?? []
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidParameter("\(name) has no parameter \(unknown); it takes \(known.sorted().joined(separator: ", "))")
        }
        let resolved: LearningTask
        switch family {
        case .logistic: resolved = .classification
        case .ridge: resolved = .regression
        case .kmeans: resolved = .clustering
        case .tree: resolved = task ?? .classification
        }
        if let task, task != resolved {
            throw .invalidParameter("\(name) does \(resolved.rawValue), not \(task.rawValue)")
        }
        guard resolved != .clustering || family == .kmeans else { throw .invalidParameter("\(name) cannot cluster") }
        self.family = family
        self.task = resolved
        self.parameters = parameters
        _ = try estimatorSettings()
    }

    /// Fits the algorithm. `y` is ignored for k-means.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]? = nil, threads: Int? = nil) throws(MLError) -> TrainedModel {
        let settings = try estimatorSettings()
        switch (family, task) {
        case (.logistic, _):
            var estimator = settings.logistic
            estimator.threads = threads
            return .logisticRegression(try estimator.fit(x, y, sampleWeights: sampleWeights))
        case (.ridge, _):
            return .ridgeRegression(try settings.ridge.fit(x, y, sampleWeights: sampleWeights))
        case (.tree, .regression):
            return .decisionTreeRegressor(
                try DecisionTreeRegressor(growth: settings.growth, threads: threads).fit(x, y, sampleWeights: sampleWeights))
        case (.tree, _):
            return .decisionTreeClassifier(
                try DecisionTreeClassifier(
                    criterion: settings.criterion, growth: settings.growth, classWeights: settings.classWeights, threads: threads
                ).fit(x, y, sampleWeights: sampleWeights))
        case (.kmeans, _):
            var estimator = settings.kmeans
            estimator.threads = threads
            return .kMeans(try estimator.fit(x, y, sampleWeights: sampleWeights))
        }
    }

    /// Whether the family works best on standardized features (linear models and k-means do; trees do not care).
    public var wantsScaledFeatures: Bool { family != .tree }

    private struct Settings {
        var logistic = LogisticRegression()
        var ridge = RidgeRegression()
        var growth = TreeGrowth()
        var criterion = SplitCriterion.gini
        var classWeights = ClassWeights.uniform
        var kmeans = KMeans()
    }

    private func estimatorSettings() throws(MLError) -> Settings {
        var settings = Settings()
        if task == .regression && family == .tree { settings.criterion = .squaredError }
        for (key, text) in parameters.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "C": settings.logistic.inverseRegularization = try number(key, text)
            case "max_iter":
                settings.logistic.maxIterations = try integer(key, text)
                settings.kmeans.maxIterations = try integer(key, text)
            case "tol":
                settings.logistic.tolerance = try number(key, text)
                settings.kmeans.tolerance = try number(key, text)
            case "fit_intercept": settings.logistic.fitIntercept = try boolean(key, text)
            case "class_weight":
                guard text == "balanced" || text == "none" else {
                    throw .invalidParameter("class_weight must be balanced or none, got \(text)")
                }
                let weights: ClassWeights = text == "balanced" ? .balanced : .uniform
                settings.logistic.classWeights = weights
                settings.classWeights = weights
            case "alpha": settings.ridge.alpha = try number(key, text)
            case "criterion":
                guard let criterion = SplitCriterion(rawValue: text) else {
                    throw .invalidParameter("criterion must be gini, entropy or squared_error, got \(text)")
                }
                settings.criterion = criterion
            case "max_depth": settings.growth.maxDepth = text == "none" ? nil : try integer(key, text)
            case "min_samples_split": settings.growth.minSamplesSplit = try integer(key, text)
            case "min_samples_leaf": settings.growth.minSamplesLeaf = try integer(key, text)
            case "min_impurity_decrease": settings.growth.minImpurityDecrease = try number(key, text)
            case "max_leaf_nodes": settings.growth.maxLeafNodes = text == "none" ? nil : try integer(key, text)
            case "ccp_alpha": settings.growth.costComplexityAlpha = try number(key, text)
            case "splitter":
                guard let splitter = TreeSplitter(rawValue: text) else {
                    throw .invalidParameter("splitter must be exact, hist or auto, got \(text)")
                }
                settings.growth.splitter = splitter
            case "max_bins": settings.growth.maxBins = try integer(key, text)
            case "n_clusters": settings.kmeans.clusterCount = try integer(key, text)
            case "n_init": settings.kmeans.restarts = try integer(key, text)
            case "random_state": settings.kmeans.seed = UInt64(try integer(key, text))
            default: break
            }
        }
        if family == .tree {
            try settings.growth.validate()
            if task == .regression && settings.criterion != .squaredError {
                throw .invalidParameter("a regression tree splits on squared_error, not \(settings.criterion.rawValue)")
            }
        }
        return settings
    }

    private func number(_ key: String, _ text: String) throws(MLError) -> Double {
        guard let value = Double(text), value.isFinite else { throw .invalidParameter("\(key) must be a number, got \(text)") }
        return value
    }

    private func integer(_ key: String, _ text: String) throws(MLError) -> Int {
        guard let value = Int(text), value >= 0 else { throw .invalidParameter("\(key) must be a whole number ≥ 0, got \(text)") }
        return value
    }

    private func boolean(_ key: String, _ text: String) throws(MLError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .invalidParameter("\(key) must be true or false, got \(text)")
        }
    }
}
