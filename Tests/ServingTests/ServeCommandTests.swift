import Foundation
import Testing

/// `engage serve`'s flags, checked by running the built command: values that would crash or
/// disable the server are refused with a sentence naming the flag (issue 15, item 15).
@Suite struct ServeCommandTests {
    static var engage: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/engage").path
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: engage)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: engage)), arguments: [
        (["--poll-seconds", "1e20"], "--poll-seconds"),
        (["--max-body-bytes", "0"], "--max-body-bytes"),
        (["--idle-timeout", "0"], "--idle-timeout"),
        (["--max-connections", "0"], "--max-connections"),
    ])
    func outOfRangeFlagsAreRefusedByName(arguments: [String], flag: String) throws {
        let (status, output) = try Self.run(["serve"] + arguments)
        #expect(status == 64, "\(output)")
        #expect(output.contains(flag), "\(output)")
    }
}
