import Hashing
import Testing

/// SHA-256 against the FIPS 180-2 example vectors, fed whole and in uneven pieces.
@Suite struct SHA256Tests {
    private static let vectors: [(message: [UInt8], digest: String)] = [
        ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        ),
    ]

    @Test func matchesTheStandardsVectors() {
        for (message, digest) in Self.vectors {
            #expect(SHA256.hex(message) == digest)
        }
    }

    /// Pieces of 1, 7, 63, 64 and 65 bytes cross every block boundary case of `update`.
    ///
    /// The million-byte vector is fed in pieces of 1000 only: in a debug build, a million one-byte
    /// updates take seconds of the test process's two cooperative threads, and the tests that
    /// measure timeouts run beside these. The 4,099-byte message covers every boundary case many
    /// times over, against its digest computed whole.
    @Test(arguments: [1, 7, 63, 64, 65, 1000])
    func givesTheSameDigestWhateverThePieces(_ piece: Int) {
        let long = (0..<4099).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        var cases = Array(Self.vectors.dropLast()) + [(long, SHA256.hex(long))]
        if piece == 1000 { cases.append(Self.vectors[3]) }
        for (message, digest) in cases {
            var hasher = SHA256()
            for start in stride(from: 0, to: message.count, by: piece) {
                hasher.update(message[start..<min(message.count, start + piece)])
            }
            #expect(SHA256.hex(digest: hasher.finalize()) == digest)
        }
    }

    /// A sequence with no contiguous storage takes the byte-by-byte path.
    @Test func hashesSequencesWithoutContiguousStorage() {
        #expect(SHA256.hex("abc".utf8.lazy.map { $0 }) == Self.vectors[1].digest)
    }
}
