import Foundation
import Hummingbird

/// Answers rendered from stored summaries (pages and JSON twins of unfiltered or per-platform
/// views), kept until the next `engage insights build`: they are pure functions of the summaries
/// and of the page's validated parameters, so a second request costs a dictionary lookup instead
/// of drawing the charts again. Live (filtered) answers are never kept, and keys are built from
/// validated values only. At most ``capacity`` answers are held; when full, the cache starts over.
actor RenderedCache {
    /// The most answers held.
    let capacity: Int
    private var stamp: Date?
    private var entries: [String: ByteBuffer] = [:]

    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// The body stored under `key` for the build of `stamp`, if any.
    func answer(_ key: String, stamp: Date) -> ByteBuffer? {
        guard stamp == self.stamp else { return nil }
        return entries[key]
    }

    /// Keeps `body` under `key` for the build of `stamp`; a newer build empties the cache.
    func store(_ body: ByteBuffer, _ key: String, stamp: Date) {
        if stamp != self.stamp || entries.count >= capacity {
            entries = [:]
            self.stamp = stamp
        }
        entries[key] = body
    }
}
