import EngageML
import Foundation
import Insights
import Registry

/// `engage insights export --out DIR`: the dashboard as static files that open without a server:
/// every page as `engage serve` renders it unfiltered (`index.html`, `growth.html`, …), each JSON
/// twin under `api/`, every row as `rows.csv`, and the evaluation reports the Models page links
/// to under `reports/`. Links between pages point at the files; the filter form and the page
/// controls, which need the server, are hidden, and each page says so.
public struct DashboardExport: Sendable {
    /// Where the summaries are read.
    public let insights: InsightsStore
    /// The model registry the Models page lists.
    public let registry: ModelRegistry
    /// The folder of `engage evaluate`'s reports.
    public let reportsFolder: String

    /// An exporter of the dashboard over `insights` and `registry`.
    public init(insights: InsightsStore, registry: ModelRegistry, reportsFolder: String) {
        self.insights = insights
        self.registry = registry
        self.reportsFolder = reportsFolder
    }

    /// What an export wrote.
    public struct Summary: Sendable, Codable, Equatable {
        /// The folder written.
        public var folder: String
        /// The files written, relative to it, in order.
        public var files: [String]
        /// Rows in `rows.csv`.
        public var rows: Int
    }

    /// The file a page is written to.
    static func fileName(_ page: DashboardPages.Page) -> String {
        page.path == "/" ? "index.html" : String(page.path.dropFirst()) + ".html"
    }

    /// Writes the export into `folder` (created if needed; files of an earlier export are replaced).
    public func write(to folder: String) async throws -> Summary {
        let manager = FileManager.default
        for sub in ["", "/api", "/reports"] { try manager.createDirectory(atPath: folder + sub, withIntermediateDirectories: true) }
        var files: [String] = []
        func save(_ name: String, _ data: Data) throws {
            try data.write(to: URL(fileURLWithPath: folder + "/" + name), options: .atomic)
            files.append(name)
        }

        var links = DashboardPages.all.map { (from: "href=\"\($0.path)\"", to: "href=\"\(Self.fileName($0))\"") }
        links.append(("href=\"/v1/insights/rows.csv\"", "href=\"rows.csv\""))
        for record in try await registry.list() {
            guard let path = ModelsPage.reportFile(folder: reportsFolder, name: record.name, version: record.version) else { continue }
            let name = "reports/\(record.name)-v\(record.version).html"
            try save(name, try Data(contentsOf: URL(fileURLWithPath: path)))
            links.append(("href=\"/models/\(record.name)/versions/\(record.version)/report\"", "href=\"\(name)\""))
        }

        let dashboard = Dashboard(insights: insights, registry: registry, reportsFolder: reportsFolder, token: nil)
        let note =
            "<p class=\"note\">A static export of \(DashboardPages.dayTime(Date())) UTC, unfiltered: filters and controls need "
            + "<code>engage serve</code>.</p>"
        for page in DashboardPages.all {
            var html = await dashboard.html(page).html
            for link in links { html = html.replacingOccurrences(of: link.from, with: link.to) }
            html = html.replacingOccurrences(of: "</head>", with: "<style>nav form, main form { display: none; }</style></head>")
            html = html.replacingOccurrences(of: "<main>", with: "<main>" + note)
            try save(Self.fileName(page), Data(html.utf8))
        }

        let encoder = JSONCoding.readableEncoder()
        if let videos = try await Self.unlessMissing({ try await insights.summary(InsightsFilter()) }) {
            try save("api/videos.json", try encoder.encode(videos))
        }
        if let explorer = try await Self.unlessMissing({ try await insights.explorer(InsightsFilter()) }) {
            try save("api/explorer.json", try encoder.encode(explorer))
        }
        if let trends = try await Self.unlessMissing({ try await insights.trends(InsightsFilter()) }) {
            try save("api/trends.json", try encoder.encode(trends))
        }
        if let movies = try await Self.unlessMissing({ try await insights.movies(MovieFilter()) }) {
            try save("api/movies.json", try encoder.encode(movies))
        }
        if let audience = try await AudienceReport.read(from: insights.database) {
            try save("api/audience.json", try encoder.encode(audience))
        }

        let rows = try await writeRows(to: folder + "/rows.csv")
        files.append("rows.csv")
        return Summary(folder: folder, files: files, rows: rows)
    }

    /// The panel, or nil when its data is missing (no build yet, no movies collected): the
    /// page says what to do and there is no JSON to write. A database error is thrown.
    static func unlessMissing<Panel>(_ read: () async throws -> Panel) async throws -> Panel? {
        do {
            return try await read()
        } catch let error as InsightsError {
            if case .badParameter = error { throw error }
            return nil
        }
    }

    /// Every row as the CSV download writes it, page by page; no rows (only the header) before the first build.
    private func writeRows(to path: String) async throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let first = try await Self.unlessMissing { try await insights.rows(InsightsFilter(), after: nil, limit: Dashboard.csvPageRows) }
        return try await Dashboard.writeCSV(insights, InsightsFilter(), first: first ?? []) { try handle.write(contentsOf: Data($0.utf8)) }
    }
}
