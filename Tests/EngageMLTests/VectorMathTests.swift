import Foundation
import Testing

@testable import EngageML

/// The vector `eˣ` and `ln(1 + e)` the logistic loss uses, against the C library, lane by lane.
@Suite struct VectorMathTests {
    /// Units in the last place between `a` and `b`.
    private func ulps(_ a: Double, _ b: Double) -> Double {
        a == b ? 0 : abs(a - b) / b.ulp
    }

    @Test func exponentialMatchesTheLibraryWithinTwoUnitsInTheLastPlace() {
        var worst = 0.0
        var x = -707.9
        while x <= 0 {
            let lanes = SIMD4(x, x / 3, x / 100, -x * x / 1e6)
            let vector = exponentialOfNonPositive(lanes)
            for lane in 0..<4 { worst = max(worst, ulps(vector[lane], exp(lanes[lane]))) }
            x += 0.0137
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        let edges = exponentialOfNonPositive(SIMD4(0, -1e-300, -800, -.infinity))
        #expect(edges[0] == 1 && edges[1] == 1)
        #expect(edges[2] == edges[3] && ulps(edges[2], exp(-708)) <= 2, "below −708 is taken at −708")
    }

    /// `s = e / (2 + e)` rounds once before the series, so this allows four units rather than two.
    @Test func logOnePlusMatchesTheLibraryWithinFourUnitsInTheLastPlace() {
        var worst = 0.0
        var e = 0.0
        while e <= 1 {
            let lanes = SIMD4(e, e * e, e / 1e6, 1 - e)
            let vector = logOnePlusUnit(lanes)
            for lane in 0..<4 { worst = max(worst, ulps(vector[lane], log1p(lanes[lane]))) }
            e += 1.0 / 4099
        }
        #expect(worst <= 4, "worst error \(worst) ulp")
        #expect(logOnePlusUnit(SIMD4(0, 1, .leastNonzeroMagnitude, 1e-300))[0] == 0)
    }
}
