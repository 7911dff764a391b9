import EngageML
import Foundation

/// Small deterministic datasets shared by the suites.
enum Datasets {
    /// The formula of Fixtures/known_answers.py: three features, a binary label, a continuous target.
    static func wave(rows: Int) -> (x: Matrix, y: [Double], target: [Double]) {
        var rowsOut: [[Double]] = []
        var y: [Double] = []
        var target: [Double] = []
        for i in 0..<rows {
            let d = Double(i)
            let row = [2 * sin(d * 0.37), cos(d * 0.11) + Double(i % 7) / 7, Double(i % 5) - 2]
            rowsOut.append(row)
            y.append(row[0] + 0.5 * row[1] + 0.8 * sin(d * 1.7) > 0.2 ? 1 : 0)
            target.append(row[0] * 1.5 - row[1] + 0.25 * row[2] + 0.3 * sin(d * 2.3))
        }
        // swift-format-ignore: NeverUseForceTry
        // The rows are built rectangular just above, so the matrix cannot be refused.
        return (try! Matrix(rows: rowsOut), y, target)
    }

    /// `perCluster` points around each of `centres`, spread `spread`, from a seeded generator.
    static func blobs(centres: [[Double]], perCluster: Int, spread: Double, seed: UInt64 = 7) -> (x: Matrix, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var rows: [[Double]] = []
        var labels: [Int] = []
        for (k, centre) in centres.enumerated() {
            for _ in 0..<perCluster {
                rows.append(
                    centre.map {
                        $0 + spread * (Double.random(in: -1...1, using: &generator) + Double.random(in: -1...1, using: &generator))
                    })
                labels.append(k)
            }
        }
        // swift-format-ignore: NeverUseForceTry
        // The rows are built rectangular just above, so the matrix cannot be refused.
        return (try! Matrix(rows: rows), labels)
    }

    /// XOR of two binary features, each of the four corners repeated `copies` times.
    static func xor(copies: Int) -> (x: Matrix, y: [Double]) {
        var rows: [[Double]] = []
        var y: [Double] = []
        for _ in 0..<copies {
            for (a, b) in [(0.0, 0.0), (0, 1), (1, 0), (1, 1)] {
                rows.append([a, b])
                y.append(a == b ? 0 : 1)
            }
        }
        // swift-format-ignore: NeverUseForceTry
        // The rows are built rectangular just above, so the matrix cannot be refused.
        return (try! Matrix(rows: rows), y)
    }

    /// 120 rows of two features where a missing feature 0 means positive: the split on feature 0
    /// must send missing values to the positive (right) side.
    static func missingMeansPositive() -> (x: Matrix, y: [Double]) {
        var rows: [[Double]] = []
        var y: [Double] = []
        for i in 0..<120 {
            switch i % 3 {
            case 0: rows.append([.nan, Double(i % 5)]); y.append(1)
            case 1: rows.append([Double(i % 10), Double(i % 5)]); y.append(0)
            default: rows.append([10 + Double(i % 10), Double(i % 5)]); y.append(1)
            }
        }
        // swift-format-ignore: NeverUseForceTry
        // The rows are built rectangular just above, so the matrix cannot be refused.
        return (try! Matrix(rows: rows), y)
    }
}
