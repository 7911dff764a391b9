import Foundation

/// One phase's wall time, this process's CPU time (all threads, user + system) and its minor page
/// faults (first touches of memory, which explain much of the run-to-run spread in CPU time).
struct Phase: Codable {
    var wallSeconds: Double
    var clientCPUSeconds: Double
    var minorPageFaults: Int

    /// Times one run of `body`.
    static func measure(_ body: () async throws -> Void) async throws -> Phase {
        let usageStart = ProcessUsage.now()
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        let usage = ProcessUsage.now()
        return Phase(
            wallSeconds: (clock.now - start) / .seconds(1),
            clientCPUSeconds: usage.cpuSeconds - usageStart.cpuSeconds,
            minorPageFaults: usage.minorPageFaults - usageStart.minorPageFaults)
    }
}

/// What `getrusage` reports for this process (all threads).
struct ProcessUsage {
    /// CPU seconds, user + system.
    var cpuSeconds: Double
    var minorPageFaults: Int

    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return ProcessUsage(cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), minorPageFaults: usage.ru_minflt)
    }
}

/// CPU seconds (user + system, all threads) this process has used.
func processCPUSeconds() -> Double { ProcessUsage.now().cpuSeconds }

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
