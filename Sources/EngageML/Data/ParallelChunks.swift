import Dispatch
import Foundation
import Synchronization

/// Deterministic data parallelism: `count` items are cut into fixed chunks of `chunkSize`
/// (the cut never depends on the thread count), each chunk's result is computed on one of
/// `threads` workers, and results come back in chunk order. Reducing them in that order
/// gives bit-identical sums whatever the number of threads.
func parallelChunks<Result: Sendable>(
    count: Int, chunkSize: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Result
) -> [Result] {
    let chunkCount = max(1, (count + chunkSize - 1) / chunkSize)
    let chunk = { @Sendable (c: Int) in (c * chunkSize)..<min(count, (c + 1) * chunkSize) }
    if threads <= 1 || chunkCount == 1 {
        return (0..<chunkCount).map { body(chunk($0)) }
    }
    var results = [Result?](repeating: nil, count: chunkCount)
    results.withUnsafeMutableBufferPointer { buffer in
        let slots = UnsafeSendablePointer(buffer.baseAddress!)
        let workers = min(threads, chunkCount)
        // Workers take the next chunk as they finish one, so a worker the machine delays does not
        // hold the others up; each result still lands in its chunk's slot.
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard c < chunkCount else { return }
                slots.pointer[c] = body(chunk(c))
            }
        }
    }
    return results.map { $0! }
}

/// Workers for a pass over `elements` values: every active core when the pass is long enough to
/// pay for waking them (tens of microseconds), else 1, so that a prediction for a few rows runs on
/// the caller's thread instead of a dispatch round trip.
func threadCount(forElements elements: Int) -> Int {
    elements >= 1 << 16 ? resolvedThreadCount(nil) : 1
}

/// The thread count to use when a caller asks for `requested` (nil or 0: every active core).
func resolvedThreadCount(_ requested: Int?) -> Int {
    if let requested, requested > 0 { return requested }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// A raw pointer that parallel workers share to write disjoint elements of one buffer.
/// `@unchecked Sendable` because every use gives each worker its own elements (a chunk of rows,
/// a feature's segment); no two workers touch the same element, and the buffer outlives the workers.
struct UnsafeSendablePointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}
