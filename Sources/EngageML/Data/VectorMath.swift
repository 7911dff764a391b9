/// Squared Euclidean distance between two `d`-vectors, four lanes at a time (a fixed summation
/// order, so results are reproducible).
@inline(__always)
func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
    var lanes = SIMD4<Double>()
    var j = 0
    while j + 4 <= d {
        let delta = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
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
        lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Double>.self)
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
