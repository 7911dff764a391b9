/// Internal measures of a clustering, to compare clusterings and to choose the number of clusters.
public enum ClusterQuality {
    /// Mean silhouette `(b − a) / max(a, b)` over a seeded sample of at most `sampleSize` rows
    /// (all rows when fewer), where `a` is the mean distance to the row's own cluster and `b` to the
    /// nearest other cluster, both within the sample. In [−1, 1]; higher is better. NaN with one cluster.
    public static func silhouette(_ x: Matrix, labels: [Int], sampleSize: Int = 2_000, seed: UInt64 = 0) -> Double {
        var rows = Array(0..<x.rows)
        if rows.count > sampleSize {
            var generator = SeededGenerator(seed: seed)
            rows.shuffle(using: &generator)
            rows = Array(rows.prefix(sampleSize)).sorted()
        }
        let clusters = Set(rows.map { labels[$0] })
        guard clusters.count > 1 else { return .nan }
        let data = RowMajor(x.selectingRows(rows))
        let sampleLabels = rows.map { labels[$0] }
        let clusterCount = (sampleLabels.max() ?? 0) + 1
        var total = 0.0
        data.values.withUnsafeBufferPointer { v in
            for i in 0..<rows.count {
                var sums = [Double](repeating: 0, count: clusterCount)
                var counts = [Int](repeating: 0, count: clusterCount)
                for j in 0..<rows.count where j != i {
                    sums[sampleLabels[j]] += squaredDistance(
                        v.baseAddress! + i * data.columns, v.baseAddress! + j * data.columns, data.columns
                    ).squareRoot()
                    counts[sampleLabels[j]] += 1
                }
                let own = sampleLabels[i]
                guard counts[own] > 0 else { continue }  // a singleton scores 0
                let a = sums[own] / Double(counts[own])
                var b = Double.infinity
                for c in 0..<clusterCount where c != own && counts[c] > 0 { b = min(b, sums[c] / Double(counts[c])) }
                total += (b - a) / max(a, b)
            }
        }
        return total / Double(rows.count)
    }

    /// Davies–Bouldin index: the mean over clusters of the worst `(sᵢ + sⱼ) / d(cᵢ, cⱼ)`, with `s` the
    /// mean distance of a cluster's rows to its centre. Lower is better; 0 is the minimum.
    public static func daviesBouldin(_ x: Matrix, labels: [Int]) -> Double {
        let clusterCount = (labels.max() ?? 0) + 1
        let d = x.columns
        var centres = [Double](repeating: 0, count: clusterCount * d)
        var counts = [Int](repeating: 0, count: clusterCount)
        for i in 0..<x.rows {
            counts[labels[i]] += 1
            for j in 0..<d { centres[labels[i] * d + j] += x[i, j] }
        }
        for c in 0..<clusterCount where counts[c] > 0 { for j in 0..<d { centres[c * d + j] /= Double(counts[c]) } }
        var spread = [Double](repeating: 0, count: clusterCount)
        for i in 0..<x.rows {
            var squared = 0.0
            for j in 0..<d { squared += (x[i, j] - centres[labels[i] * d + j]) * (x[i, j] - centres[labels[i] * d + j]) }
            spread[labels[i]] += squared.squareRoot()
        }
        let present = (0..<clusterCount).filter { counts[$0] > 0 }
        guard present.count > 1 else { return .nan }
        for c in present { spread[c] /= Double(counts[c]) }
        var total = 0.0
        for a in present {
            var worst = 0.0
            for b in present where b != a {
                var squared = 0.0
                for j in 0..<d { squared += (centres[a * d + j] - centres[b * d + j]) * (centres[a * d + j] - centres[b * d + j]) }
                worst = max(worst, (spread[a] + spread[b]) / max(squared.squareRoot(), .leastNonzeroMagnitude))
            }
            total += worst
        }
        return total / Double(present.count)
    }
}

/// One candidate `k` of ``KMeans/chooseClusterCount(_:candidates:)``.
public struct ClusterCountScore: Sendable, Equatable, Codable {
    /// The number of clusters measured.
    public let clusterCount: Int
    /// The weighted sum of squared distances to the assigned centres.
    public let inertia: Double
    /// The mean silhouette over a sample of rows (-1 to 1, higher is better).
    public let silhouette: Double
    /// The Davies–Bouldin index (0 and up, lower is better).
    public let daviesBouldin: Double
}

extension KMeans {
    /// Fits every `k` in `candidates` with these settings and scores each; the best `k` is the one
    /// with the highest silhouette (ties: the smaller `k`).
    public func chooseClusterCount(
        _ x: Matrix, candidates: ClosedRange<Int>
    ) throws(MLError) -> (best: Int, scores: [ClusterCountScore]) {
        guard candidates.lowerBound >= 2 else { throw .invalidParameter("choosing k needs candidates ≥ 2, got \(candidates)") }
        var scores: [ClusterCountScore] = []
        for k in candidates {
            var estimator = self
            estimator.clusterCount = k
            let model = try estimator.fit(x, [])
            let labels = try model.predict(x).map { Int($0) }
            scores.append(
                ClusterCountScore(
                    clusterCount: k, inertia: model.inertia,
                    silhouette: ClusterQuality.silhouette(x, labels: labels, seed: seed),
                    daviesBouldin: ClusterQuality.daviesBouldin(x, labels: labels)))
        }
        var best = scores[0]
        for score in scores.dropFirst() where score.silhouette > best.silhouette { best = score }
        return (best.clusterCount, scores)
    }
}
