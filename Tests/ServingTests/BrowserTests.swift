import EngageTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Insights
import MongoKit
import Registry
import Serving
import Testing

/// The dashboard in a real browser: Debian's headless `chromium` driven by `chromedriver` over
/// the W3C WebDriver protocol, against a real `engage serve` on a real database. `make test`
/// installs both (`scripts/bootstrap.sh --browser`); without them the suite fails under CI and
/// is skipped elsewhere, saying why. Screenshots go to `.engage/test-output/screenshots/`.
/// `make test` runs this suite after the others, alone: a browser beside the timing tests of
/// `SlowClientTests` made them miss their deadlines.
@Suite(.serialized, .enabled(if: WebDriver.available, "needs chromium and chromedriver: run `scripts/bootstrap.sh --browser`"))
struct BrowserTests {
    static let screenshots = FileManager.default.currentDirectoryPath + "/.engage/test-output/screenshots"

    func withBrowser(token: String? = nil, _ body: @Sendable (WebDriver, String, any TestClientProtocol) async throws -> Void) async throws
    {
        try await withTestDatabase { database in
            let videos: [Document] = (0..<300).map { (i: Int) -> Document in
                let platform: String = ["youtube", "instagram", "tiktok"][i % 3]
                let published = BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(i) * 3_600_000 * 7)
                let views = Int64(100 + (i * 7_919) % 90_000)
                let title: String = i == 0 ? "<script>window.pwned = 1</script>" : "video \(i)"
                return [
                    "_id": .string("\(platform):v\(i)"), "video_id": .string("v\(i)"), "platform": .string(platform),
                    "creator": .string("creator_\(i % 9)"), "title": .string(title),
                    "category": .string(["Music", "Gaming", "Food"][i % 3]),
                    "country": .string(i % 2 == 0 ? "US" : "IN"), "published_at": .datetime(published),
                    "duration_s": .double(Double(5 + i % 200)),
                    "views": .int64(views), "likes": .int64(views / 20), "comments": .int64(views / 200), "shares": .int64(views / 100),
                    "hashtags": .array([["fyp", "music", "food", "travel"][i % 4], "viral"].map(BSONValue.string)),
                    "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
                ]
            }
            try await database.collection("raw_videos").insertMany(videos)
            let movies: [Document] = (0..<60).map { (i: Int) -> Document in
                [
                    "_id": .int64(Int64(i)), "id": .int64(Int64(i)),
                    "title": .string(i == 0 ? "<script>window.pwned = 2</script>" : "Movie \(i)"),
                    "release_date": .string("\(2000 + i % 20)-0\(1 + i % 9)-10"), "budget": .double(Double(1_000_000 * (1 + i % 13))),
                    "revenue": .double(Double(700_000 * (1 + (i * 37) % 40))), "runtime": .double(Double(80 + i % 60)),
                    "vote_average": .double(5 + Double(i % 5)),
                    "vote_count": .int64(Int64(10 * (1 + i))), "popularity": .double(1 + Double(i % 17)),
                    "genres": .array([["Drama", "Comedy", "Action"][i % 3]].map { ["name": .string($0)] }),
                    "production_companies": [["name": .string("Studio \(i % 4)")]],
                    "credits": ["crew": [["id": .int64(Int64(i % 6)), "job": "Director", "name": .string("Director \(i % 6)")]]],
                    "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
                ]
            }
            try await database.collection("raw_tmdb_movies").insertMany(movies)
            // 40 viewers over five weeks, each coming every few days, some leaving early.
            var events: [Document] = []
            for user in 0..<40 {
                for day in stride(from: user % 5, to: 35 - (user % 3) * 9, by: 1 + user % 4) {
                    let time = BSONDateTime(millisecondsSinceEpoch: 1_788_220_800_000 + Int64(day) * 86_400_000)
                    events.append([
                        "_id": .string("e\(user)-\(day)"), "user_id": .string("u\(user)"), "action": "view",
                        "video_id": .string("youtube:v\((user * 7 + day) % 400)"), "timestamp": .datetime(time), "day": .datetime(time),
                        "watch_seconds": .double(Double(10 + (user * day) % 50)), "device": .string(["ios", "android", "web"][user % 3]),
                        "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
                    ])
                }
            }
            try await database.collection("raw_events").insertMany(events)
            _ = try await InsightsBuilder(database: database).build()
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.apiToken = token
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID())").path
            let store = ModelStore(registry: ModelRegistry(database: database, folder: folder))
            try await PredictionServer(store: store, configuration: configuration).application().test(.live) { client in
                let port = try #require(client.port)
                try await WebDriver.withSession { driver in
                    try await body(driver, "http://127.0.0.1:\(port)", client)
                }
            }
        }
    }

    static func json(_ client: any TestClientProtocol, _ path: String) async throws -> [String: Any] {
        try await client.execute(uri: path, method: .get) { response in
            (try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]) ?? [:]
        }
    }

    @Test func everyPageRendersFastWithoutConsoleErrorsAndShowsTheAPIsNumbers() async throws {
        try await withBrowser { driver, base, client in
            try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
            for (name, path) in [
                ("overview", "/"), ("growth", "/growth"), ("creators", "/creators"), ("virality", "/virality"), ("segments", "/segments"),
                ("explorer", "/explorer"), ("trends", "/trends"), ("movies", "/movies"), ("audience", "/audience"),
            ] {
                try await driver.navigate(base + path)  // warm: the first load fills the summary cache
                try await driver.navigate(base + path)
                let timing = try await driver.execute(
                    "const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime;")
                let milliseconds = try #require(timing as? Double ?? (timing as? Int).map(Double.init))
                print("browser: \(path) fully rendered \(String(format: "%.0f", milliseconds)) ms after navigation")
                #expect(milliseconds < 2_000, "\(path)")
                #expect(
                    try await driver.execute("return document.querySelectorAll('main svg, main tbody tr').length;") as? Int ?? 0 > 0,
                    "\(path)")
                #expect(try await driver.execute("return window.pwned === undefined;") as? Bool == true, "\(path)")
                let errors = try await driver.severeConsoleMessages()
                #expect(errors.isEmpty, "\(path): \(errors)")
                try await driver.screenshot(to: "\(Self.screenshots)/\(name).png")
            }

            // The KPI cards and the donut say what the JSON twin says.
            try await driver.navigate(base + "/")
            let api = try await Self.json(client, "/v1/insights/videos")
            let kpis = try #require(api["kpis"] as? [String: Any])
            let shown = try await driver.execute("return document.querySelector('[data-kpi=videos] .value').textContent;") as? String
            #expect(shown == "\(kpis["videos"] as? Int ?? -1)")
            let potential = try #require(api["potential"] as? [[String: Any]])
            let slices =
                try await driver.execute(
                    "return [...document.querySelectorAll('#potential path[data-label]')].map(p => p.dataset.label + '=' + p.dataset.value).join(',');"
                )
                as? String
            #expect(
                slices
                    == potential.filter { ($0["videos"] as? Int ?? 0) > 0 }.map { "\($0["name"]!)=\($0["videos"]!)" }.joined(separator: ",")
            )

            // The Audience page's MAU card and its chart's last MAU point say what /v1/audience says.
            try await driver.navigate(base + "/audience")
            let audience = try await Self.json(client, "/v1/audience")
            let lastDay = try #require((audience["days"] as? [[String: Any]])?.last)
            let mau = try await driver.execute("return document.querySelector('[data-kpi=mau] .value').textContent;") as? String
            #expect(mau == "\(lastDay["mau"] as? Int ?? -1)")
            let plotted =
                try await driver.execute(
                    "return [...document.querySelectorAll('#active-users circle')].map(c => c.dataset.value).slice(-1)[0];") as? String
            #expect(plotted == "\(lastDay["mau"] as? Int ?? -1)")
            try await driver.navigate(base + "/")

            // Choosing a platform in the form changes the numbers to that platform's.
            try await driver.execute("document.getElementById('platform').value = 'youtube'; document.getElementById('filters').submit();")
            try await driver.waitFor("return location.search.includes('platform=youtube') && document.readyState === 'complete';")
            let filtered = try await driver.execute("return document.querySelector('[data-kpi=videos] .value').textContent;") as? String
            let youtube = try #require(try await Self.json(client, "/v1/insights/videos?platform=youtube")["kpis"] as? [String: Any])
            #expect(filtered == "\(youtube["videos"] as? Int ?? -1)")
            #expect(filtered != shown)
            try await driver.screenshot(to: "\(Self.screenshots)/overview-youtube.png")

            // The explorer's download link carries the filter, and its CSV holds the rows the page counts.
            try await driver.navigate(base + "/explorer?country=IN&platform=youtube")
            let href = try #require(try await driver.execute("return document.getElementById('download').getAttribute('href');") as? String)
            let counted = try await driver.execute("return document.querySelector('[data-kpi=rows] .value').textContent;") as? String
            let csv = try await client.execute(uri: href, method: .get) { String(buffer: $0.body) }
            let csvRows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.dropFirst()
            #expect(href == "/v1/insights/rows.csv?platform=youtube&country=IN")
            #expect("\(csvRows.count)" == counted && csvRows.count > 0)
            #expect(csvRows.allSatisfy { $0.hasPrefix("youtube,") && $0.contains(",IN,") })
            try await driver.screenshot(to: "\(Self.screenshots)/explorer-filtered.png")

            // The trends table ranks what the JSON ranks, and the movie cards count what it counts.
            try await driver.navigate(base + "/trends?rank=videos")
            let firstTag =
                try await driver.execute("return document.querySelector('#hashtags tbody td:nth-child(2)').textContent;") as? String
            #expect(firstTag == "viral")
            try await driver.navigate(base + "/movies?genre=Drama")
            let movieCount = try await driver.execute("return document.querySelector('[data-kpi=movies] .value').textContent;") as? String
            let drama = try await Self.json(client, "/v1/insights/movies?genre=Drama")
            #expect(movieCount == "\(drama["movies"] as? Int ?? -1)" && movieCount == "20")
            try await driver.screenshot(to: "\(Self.screenshots)/movies-drama.png")

            // The virality slider moves the threshold and the count above it.
            try await driver.navigate(base + "/virality?threshold=0")
            let all = try await driver.execute("return document.querySelector('[data-kpi=above] .value').textContent;") as? String
            try await driver.navigate(base + "/virality?threshold=6")
            let above = try await driver.execute("return document.querySelector('[data-kpi=above] .value').textContent;") as? String
            #expect(all != above)
            try await driver.screenshot(to: "\(Self.screenshots)/virality-6.png")
        }
    }

    @Test func theSignInFormLetsTheTokenHolderIn() async throws {
        try await withBrowser(token: "browser-token") { driver, base, _ in
            try await driver.navigate(base + "/growth")
            #expect(try await driver.execute("return location.pathname;") as? String == "/sign-in")
            try await driver.screenshot(to: "\(Self.screenshots)/sign-in.png")
            try await driver.execute(
                "document.getElementById('token').value = 'browser-token'; document.getElementById('sign-in').submit();")
            try await driver.waitFor("return location.pathname === '/growth' && document.readyState === 'complete';")
            #expect(try await driver.execute("return document.cookie;") as? String == "", "the cookie is HttpOnly")
            #expect(try await driver.execute("return document.querySelectorAll('main svg').length;") as? Int ?? 0 > 0)
        }
    }
}

/// A minimal W3C WebDriver client for `chromedriver`: a session in headless Chromium, navigation,
/// script execution, console logs and screenshots.
struct WebDriver: Sendable {
    let base: String
    let session: String

    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Chromium and chromedriver are installed, or CI is set (where their absence must fail).
    static var available: Bool { (chromedriver != nil && chromium != nil) || ProcessInfo.processInfo.environment["CI"] != nil }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func withSession(_ body: (WebDriver) async throws -> Void) async throws {
        guard let chromedriver, let chromium else {
            throw Failure(description: "chromium and chromedriver are not installed: run `scripts/bootstrap.sh --browser`")
        }
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromedriver)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate() }
        let base = "http://127.0.0.1:\(port)"
        for _ in 0..<100 {
            if (try? await request("GET", base + "/status")) != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome", "goog:loggingPrefs": ["browser": "ALL"],
                    "goog:chromeOptions": [
                        "binary": chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"],
                    ],
                ]
            ]
        ]
        let created = try await request("POST", base + "/session", capabilities)
        guard let session = (created["value"] as? [String: Any])?["sessionId"] as? String else {
            throw Failure(description: "chromedriver gave no session: \(created)")
        }
        let driver = WebDriver(base: base, session: session)
        do {
            try await body(driver)
        } catch {
            _ = try? await request("DELETE", base + "/session/\(session)")
            throw error
        }
        _ = try? await request("DELETE", base + "/session/\(session)")
    }

    func navigate(_ url: String) async throws {
        _ = try await Self.request("POST", "\(base)/session/\(session)/url", ["url": url])
    }

    @discardableResult
    func execute(_ script: String) async throws -> Any? {
        try await Self.request("POST", "\(base)/session/\(session)/execute/sync", ["script": script, "args": [Any]()])["value"]
    }

    /// Polls `condition` (a script returning a boolean) for up to 10 s.
    func waitFor(_ condition: String) async throws {
        for _ in 0..<100 {
            if try await execute(condition) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for: \(condition)")
    }

    /// Console messages at level SEVERE since the last call (errors, failed loads).
    func severeConsoleMessages() async throws -> [String] {
        let logs = try await Self.request("POST", "\(base)/session/\(session)/se/log", ["type": "browser"])
        return ((logs["value"] as? [[String: Any]]) ?? []).filter { $0["level"] as? String == "SEVERE" }.compactMap {
            $0["message"] as? String
        }
    }

    func screenshot(to path: String) async throws {
        let answer = try await Self.request("GET", "\(base)/session/\(session)/screenshot")
        guard let text = answer["value"] as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// One WebDriver call, made with curl: Foundation's URLSession on Linux fails chromedriver's
    /// answers with "Failed writing header".
    static func request(_ method: String, _ url: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var arguments = ["-s", "--max-time", "30", "-X", method, url]
        if let body {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", text]
        }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "curl \(method) \(url) exited \(process.terminationStatus)")
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if let value = object["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "webdriver \(method) \(url): \(error): \(value["message"] ?? "")")
        }
        return object
    }
}
