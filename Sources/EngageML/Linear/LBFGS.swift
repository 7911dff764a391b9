/// Limited-memory BFGS for smooth unconstrained problems, with a backtracking (Armijo) line search.
/// Stops when the largest gradient component is at most `gradientTolerance` (scikit-learn's `tol`
/// for `lbfgs`) or the objective stops decreasing in relative terms.
struct LBFGS: Sendable {
    var memory = 10
    var maxIterations: Int
    var gradientTolerance: Double

    struct Outcome {
        var parameters: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimizes `objective`, which returns the value at its second argument and writes the gradient into its first.
    func minimize(from start: [Double], _ objective: (inout [Double], [Double]) -> Double) -> Outcome {
        let n = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: n)
        var value = objective(&gradient, x)
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        var rhos: [Double] = []
        var iteration = 0
        var newGradient = [Double](repeating: 0, count: n)
        while iteration < maxIterations {
            if maxAbs(gradient) <= gradientTolerance { return Outcome(parameters: x, value: value, iterations: iteration, converged: true) }
            iteration += 1
            var direction = twoLoopDirection(gradient, steps, changes, rhos)
            var slope = dot(direction, gradient)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                direction = gradient.map { -$0 }
                slope = dot(direction, gradient)
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
            }
            var step = steps.isEmpty ? min(1, 1 / max(norm(gradient), 1e-12)) : 1
            var candidate = x
            var candidateValue = value
            var accepted = false
            for _ in 0..<40 {
                for i in 0..<n { candidate[i] = x[i] + step * direction[i] }
                candidateValue = objective(&newGradient, candidate)
                if candidateValue <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else {
                return Outcome(parameters: x, value: value, iterations: iteration, converged: maxAbs(gradient) <= gradientTolerance)
            }
            let s = (0..<n).map { candidate[$0] - x[$0] }
            let yk = (0..<n).map { newGradient[$0] - gradient[$0] }
            let sy = dot(s, yk)
            if sy > 1e-12 * dot(yk, yk) {
                if steps.count == memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
                steps.append(s); changes.append(yk); rhos.append(1 / sy)
            }
            let decrease = value - candidateValue
            x = candidate
            gradient = newGradient
            let previous = value
            value = candidateValue
            if decrease <= 64 * Double.ulpOfOne * max(abs(previous), abs(value), 1) {
                return Outcome(parameters: x, value: value, iterations: iteration, converged: true)
            }
        }
        return Outcome(parameters: x, value: value, iterations: iteration, converged: maxAbs(gradient) <= gradientTolerance)
    }

    private func twoLoopDirection(_ g: [Double], _ s: [[Double]], _ y: [[Double]], _ rho: [Double]) -> [Double] {
        var q = g
        var alpha = [Double](repeating: 0, count: s.count)
        for k in stride(from: s.count - 1, through: 0, by: -1) {
            alpha[k] = rho[k] * dot(s[k], q)
            for i in 0..<q.count { q[i] -= alpha[k] * y[k][i] }
        }
        if let lastS = s.last, let lastY = y.last {
            let gamma = dot(lastS, lastY) / dot(lastY, lastY)
            for i in 0..<q.count { q[i] *= gamma }
        }
        for k in 0..<s.count {
            let beta = rho[k] * dot(y[k], q)
            for i in 0..<q.count { q[i] += (alpha[k] - beta) * s[k][i] }
        }
        return q.map { -$0 }
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<a.count { sum += a[i] * b[i] }
    return sum
}

func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
