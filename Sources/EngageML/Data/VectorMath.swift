/// Squared Euclidean distance between two `d`-vectors, four lanes at a time (a fixed summation
/// order, so results are reproducible).
@inline(__always)
func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
    var lanes = SIMD4<Double>()
    var j = 0
    while j + 4 <= d {
        let delta =
            UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
            - UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
        lanes += delta * delta
        j += 4
    }
    var sum = lanes.sum()
    while j < d {
        let delta = a[j] - b[j]
        sum += delta * delta
        j += 1
    }
    return sum
}

/// `Σ a[i]·b[i]` over `count` elements, four lanes at a time (a fixed summation order).
@inline(__always)
func dotProduct(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
    var lanes = SIMD4<Double>()
    var i = 0
    while i + 4 <= count {
        lanes +=
            UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Double>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD4<Double>.self)
        i += 4
    }
    var sum = lanes.sum()
    while i < count {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// `eˣ` for `x ≤ 0`, four lanes at a time: `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, `eʳ` by its Taylor
/// series to `r¹³` (truncation below 10⁻¹⁷ relative), scaled by `2ⁿ` through the exponent bits.
/// Lanes below −708 are taken at −708 (`e⁻⁷⁰⁸ ≈ 3·10⁻³⁰⁸`, the smallest normal result).
@inline(__always)
func exponentialOfNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let x = x.replacing(with: -708, where: x .< -708)
    // Adding 1.5·2⁵² rounds x·log₂e to the integer n, which the sum's low bits then hold.
    let shifter = SIMD4<Double>(repeating: 6_755_399_441_055_744)
    let shifted = x * 1.4426950408889634 + shifter
    let n = shifted - shifter
    let r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10
    var p = SIMD4<Double>(repeating: 1.6059043836821613e-10)  // 1/13!
    p = p * r + 2.08767569878681e-09  // 1/12!
    p = p * r + 2.505210838544172e-08  // 1/11!
    p = p * r + 2.755731922398589e-07  // 1/10!
    p = p * r + 2.7557319223985893e-06  // 1/9!
    p = p * r + 2.48015873015873e-05  // 1/8!
    p = p * r + 0.0001984126984126984  // 1/7!
    p = p * r + 0.001388888888888889  // 1/6!
    p = p * r + 0.008333333333333333  // 1/5!
    p = p * r + 0.041666666666666664  // 1/4!
    p = p * r + 0.16666666666666666  // 1/3!
    p = p * r + 0.5  // 1/2!
    p = p * r + 1.0  // 1/1!
    p = p * r + 1.0  // 1/0!
    let exponent = (unsafeBitCast(shifted, to: SIMD4<Int64>.self) &+ 1023) &<< 52
    return p * unsafeBitCast(exponent, to: SIMD4<Double>.self)
}

/// `ln(1 + e)` for `0 ≤ e ≤ 1`, four lanes at a time: `2·atanh(s)` with `s = e / (2 + e) ≤ 1/3`, by
/// the series `2s·Σ s²ᵐ / (2m + 1)` to m = 17 (truncation below 10⁻¹⁷ relative).
@inline(__always)
func logOnePlusUnit(_ e: SIMD4<Double>) -> SIMD4<Double> {
    let s = e / (2 + e)
    let s2 = s * s
    var p = SIMD4<Double>(repeating: 1.0 / 35)
    p = p * s2 + 1.0 / 33
    p = p * s2 + 1.0 / 31
    p = p * s2 + 1.0 / 29
    p = p * s2 + 1.0 / 27
    p = p * s2 + 1.0 / 25
    p = p * s2 + 1.0 / 23
    p = p * s2 + 1.0 / 21
    p = p * s2 + 1.0 / 19
    p = p * s2 + 1.0 / 17
    p = p * s2 + 1.0 / 15
    p = p * s2 + 1.0 / 13
    p = p * s2 + 1.0 / 11
    p = p * s2 + 1.0 / 9
    p = p * s2 + 1.0 / 7
    p = p * s2 + 1.0 / 5
    p = p * s2 + 1.0 / 3
    p = p * s2 + 1.0 / 1
    return 2 * s * p
}
