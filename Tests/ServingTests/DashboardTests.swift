import EngageTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Insights
import MongoKit
import Registry
import Serving
import Testing

/// The dashboard over real HTTP and a real database: escaping, refused filters by name, the
/// JSON twin, and the sign-in that a token requires.
@Suite struct DashboardTests {
    /// Twelve videos (one with a script in its title, one starting a formula) and six movies,
    /// collected and built.
    static func seed(_ database: MongoDatabase) async throws {
        let videos: [Document] = (0..<12).map { (i: Int) -> Document in
            let creator: String = i == 0 ? "<b>bold</b>" : i == 1 ? "50%25off" : "channel_\(i % 3)"
            let title: String = i == 0 ? "<script>alert('x')</script>" : i == 2 ? "=1+1, \"quoted\"" : "video \(i)"
            let published = BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(i) * 86_400_000)
            return [
                "_id": .string("youtube:v\(i)"), "video_id": .string("v\(i)"), "platform": "youtube",
                "creator": .string(creator),
                "title": .string(title), "category": "Music", "country": "US",
                "published_at": .datetime(published),
                "duration_s": 30.0, "views": .int64(Int64(1_000 * (12 - i))), "likes": 50, "comments": 5, "shares": 5,
                "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
            ]
        }
        try await database.collection("raw_videos").insertMany(videos)
        let movies: [Document] = (0..<6).map { (i: Int) -> Document in
            [
                "_id": .int64(Int64(i)), "id": .int64(Int64(i)), "title": .string(i == 0 ? "<script>alert('m')</script>" : "Movie \(i)"),
                "release_date": .string("201\(i)-05-01"), "budget": .double(Double(2_000_000 * (i + 1))),
                "revenue": .double(Double(5_000_000 * (i + 1) - 1_000_000 * i)), "runtime": 100, "vote_average": 7.0,
                "vote_count": .int64(Int64(50 * (i + 1))), "popularity": 3.5, "genres": [["id": 18, "name": "Drama"]],
                "production_companies": [["id": 1, "name": "<i>Studio</i>"]],
                "credits": ["crew": [["id": 7, "job": "Director", "name": "Ann Lee"]]],
                "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
            ]
        }
        try await database.collection("raw_tmdb_movies").insertMany(movies)
        // Three viewers over four days, one on a device whose name is markup.
        let events: [Document] = (0..<9).map { (i: Int) -> Document in
            let day = BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000 / 86_400_000 * 86_400_000 + Int64(i % 4) * 86_400_000)
            return [
                "_id": .string("e\(i)"), "user_id": .string("u\(i % 3)"), "video_id": .string("youtube:v\(i % 5)"), "action": "view",
                "timestamp": .datetime(day), "day": .datetime(day), "watch_seconds": 12.0,
                "device": .string(i % 3 == 0 ? "<b>bold</b>" : "ios"),
                "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
            ]
        }
        try await database.collection("raw_events").insertMany(events)
        _ = try await InsightsBuilder(database: database).build()
    }

    func withDashboard(token: String?, _ body: @Sendable (any TestClientProtocol, MongoDatabase) async throws -> Void) async throws {
        try await withTestDatabase { database in
            try await Self.seed(database)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dash-\(UUID())").path
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.apiToken = token
            let store = ModelStore(registry: ModelRegistry(database: database, folder: folder))
            try await PredictionServer(store: store, configuration: configuration).application().test(.live) { client in
                try await body(client, database)
            }
        }
    }

    static func get(_ client: any TestClientProtocol, _ path: String, cookie: String? = nil) async throws -> (Int, String, [String: String])
    {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .get, headers: headers) { response in
            var fields: [String: String] = [:]
            for field in response.headers { fields[field.name.canonicalName] = field.value }
            return (Int(response.status.code), String(buffer: response.body), fields)
        }
    }

    @Test func everyPageRendersAndUserTextIsEscaped() async throws {
        try await withDashboard(token: nil) { client, _ in
            for path in [
                "/", "/growth", "/growth?metric=engagement_rate&period=week", "/creators", "/virality?threshold=0", "/segments",
                "/segments?by=country&metric=likes&stat=sum", "/explorer", "/explorer?country=US&from=2026-01-01", "/trends",
                "/trends?rank=videos&creator=channel_1", "/movies", "/movies?genre=Drama&from=2012-01-01", "/audience",
            ] {
                let (status, html, headers) = try await Self.get(client, path)
                #expect(status == 200, "\(path)")
                #expect(headers["content-type"]?.hasPrefix("text/html") == true)
                #expect(!html.contains("<script>alert"), "\(path)")
                #expect(!html.contains("<b>bold</b>"), "\(path)")
                #expect(!html.contains("<script>alert('m')") && !html.contains("<i>Studio</i>"), "\(path)")
            }
            let (_, virality, _) = try await Self.get(client, "/virality?threshold=0")
            #expect(virality.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
            let (_, segments, _) = try await Self.get(client, "/segments?by=platform&metric=views&stat=sum")
            #expect(segments.contains("<td>youtube</td><td class=\"n\">12</td><td class=\"n\">78k</td>"))
            let (_, creators, _) = try await Self.get(client, "/creators")
            #expect(creators.contains("&lt;b&gt;bold&lt;/b&gt;"))
        }
    }

    @Test func thePageShowsWhatItsJSONTwinSays() async throws {
        try await withDashboard(token: nil) { client, _ in
            let (status, body, _) = try await Self.get(client, "/v1/insights/videos?platform=youtube")
            #expect(status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let kpis = try #require(object["kpis"] as? [String: Any])
            #expect(kpis["videos"] as? Int == 12)
            #expect(kpis["totalViews"] as? Double == 78_000)
            let (_, html, _) = try await Self.get(client, "/?platform=youtube")
            #expect(html.contains("data-kpi=\"videos\"><div class=\"value\">12</div>"))
            #expect(html.contains("data-kpi=\"total_views\"><div class=\"value\">78k</div>"))
            // Regression: a value is percent-decoded once; decoding twice asked for "50%off".
            let (_, literal, _) = try await Self.get(client, "/v1/insights/videos?creator=50%2525off")
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(literal.utf8)) as? [String: Any])
            #expect((decoded["kpis"] as? [String: Any])?["videos"] as? Int == 1)
            // The Movies page shows what its twin counts.
            let (_, moviesJSON, _) = try await Self.get(client, "/v1/insights/movies?to=2013-12-31")
            let movies = try #require(try JSONSerialization.jsonObject(with: Data(moviesJSON.utf8)) as? [String: Any])
            #expect(movies["movies"] as? Int == 4 && movies["live"] as? Bool == true)
            let (_, moviesPage, _) = try await Self.get(client, "/movies?to=2013-12-31")
            #expect(moviesPage.contains("data-kpi=\"movies\"><div class=\"value\">4</div>"))
            #expect(moviesPage.contains("&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;"))
            // The Audience page shows what its twin counts.
            let (_, audienceJSON, _) = try await Self.get(client, "/v1/audience")
            let audience = try #require(try JSONSerialization.jsonObject(with: Data(audienceJSON.utf8)) as? [String: Any])
            let days = try #require(audience["days"] as? [[String: Any]])
            #expect(days.count == 4 && (audience["totals"] as? [String: Any])?["users"] as? Int == 3)
            let (_, audiencePage, _) = try await Self.get(client, "/audience")
            #expect(audiencePage.contains("data-kpi=\"dau\"><div class=\"value\">\(days.last?["dau"] as? Int ?? -1)</div>"))
            #expect(audiencePage.contains("&lt;b&gt;bold&lt;/b&gt;"))
            // A live filter says so on the page.
            let (_, live, _) = try await Self.get(client, "/?country=US&from=2026-01-01")
            #expect(live.contains("id=\"live-note\""))
        }
    }

    @Test func theJSONTwinAnswersAsOpenAPISays() async throws {
        try await withDashboard(token: nil) { client, _ in
            let contract = try OpenAPIContract()
            for (path, expected) in [
                ("/v1/insights/videos", 200), ("/v1/insights/videos?platform=youtube", 200),
                ("/v1/insights/videos?country=US&creator=%3Cb%3Ebold%3C%2Fb%3E", 200), ("/v1/insights/videos?from=never", 400),
                ("/v1/insights/explorer", 200), ("/v1/insights/explorer?creator=channel_1", 200), ("/v1/insights/trends", 200),
                ("/v1/insights/trends?platform=myspace", 400), ("/v1/insights/rows.csv?country=ZZ", 400),
                ("/v1/insights/movies", 200), ("/v1/insights/movies?genre=Drama&to=2013-01-01", 200),
                ("/v1/insights/movies?genre=Western", 400), ("/v1/audience", 200),
            ] {
                let (status, contentType, body) = try await client.execute(uri: path, method: .get) { response in
                    (Int(response.status.code), response.headers[.contentType] ?? "", Data(response.body.readableBytesView))
                }
                #expect(status == expected, "\(path)")
                let problems = contract.problems(method: "GET", path: path, status: status, contentType: contentType, body: body)
                #expect(problems.isEmpty, "\(path): \(problems)")
            }
        }
    }

    @Test func theCSVDownloadHoldsTheFilteredRowsAndNoFormula() async throws {
        try await withDashboard(token: nil) { client, _ in
            let (status, csv, headers) = try await Self.get(client, "/v1/insights/rows.csv?creator=channel_2")
            #expect(status == 200)
            #expect(headers["content-type"]?.hasPrefix("text/csv") == true)
            #expect(headers["content-disposition"]?.hasPrefix("attachment") == true)
            let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == VideoRows.columns.map(\.name).joined(separator: ","))
            // channel_2 is the creator of videos 2, 5, 8 and 11.
            #expect(lines.count == 1 + 4)
            #expect(lines.dropFirst().allSatisfy { $0.contains(",channel_2,") })
            // Video 2's title starts a formula: written as text, quoted for its comma and quotes.
            #expect(lines.contains { $0.contains(",\"'=1+1, \"\"quoted\"\"\",") })
            // The page links to the download with the same filter, and counts the same rows.
            let (_, page, _) = try await Self.get(client, "/explorer?creator=channel_2")
            #expect(page.contains("href=\"/v1/insights/rows.csv?creator=channel_2\""))
            #expect(page.contains("data-kpi=\"rows\"><div class=\"value\">4</div>"))
        }
    }

    @Test func theExportOpensFromDiskWithEveryPageLinkedAndEveryRow() async throws {
        try await withTestDatabase { database in
            try await Self.seed(database)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let registry = ModelRegistry(database: database, folder: folder + "-models")
            let summary = try await DashboardExport(insights: InsightsStore(database: database), registry: registry, reportsFolder: folder)
                .write(to: folder)
            #expect(summary.rows == 12)
            for file in ["index.html", "growth.html", "explorer.html", "trends.html", "movies.html", "models.html", "rows.csv"] {
                #expect(summary.files.contains(file), "\(file)")
            }
            #expect(Set(summary.files).isSuperset(of: ["api/videos.json", "api/explorer.json", "api/trends.json", "api/movies.json"]))
            let index = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
            #expect(index.contains("href=\"trends.html\"") && index.contains("href=\"movies.html\""))
            #expect(!index.contains("href=\"/"))
            #expect(index.contains("A static export"))
            #expect(!index.contains("<script>alert"))
            let explorer = try String(contentsOfFile: folder + "/explorer.html", encoding: .utf8)
            #expect(explorer.contains("href=\"rows.csv\""))
            let csv = try String(contentsOfFile: folder + "/rows.csv", encoding: .utf8)
            #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 13)
            // Exporting again replaces the files: the same list.
            let again = try await DashboardExport(insights: InsightsStore(database: database), registry: registry, reportsFolder: folder)
                .write(to: folder)
            #expect(again.files == summary.files)
        }
    }

    @Test func pagesFromStoredSummariesAreKeptUntilTheNextBuild() async throws {
        try await withDashboard(token: nil) { client, database in
            func videos(_ path: String) async throws -> String? {
                let (_, html, _) = try await Self.get(client, path)
                guard let range = html.range(of: "data-kpi=\"videos\"><div class=\"value\">") else { return nil }
                return String(html[range.upperBound...].prefix { $0 != "<" })
            }
            #expect(try await videos("/?platform=youtube") == "12")
            #expect(try await videos("/?platform=youtube") == "12")
            let more: [Document] = (20..<23).map { (i: Int) -> Document in
                [
                    "_id": .string("youtube:v\(i)"), "video_id": .string("v\(i)"), "platform": "youtube", "creator": "late",
                    "title": "late", "category": "Music", "country": "US",
                    "published_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000)), "views": 10, "likes": 1,
                    "comments": 0, "shares": 0,
                    "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_100_000))],
                ]
            }
            try await database.collection("raw_videos").insertMany(more)
            _ = try await InsightsBuilder(database: database).build()
            // The server checks the build stamp every 2 s; after that, the cached page is gone.
            try await Task.sleep(for: .seconds(2.5))
            #expect(try await videos("/?platform=youtube") == "15")
            let (_, body, _) = try await Self.get(client, "/v1/insights/videos?platform=youtube")
            #expect(body.contains("\"videos\":15"))
            // A live filter is computed for its request, never kept.
            #expect(try await videos("/?platform=youtube&creator=late") == "3")
        }
    }

    @Test func refusedParametersAreA400NamingThem() async throws {
        try await withDashboard(token: nil) { client, _ in
            for (path, name) in [
                ("/?platform=myspace", "platform"), ("/growth?metric=%24where", "metric"), ("/virality?threshold=NaN", "threshold"),
                ("/?from=2026-13-01", "from"), ("/segments?by=%24where", "by"), ("/v1/insights/videos?country=ZZ", "country"),
                ("/trends?rank=%24where", "rank"), ("/movies?genre=%24where", "genre"), ("/movies?from=soon", "from"),
                ("/v1/insights/rows.csv?platform=%7B%22%24ne%22%3A1%7D", "platform"),
            ] {
                let (status, body, _) = try await Self.get(client, path)
                #expect(status == 400, "\(path)")
                #expect(body.contains("query parameter \(name)"), "\(path): \(body.prefix(200))")
            }
        }
    }

    @Test func withATokenPagesNeedTheSignInCookie() async throws {
        try await withDashboard(token: "s3cret token") { client, _ in
            let (status, _, headers) = try await Self.get(client, "/creators?platform=youtube")
            #expect(status == 303)
            #expect(headers["location"] == "/sign-in?next=/creators%3Fplatform%3Dyoutube")
            let (json, _, _) = try await Self.get(client, "/v1/insights/videos")
            #expect(json == 401)
            let (live, _, _) = try await Self.get(client, "/v2/health/live")
            #expect(live == 200)

            func signIn(_ token: String, next: String) async throws -> (Int, [String: String]) {
                let form =
                    "token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                return try await client.execute(
                    uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: form)
                ) { response in
                    var fields: [String: String] = [:]
                    for field in response.headers { fields[field.name.canonicalName] = field.value }
                    return (Int(response.status.code), fields)
                }
            }
            let (wrong, _) = try await signIn("guess", next: "/")
            #expect(wrong == 401)
            let (right, cookieHeaders) = try await signIn("s3cret token", next: "//evil.example/")
            #expect(right == 303)
            #expect(cookieHeaders["location"] == "/")
            let cookie = try #require(cookieHeaders["set-cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let pair = String(cookie.prefix { $0 != ";" })
            let (signedIn, html, _) = try await Self.get(client, "/creators", cookie: pair)
            #expect(signedIn == 200 && html.contains("Creator leaderboard"))
            let (forged, _, _) = try await Self.get(client, "/creators", cookie: "engage_token=guess")
            #expect(forged == 303)
        }
    }
}
