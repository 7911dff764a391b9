import Foundation

/// The seed generator's random source: SplitMix64, small and fixed forever, so that a seed names
/// the same data on every machine and Swift version (the standard library promises no such thing).
struct SeedRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal (Box–Muller).
    mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Double {
        let u = max(unit(), 1e-300)
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }

    mutating func poisson(_ lambda: Double) -> Int {
        let limit = exp(-lambda)
        var k = 0
        var p = unit()
        while p > limit {
            k += 1
            p *= unit()
        }
        return k
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An index drawn with probability ∝ 1 / (rank + 1)^exponent (a few popular, many rare).
    mutating func zipf(_ count: Int, exponent: Double = 1.1) -> Int {
        // Inverse transform on the continuous approximation.
        let u = unit()
        let a = 1 - exponent
        let high = pow(Double(count) + 1, a)
        let x = pow(u * (high - 1) + 1, 1 / a) - 1
        return min(count - 1, max(0, Int(x)))
    }

    mutating func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
}
