import Foundation

/// One phase's wall time and this process's CPU time (all threads, user + system).
struct Phase: Codable {
    var wallSeconds: Double
    var clientCPUSeconds: Double

    /// Times one run of `body`.
    static func measure(_ body: () async throws -> Void) async throws -> Phase {
        let cpuStart = processCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return Phase(
            wallSeconds: (clock.now - start) / .seconds(1),
            clientCPUSeconds: processCPUSeconds() - cpuStart)
    }
}

/// CPU seconds (user + system, all threads) this process has used.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Resident memory now and at its peak since the last ``resetPeakResidentBytes()``, from /proc/self/status.
func residentBytes() -> (current: Int, peak: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func kilobytes(_ key: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first(where: { !$0.isEmpty }) ?? "0").map { $0 * 1024 } ?? 0
    }
    return (kilobytes("VmRSS:"), kilobytes("VmHWM:"))
}

/// Resets the kernel's peak-RSS mark (VmHWM) to the current RSS. Memory freed earlier but kept by
/// malloc can be reused without raising RSS, so scripts/bench-ml.sh measures each model in its own process.
func resetPeakResidentBytes() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}
