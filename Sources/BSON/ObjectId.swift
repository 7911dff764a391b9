import Foundation
import Synchronization

/// A 12-byte MongoDB ObjectId.
///
/// New ids are made as the ObjectId specification says (4-byte big-endian seconds, a 5-byte random
/// value drawn once per process, a 3-byte counter starting at a random value), so they sort by
/// creation time like the ids other drivers make.
public struct ObjectId: Sendable, Hashable, Comparable, CustomStringConvertible {
    // The 12 bytes held inline as big-endian integers (no heap array per id), so that comparing
    // the integers compares the bytes.
    private let leading: UInt64
    private let trailing: UInt32

    /// The 12 raw bytes, big-endian timestamp first.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// A freshly generated id.
    public init() {
        let seconds = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        let counter = Self.counter.add(1, ordering: .relaxed).newValue & 0xFF_FFFF
        leading = UInt64(seconds) << 32 | Self.processValue >> 8
        trailing = UInt32(truncatingIfNeeded: Self.processValue) << 24 | counter
    }

    /// An id from its 12 bytes; nil when the count is not 12.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        self = bytes.withUnsafeBytes { Self(raw: $0) }
    }

    /// An id from 12 raw bytes (the caller checks the count).
    init(raw: UnsafeRawBufferPointer) {
        leading = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
        trailing = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    }

    /// Calls `body` with the 12 raw bytes.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        Swift.withUnsafeBytes(of: (leading.bigEndian, trailing.bigEndian)) { body(UnsafeRawBufferPointer(rebasing: $0.prefix(12))) }
    }

    /// An id from its 24-character hexadecimal form; nil when the text is not one.
    public init?(_ hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 24 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(12)
        for i in stride(from: 0, to: 24, by: 2) {
            guard let hi = Self.nibble(utf8[i]), let lo = Self.nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        self.init(bytes: out)
    }

    /// The 24-character lowercase hexadecimal form.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(24)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The process's 5 random bytes (in the low 40 bits), drawn once. A Swift process does not
    /// `fork()` without `exec`, so nothing needs to notice a fork and draw again.
    private static let processValue = UInt64.random(in: 0..<(1 << 40))
    /// The counter every thread shares; its low 24 bits go into each id.
    private static let counter = Atomic<UInt32>(UInt32.random(in: 0..<(1 << 24)))

    /// Ids order as their bytes do: by creation time first.
    public static func < (a: Self, b: Self) -> Bool { (a.leading, a.trailing) < (b.leading, b.trailing) }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
