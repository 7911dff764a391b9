import Foundation
import SeedData
import Testing

/// The sample data is deterministic: the same seed writes the same bytes, another seed others.
@Suite struct SeedGeneratorTests {
    func write(seed: UInt64) throws -> (folder: String, files: [SeedGenerator.WrittenFile]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID())").path
        return (folder, try SeedGenerator(seed: seed, scale: 0.01).write(to: folder))
    }

    @Test func theSameSeedWritesTheSameFiles() throws {
        let first = try write(seed: 42)
        let second = try write(seed: 42)
        let other = try write(seed: 43)
        defer { for folder in [first.folder, second.folder, other.folder] { try? FileManager.default.removeItem(atPath: folder) } }
        #expect(first.files.map(\.name).sorted() == SeedGenerator.fileNames.sorted())
        #expect(first.files.map(\.sha256) == second.files.map(\.sha256))
        #expect(first.files.map(\.sha256) != other.files.map(\.sha256))
        #expect(first.files.allSatisfy { $0.records > 0 })
    }
}
