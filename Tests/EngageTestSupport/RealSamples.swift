import Foundation

/// The folder of real exports in `../shared/data/real-samples` (their quirks as published), or nil
/// when this checkout has none beside it: suites that read them are skipped then.
public let realSamplesFolder: String? = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    let path = url.deletingLastPathComponent().appendingPathComponent("shared/data/real-samples").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}()
