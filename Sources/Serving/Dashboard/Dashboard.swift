import DelimitedText
import EngageML
import Foundation
import Hummingbird
import Insights
import MongoKit
import Mustache
import Registry

/// The dashboard `engage serve` shows at `/`: server-rendered pages over the summaries of
/// `engage insights build`, each with its JSON twin at `/v1/insights/videos`. With a token set,
/// pages need the `engage_token` cookie the sign-in form sets (HttpOnly, SameSite=Strict), or
/// the bearer header; health and metrics stay open.
struct Dashboard: Sendable {
    let insights: InsightsStore
    let registry: ModelRegistry
    let reportsFolder: String
    let token: String?
    /// Pages and JSON rendered from stored summaries, until the next build.
    let cache = RenderedCache()

    static let cookieName = "engage_token"
    static let htmlHeaders: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("sign-in") { request, _ in
            Self.response(signInPage(next: Self.safeNext(Self.query(request)["next"]), failed: false))
        }
        router.post("sign-in") { request, _ in try await signIn(request) }
        let pages = token.map { router.group().add(middleware: DashboardSignIn(token: $0)) }
        let routes: any RouterMethods<BasicRequestContext> = pages ?? router
        for page in DashboardPages.all
        where ![ModelsPage.page.path, DashboardPages.movies.path, AudiencePage.page.path].contains(page.path) {
            routes.get(RouterPath(page.path)) { request, _ in await cachedPage(page, query: Self.query(request)) }
        }
        routes.get("models") { request, _ in Self.response(await modelsPage(query: Self.query(request))) }
        routes.get("audience") { _, _ in Self.response(await audiencePage()) }
        routes.get("v1/audience") { _, _ in try await audienceJSON() }
        routes.get("movies") { request, _ in await cachedPage(DashboardPages.movies, query: Self.query(request)) }
        routes.get("models/:name/versions/:version/report") { _, context in
            try report(name: context.parameters.get("name") ?? "", version: context.parameters.get("version") ?? "")
        }
        routes.get("v1/insights/videos") { request, _ in try await panelJSON(request) { try await insights.summary($0) } }
        routes.get("v1/insights/trends") { request, _ in try await panelJSON(request) { try await insights.trends($0) } }
        routes.get("v1/insights/movies") { request, _ in
            let filter = try? MovieFilter(query: Self.query(request))
            return try await panelJSON(request, cacheable: { $0 == InsightsFilter() && filter?.isEmpty == true }) { _ in
                try await insights.movies(try MovieFilter(query: Self.query(request)))
            }
        }
        routes.get("v1/insights/explorer") { request, _ in try await panelJSON(request) { try await insights.explorer($0) } }
        routes.get("v1/insights/rows.csv") { request, _ in try await rowsCSV(request) }
    }

    // MARK: Pages

    /// A page as HTML, with the status its route answers.
    struct RenderedPage: Sendable {
        var status: HTTPResponse.Status
        var html: String
    }

    /// The page at `path` (one of ``DashboardPages/all``) for `query`: what its route serves, and
    /// what `engage insights export` writes.
    func html(_ page: DashboardPages.Page, query: [String: String] = [:]) async -> RenderedPage {
        switch page.path {
        case ModelsPage.page.path: await modelsPage(query: query)
        case DashboardPages.movies.path: await moviesPage(query: query)
        case AudiencePage.page.path: await audiencePage()
        default: await render(page, query: query)
        }
    }

    /// A page's own parameters, validated, with their defaults: the one place each page's
    /// controls are read, by the page and by the cache key. Throws ``InsightsError/badParameter(_:_:)``.
    static func pageParameters(_ page: DashboardPages.Page, _ query: [String: String]) throws(InsightsError) -> [String: String] {
        let metrics = DashboardPages.metrics.map(\.value)
        switch page.path {
        case DashboardPages.growth.path:
            return [
                "metric": try choice(query, "metric", metrics, default: "views"),
                "period": try choice(query, "period", DashboardPages.periods, default: "day"),
            ]
        case DashboardPages.segments.path:
            return [
                "by": try choice(query, "by", DashboardPages.segmentDimensions.map(\.value), default: "platform"),
                "metric": try choice(query, "metric", metrics, default: "views"),
                "stat": try choice(query, "stat", DashboardPages.statistics, default: "median"),
            ]
        case DashboardPages.virality.path:
            return try threshold(query).map { ["threshold": String($0)] } ?? [:]
        case DashboardPages.trends.path:
            return ["rank": try choice(query, "rank", TrendSummary.rankings, default: "views")]
        default:
            return [:]
        }
    }

    /// A page from the ``RenderedCache`` when its answer comes from stored summaries (no filter
    /// but a platform, valid parameters), else rendered. The Models page reads the registry,
    /// which changes without a build, so it is always rendered.
    func cachedPage(_ page: DashboardPages.Page, query: [String: String]) async -> Response {
        // The Models page reads the registry and the Audience page its own build, neither stamped by an insights build.
        guard page.path != ModelsPage.page.path, page.path != AudiencePage.page.path, let (key, stamp) = await cacheKey(page, query) else {
            return Self.response(await html(page, query: query))
        }
        if let hit = await cache.answer(key, stamp: stamp) {
            return Response(status: .ok, headers: Self.htmlHeaders, body: .init(byteBuffer: hit))
        }
        let rendered = await html(page, query: query)
        let body = ByteBuffer(string: rendered.html)
        if rendered.status == .ok { await cache.store(body, key, stamp: stamp) }
        return Response(status: rendered.status, headers: Self.htmlHeaders, body: .init(byteBuffer: body))
    }

    /// The cache key of a request answered from stored summaries, with the build it belongs to;
    /// nil for a live filter, a refused value, or before the first build.
    private func cacheKey(_ page: DashboardPages.Page, _ query: [String: String]) async -> (String, Date)? {
        guard let stamp = try? await insights.buildStamp() else { return nil }
        if page.path == DashboardPages.movies.path {
            guard let filter = try? MovieFilter(query: query), filter.isEmpty else { return nil }
            return (page.path, stamp)
        }
        guard let filter = try? InsightsFilter(query: query), filter.isPreAggregated,
            let parameters = try? Self.pageParameters(page, query)
        else { return nil }
        var items = filter.queryItems
        items += parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return (page.path + DashboardPages.queryString(items), stamp)
    }

    private func render(_ page: DashboardPages.Page, query: [String: String]) async -> RenderedPage {
        var filter = InsightsFilter()
        var known: KnownValues?
        do {
            filter = try InsightsFilter(query: query)
            known = try await insights.knownValues()
            let parameters = try Self.pageParameters(page, query)
            var extra = parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            var body: [String: Any]
            let scope: DashboardPages.Scope
            if page.path == DashboardPages.trends.path {
                let trends = try await insights.trends(filter)
                scope = DashboardPages.Scope(trends)
                body = DashboardPages.trends(trends, ranking: parameters["rank"] ?? "views")
            } else if page.path == DashboardPages.explorer.path {
                let explorer = try await insights.explorer(filter)
                scope = DashboardPages.Scope(explorer)
                body = DashboardPages.explorer(explorer, filter: filter)
            } else {
                let summary = try await insights.summary(filter)
                scope = DashboardPages.Scope(summary)
                switch page.path {
                case DashboardPages.growth.path:
                    body = DashboardPages.growth(summary, metric: parameters["metric"] ?? "views", period: parameters["period"] ?? "day")
                case DashboardPages.segments.path:
                    body = DashboardPages.segments(
                        summary, by: parameters["by"] ?? "platform", metric: parameters["metric"] ?? "views",
                        statistic: parameters["stat"] ?? "median")
                case DashboardPages.creators.path:
                    body = DashboardPages.creators(summary)
                case DashboardPages.virality.path:
                    let threshold = parameters["threshold"].flatMap(Double.init) ?? DashboardPages.defaultThreshold(summary)
                    extra = [("threshold", String(format: "%.2f", threshold))]
                    body = DashboardPages.virality(summary, threshold: threshold)
                default:
                    body = DashboardPages.overview(summary)
                }
            }
            // A page's own controls submit the filter along with them.
            body["keep"] = filter.queryItems.map { ["name": $0.0, "value": $0.1] }
            let html = DashboardTemplates.library.render(body, withTemplate: page.template) ?? ""
            return Self.page(
                DashboardPages.layout(page: page, body: html, filter: filter, known: known, scope: scope, extraQuery: extra),
                status: .ok)
        } catch let error as InsightsError {
            let status = Self.status(error)
            let headline = status == .badRequest ? "This filter cannot be shown" : "Nothing to show yet"
            return problemPage(page, filter: filter, known: known, headline: headline, detail: error.description, status: status)
        } catch {
            return problemPage(
                page, filter: filter, known: known, headline: "The database did not answer",
                detail: "\(error) — check that the database is up (`engage db ping`) and reload.", status: .serviceUnavailable)
        }
    }

    /// The Movies page: its own filter (release dates, genre) instead of the video filters.
    private func moviesPage(query: [String: String]) async -> RenderedPage {
        let page = DashboardPages.movies
        var filter = MovieFilter()
        do {
            filter = try MovieFilter(query: query)
            let movies = try await insights.movies(filter)
            var body = DashboardPages.movies(movies, filter: filter)
            body["keep"] = [[String: String]]()
            let html = DashboardTemplates.library.render(body, withTemplate: page.template) ?? ""
            let scope = DashboardPages.Scope(movies)
            var context = DashboardPages.layout(page: page, body: html, filter: InsightsFilter(), known: nil, scope: scope)
            context["scope"] = scope.line(filter.queryItems)
            return Self.page(context, status: .ok)
        } catch let error as InsightsError {
            let status = Self.status(error)
            let headline = status == .badRequest ? "This filter cannot be shown" : "Nothing to show yet"
            return problemPage(page, filter: InsightsFilter(), known: nil, headline: headline, detail: error.description, status: status)
        } catch {
            return problemPage(
                page, filter: InsightsFilter(), known: nil, headline: "The database did not answer",
                detail: "\(error) — check that the database is up (`engage db ping`) and reload.", status: .serviceUnavailable)
        }
    }

    private func audiencePage() async -> RenderedPage {
        let page = AudiencePage.page
        do {
            guard let report = try await AudienceReport.read(from: insights.database) else {
                return problemPage(
                    page, filter: InsightsFilter(), known: nil, headline: "No audience numbers yet",
                    detail: "Collect interaction events (engage collect events --from FILE), then run engage audience build.",
                    status: .notFound)
            }
            let html = DashboardTemplates.library.render(AudiencePage.context(report), withTemplate: page.template) ?? ""
            var context = DashboardPages.layout(page: page, body: html, filter: InsightsFilter(), known: nil, scope: nil)
            context["scope"] =
                "\(DashboardPages.count(report.totals.users)) users · \(DashboardPages.count(report.totals.events)) events · built \(DashboardPages.dayTime(report.builtAt))"
            return Self.page(context, status: .ok)
        } catch {
            return problemPage(
                page, filter: InsightsFilter(), known: nil, headline: "The database did not answer",
                detail: "\(error) — check that the database is up (`engage db ping`) and reload.", status: .serviceUnavailable)
        }
    }

    /// `/v1/audience`: the Audience page's numbers as JSON (404 before the first build).
    private func audienceJSON() async throws -> Response {
        do {
            guard let report = try await AudienceReport.read(from: insights.database) else {
                return try json(
                    ErrorBody(error: "no audience numbers yet: collect events (engage collect events), then engage audience build"),
                    status: .notFound)
            }
            let encoder = JSONCoding.encoder()
            encoder.dateEncodingStrategy = .iso8601
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(report))))
        } catch let error as MongoError {
            throw ServingError.database("reading the audience numbers", error)
        }
    }

    private func modelsPage(query: [String: String]) async -> RenderedPage {
        let page = ModelsPage.page
        do {
            let records = try await registry.list()
            var compare: (name: String, a: Int, b: Int)?
            if let name = query["compare"], !name.isEmpty {
                guard records.contains(where: { $0.name == name }) else {
                    throw InsightsError.badParameter("compare", "no model named \"\(name.prefix(64))\" is registered")
                }
                guard let a = query["a"].flatMap({ Int($0) }), let b = query["b"].flatMap({ Int($0) }),
                    records.contains(where: { $0.name == name && $0.version == a }),
                    records.contains(where: { $0.name == name && $0.version == b })
                else {
                    throw InsightsError.badParameter("a", "a and b must be two registered versions of \(name)")
                }
                compare = (name, a, b)
            }
            let body =
                DashboardTemplates.library.render(
                    ModelsPage.context(records, reportsFolder: reportsFolder, compare: compare), withTemplate: page.template) ?? ""
            var context = DashboardPages.layout(page: page, body: body, filter: InsightsFilter(), known: nil, scope: nil)
            context["scope"] = "\(Set(records.map(\.name)).count) models, \(records.count) versions · reports from \(reportsFolder)/"
            return Self.page(context, status: .ok)
        } catch let error as InsightsError {
            return problemPage(
                page, filter: InsightsFilter(), known: nil, headline: "This comparison cannot be shown", detail: error.description,
                status: .badRequest)
        } catch {
            return problemPage(
                page, filter: InsightsFilter(), known: nil, headline: "The registry did not answer",
                detail: "\(error) — check that the database is up (`engage db ping`) and reload.", status: .serviceUnavailable)
        }
    }

    private func report(name: String, version: String) throws -> Response {
        guard let number = Int(version), let path = ModelsPage.reportFile(folder: reportsFolder, name: name, version: number),
            let data = FileManager.default.contents(atPath: path)
        else {
            throw ServingError.unknownModel("\(name)@\(version) has no report: run `engage evaluate \(name)@\(version)`")
        }
        return Response(status: .ok, headers: Self.htmlHeaders, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func problemPage(
        _ page: DashboardPages.Page, filter: InsightsFilter, known: KnownValues?, headline: String, detail: String,
        status: HTTPResponse.Status
    ) -> RenderedPage {
        let body = DashboardTemplates.library.render(["headline": headline, "detail": detail], withTemplate: "problem") ?? ""
        return Self.page(DashboardPages.layout(page: page, body: body, filter: filter, known: known, scope: nil), status: status)
    }

    /// A panel's JSON twin: the same filter, the same errors (400 naming the parameter, 503 before
    /// a build). An answer from stored summaries (`cacheable` says which) is kept until the next build.
    private func panelJSON<Panel: Encodable>(
        _ request: Request, cacheable: (InsightsFilter) -> Bool = { $0.isPreAggregated },
        _ read: (InsightsFilter) async throws -> Panel
    ) async throws -> Response {
        do {
            let filter = try InsightsFilter(query: Self.query(request))
            let stamp = cacheable(filter) ? try await insights.buildStamp() : nil
            let key = request.uri.path + DashboardPages.queryString(filter.queryItems)
            if let stamp, let hit = await cache.answer(key, stamp: stamp) {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: hit))
            }
            let body = ByteBuffer(bytes: try JSONCoding.encoder().encode(try await read(filter)))
            if let stamp { await cache.store(body, key, stamp: stamp) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        } catch let error as InsightsError {
            return try json(ErrorBody(error: error.description), status: Self.status(error))
        } catch let error as MongoError {
            throw ServingError.database("reading insights", error)
        }
    }

    /// The filtered rows as CSV, streamed: pages of ``csvPageRows`` rows read one after another by
    /// `_id`, each written as it arrives, so memory stays flat for any number of rows. The filter
    /// is checked before the first byte, so a bad value is still a 400.
    private func rowsCSV(_ request: Request) async throws -> Response {
        let filter: InsightsFilter
        let first: [Document]
        do {
            filter = try InsightsFilter(query: Self.query(request))
            first = try await insights.rows(filter, after: nil, limit: Self.csvPageRows)
        } catch let error as InsightsError {
            return try json(ErrorBody(error: error.description), status: Self.status(error))
        } catch let error as MongoError {
            throw ServingError.database("reading insights rows", error)
        }
        let insights = insights
        let headers: HTTPFields = [
            .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"engage-videos.csv\"",
            .cacheControl: "no-store",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                _ = try await Self.writeCSV(insights, filter, first: first) { try await writer.write(ByteBuffer(string: $0)) }
                try await writer.finish(nil)
            })
    }

    /// Rows per page of the CSV download.
    static let csvPageRows = 2_000

    /// The rows matching `filter` as CSV, header first, handed to `write` one page of
    /// ``csvPageRows`` rows at a time, from `first` (the first page, read by the caller so that
    /// its errors come before any byte): the download and `engage insights export` both write
    /// through it. Returns the rows written.
    static func writeCSV(
        _ insights: InsightsStore, _ filter: InsightsFilter, first: [Document], _ write: (String) async throws -> Void
    ) async throws -> Int {
        var csv = CSVWriter()
        csv.write(VideoRows.columns.map { .text($0.name) })
        var page = first
        var count = 0
        while true {
            for row in page { csv.write(csvFields(row)) }
            count += page.count
            try await write(csv.take())
            guard page.count == csvPageRows, let last = page.last?["_id"]?.stringValue else { return count }
            page = try await insights.rows(filter, after: last, limit: csvPageRows)
        }
    }

    /// One row's cells, as the explorer's preview shows them.
    static func csvFields(_ row: Document) -> [CSVWriter.Field] {
        VideoRows.columns.map { column in
            guard let text = VideoRows.cellText(row[column.name], type: column.type) else { return .empty }
            return column.type == .number ? .number(text) : .text(text)
        }
    }

    // MARK: Sign-in

    private func signInPage(next: String, failed: Bool) -> RenderedPage {
        let page = DashboardPages.Page(path: "/sign-in", name: "Sign in", template: "signin")
        let body = DashboardTemplates.library.render(["next": next, "failed": failed], withTemplate: "signin") ?? ""
        var context = DashboardPages.layout(page: page, body: body, filter: InsightsFilter(), known: nil, scope: nil)
        context["pages"] = []
        return Self.page(context, status: failed ? .unauthorized : .ok)
    }

    private func signIn(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form = Self.formFields(String(buffer: body))
        let next = Self.safeNext(form["next"])
        guard let token, let given = form["token"],
            BearerTokenMiddleware<BasicRequestContext>.constantTimeEqual(Array(given.utf8), Array(token.utf8))
        else {
            return Self.response(signInPage(next: next, failed: token != nil))
        }
        var response = Response(status: .seeOther, headers: [.location: next])
        response.headers[.setCookie] = "\(Self.cookieName)=\(Self.cookieValue(token)); Path=/; HttpOnly; SameSite=Strict"
        return response
    }

    /// The cookie carries the token percent-encoded, so any token survives the header.
    static func cookieValue(_ token: String) -> String {
        token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// A redirect target that stays on this server: a path, never `//host` or a URL.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains(where: \.isNewline) else {
            return "/"
        }
        return next
    }

    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    // MARK: Parameters

    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        // Hummingbird has already percent-decoded the values: decoding again would turn a literal
        // "%25" in a creator's name into "%".
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        return query
    }

    static func choice(_ query: [String: String], _ name: String, _ allowed: [String], default fallback: String) throws(InsightsError)
        -> String
    {
        guard let value = query[name], !value.isEmpty else { return fallback }
        guard allowed.contains(value) else {
            throw .badParameter(name, "expected one of \(allowed.joined(separator: ", ")), found \"\(value.prefix(40))\"")
        }
        return value
    }

    static func threshold(_ query: [String: String]) throws(InsightsError) -> Double? {
        guard let text = query["threshold"], !text.isEmpty else { return nil }
        guard let value = Double(text), value.isFinite, (0...1_000).contains(value) else {
            throw .badParameter("threshold", "expected a number from 0 to 1000, found \"\(text.prefix(40))\"")
        }
        return (value / VideoSummary.viralityBinWidth).rounded(.down) * VideoSummary.viralityBinWidth
    }

    /// A refused parameter is the client's 400; missing insights are a 503 that says what to run.
    static func status(_ error: InsightsError) -> HTTPResponse.Status {
        if case .badParameter = error { .badRequest } else { .serviceUnavailable }
    }

    static func page(_ context: [String: Any], status: HTTPResponse.Status) -> RenderedPage {
        RenderedPage(status: status, html: DashboardTemplates.library.render(context, withTemplate: "layout") ?? "")
    }

    static func response(_ page: RenderedPage) -> Response {
        Response(status: page.status, headers: htmlHeaders, body: .init(byteBuffer: ByteBuffer(string: page.html)))
    }
}

/// Lets a request through with the `engage_token` cookie or the bearer header; sends a page
/// request without either to the sign-in form, and answers a JSON request with 401.
struct DashboardSignIn<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    let cookie: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
        cookie = Array(Dashboard.cookieValue(token).utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let header = request.headers[.authorization], let given = BearerTokenMiddleware<Context>.credentials(header),
            BearerTokenMiddleware<Context>.constantTimeEqual(given, token)
        {
            return try await next(request, context)
        }
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == Dashboard.cookieName,
                    BearerTokenMiddleware<Context>.constantTimeEqual(Array(parts[1].utf8), cookie)
                {
                    return try await next(request, context)
                }
            }
        }
        if request.uri.path.hasPrefix("/v1/") {
            var response = try json(ErrorBody(error: "sign in at /sign-in or send Authorization: Bearer …"), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        let next = Dashboard.safeNext(request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/-_.")
        return Response(
            status: .seeOther, headers: [.location: "/sign-in?next=" + (next.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/")])
    }
}
