import Foundation
import Hashing
import MongoKit
import ServiceLifecycle
import Synchronization

/// A sampled log of answered predictions, written to MongoDB (`predictions`) off the request path.
///
/// ``record(_:)`` only appends to a bounded in-memory queue and returns: when the queue is full
/// the entry is dropped and counted, so a slow database never slows a prediction. The
/// ``PredictionLogWriter`` service empties the queue in batches and drains it on shutdown.
public final class PredictionLog: Sendable {
    /// The share of requests logged, 0…1.
    public let sampleRate: Double
    /// Entries held at most while the writer is busy.
    public let capacity: Int
    private let queue = Mutex<[Document]>([])
    private let wake: AsyncStream<Void>.Continuation
    fileprivate let signals: AsyncStream<Void>
    private let counts = Mutex(Counts())

    /// How many entries were written, dropped because the queue was full, or lost to a failed write.
    public struct Counts: Sendable, Equatable {
        /// Entries written to `predictions`.
        public var written = 0
        /// Entries dropped because the queue was full.
        public var dropped = 0
        /// Entries lost to a failed write.
        public var failed = 0
    }

    /// A log sampling `sampleRate` (0…1) of requests, holding at most `capacity` entries while the writer is busy.
    public init(sampleRate: Double, capacity: Int = 10_000) {
        self.sampleRate = min(max(sampleRate, 0), 1)
        self.capacity = capacity
        (signals, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether this request is one of the sampled ones.
    func samples() -> Bool {
        sampleRate >= 1 || (sampleRate > 0 && Double.random(in: 0..<1) < sampleRate)
    }

    /// Queues one answered request: model, version, the SHA-256 of the request body, the answers and the latency.
    func record(model: String, version: Int, body: UnsafeRawBufferPointer, rows: Int, outputs: [Document], latency: Duration) {
        let entry: Document = [
            "model": .string(model), "version": .int64(Int64(version)), "input_sha256": .string(SHA256.hex(body)),
            "rows": .int64(Int64(rows)), "outputs": .array(outputs.map(BSONValue.document)),
            "latency_ms": .double(latency / .milliseconds(1)), "at": .date(Date()),
        ]
        let queued = queue.withLock { entries in
            guard entries.count < capacity else { return false }
            entries.append(entry)
            return true
        }
        if queued { wake.yield() } else { counts.withLock { $0.dropped += 1 } }
    }

    /// The counts so far.
    public var totals: Counts { counts.withLock { $0 } }

    /// Writes queued entries until ``finish()``, then what is left.
    fileprivate func drain(into collection: MongoCollection) async {
        for await _ in signals { await flush(into: collection) }
        await flush(into: collection)
    }

    fileprivate func finish() { wake.finish() }

    private func flush(into collection: MongoCollection) async {
        while true {
            let batch = queue.withLock { entries in
                defer { entries.removeFirst(min(entries.count, 500)) }
                return Array(entries.prefix(500))
            }
            guard !batch.isEmpty else { return }
            do {
                _ = try await collection.insertMany(batch, ordered: false)
                counts.withLock { $0.written += batch.count }
            } catch {
                counts.withLock { $0.failed += batch.count }
            }
        }
    }
}

/// The service that writes a ``PredictionLog`` to its collection while the server runs, and
/// drains it when the server shuts down.
struct PredictionLogWriter: Service {
    let log: PredictionLog
    let collection: MongoCollection

    func run() async throws {
        await withGracefulShutdownHandler {
            await log.drain(into: collection)
        } onGracefulShutdown: {
            log.finish()
        }
    }
}
