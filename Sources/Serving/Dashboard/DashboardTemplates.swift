import Mustache

/// The dashboard's mustache templates: one layout and one body per page. `{{x}}` is escaped
/// for HTML; only chart SVG made by ``Charts/SVGChart`` (which escapes its own labels) is
/// inserted raw, with `{{{x}}}`.
enum DashboardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("overview", overview), ("growth", growth), ("creators", creators), ("virality", virality),
            ("signin", signIn), ("problem", problem), ("models", models), ("segments", segments),
            ("explorer", explorer), ("trends", trends), ("movies", movies), ("audience", AudiencePage.template),
        ] {
            // The templates are constants of this file: a parse error is a programming error,
            // which DashboardTests catch as a page without its body.
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch {
                preconditionFailure("dashboard template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · EngageML</title><link rel="icon" href="data:,">
        <style>
        :root { color-scheme: dark; --bg: #0f172a; --panel: #1e293b; --line: #334155; --text: #e2e8f0; --muted: #94a3b8; --accent: #3b82f6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); display: flex; min-height: 100vh; }
        nav { width: 230px; flex: none; background: #0b1222; border-right: 1px solid var(--line); padding: 18px 16px; }
        nav h1 { font-size: 17px; margin: 0 0 14px; } nav h1 span { color: var(--accent); }
        nav a { display: block; color: var(--muted); text-decoration: none; padding: 6px 8px; border-radius: 6px; }
        nav a.current, nav a:hover { background: var(--panel); color: var(--text); }
        nav form { margin-top: 18px; border-top: 1px solid var(--line); padding-top: 12px; }
        nav label { display: block; font-size: 12px; color: var(--muted); margin: 8px 0 2px; }
        nav input, nav select { width: 100%; padding: 5px 6px; background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: 5px; }
        nav button { margin-top: 12px; width: 100%; padding: 7px; background: var(--accent); color: white; border: 0; border-radius: 6px; cursor: pointer; }
        main { flex: 1; padding: 22px 28px; min-width: 0; }
        main > h2 { margin: 0 0 4px; font-size: 22px; } .scope { color: var(--muted); margin: 0 0 18px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin-bottom: 18px; }
        .card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
        .card .value { font-size: 24px; font-weight: 600; } .card .caption { color: var(--muted); font-size: 12px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; }
        figure { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px; overflow-x: auto; }
        figcaption { font-weight: 600; margin-bottom: 6px; } figure p { color: var(--muted); margin: 4px 0 0; font-size: 12px; }
        svg { max-width: 100%; height: auto; color: var(--text); }
        table { border-collapse: collapse; width: 100%; font-size: 13px; } th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        .note { background: #422006; border: 1px solid #a16207; color: #fde68a; padding: 8px 12px; border-radius: 8px; margin-bottom: 14px; }
        #preview td { white-space: nowrap; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
        .phase-rising { color: #4ade80; } .phase-fading { color: #f87171; } .phase-peaking { color: #facc15; }
        .problem { background: #450a0a; border: 1px solid #b91c1c; color: #fecaca; padding: 12px 16px; border-radius: 8px; }
        </style></head>
        <body>
        <nav>
        <h1>Engage<span>ML</span></h1>
        {{#pages}}<a href="{{path}}{{query}}" class="{{#current}}current{{/current}}">{{name}}</a>{{/pages}}
        {{#filters}}
        <form method="get" action="{{action}}" id="filters">
        {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
        <label for="platform">Platform</label><select name="platform" id="platform"><option value="">All platforms</option>{{#platforms}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/platforms}}</select>
        <label for="from">From</label><input type="date" name="from" id="from" value="{{from}}">
        <label for="to">To</label><input type="date" name="to" id="to" value="{{to}}">
        <label for="category">Category</label><select name="category" id="category"><option value="">All categories</option>{{#categories}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/categories}}</select>
        <label for="country">Country</label><select name="country" id="country"><option value="">All countries</option>{{#countries}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/countries}}</select>
        <label for="creator">Creator</label><input type="text" name="creator" id="creator" value="{{creator}}" placeholder="any">
        <button type="submit">Apply filters</button>
        </form>
        {{/filters}}
        </nav>
        <main>
        <h2>{{title}}</h2>
        <p class="scope">{{scope}}</p>
        {{#live}}<p class="note" id="live-note">Computed live for this filter over at most {{rowCap}} rows; unfiltered and per-platform pages read the summaries of the last <code>engage insights build</code>.</p>{{/live}}
        {{{body}}}
        </main>
        </body></html>
        """

    static let cards = """
        <div class="cards">{{#cards}}<div class="card" data-kpi="{{key}}"><div class="value">{{value}}</div><div class="caption">{{caption}}</div></div>{{/cards}}</div>
        """

    static let overview =
        cards + """
            <div class="grid">
            <figure id="tiers"><figcaption>Views by performance tier (log scale)</figcaption>{{{tiers}}}<p>Tiers are view quantiles within each platform: Baseline ≤ median, Strong to p80, Top 20% to p95, Top 5%, Top 1%.</p></figure>
            <figure id="potential"><figcaption>Viral potential</figcaption>{{{potential}}}<p>High ≥ p90 of the virality score within platform, Medium ≥ p75.</p></figure>
            </div>
            """

    static let growth =
        cards + """
            <form method="get" action="/growth" id="series-controls" style="margin-bottom:12px">
            {{#keep}}<input type="hidden" name="{{name}}" value="{{value}}">{{/keep}}
            <label>Metric <select name="metric" onchange="this.form.submit()">{{#metrics}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/metrics}}</select></label>
            <label>Period <select name="period" onchange="this.form.submit()">{{#periods}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/periods}}</select></label>
            </form>
            <div class="grid">
            <figure id="series"><figcaption>{{metricLabel}} by {{period}}</figcaption>{{{series}}}</figure>
            <figure id="timing"><figcaption>Median views by publish hour (UTC) and weekday: the best time to post</figcaption>{{{heat}}}<p>{{bestTime}}</p></figure>
            </div>
            """

    static let creators =
        """
        <div class="grid">
        <figure id="top-creators"><figcaption>Top creators by total views</figcaption>{{{topBars}}}</figure>
        <figure id="durations"><figcaption>Median views by duration</figcaption>{{{durations}}}</figure>
        <figure id="categories"><figcaption>Median views by category</figcaption>{{{categories}}}</figure>
        </div>
        <figure id="leaderboard" style="margin-top:14px"><figcaption>Creator leaderboard</figcaption>
        <table><thead><tr><th>#</th><th>Creator</th><th class="n">Videos</th><th class="n">Total views</th><th class="n">Median engagement</th><th class="n">Shares</th><th class="n">Comments</th><th class="n">Median virality</th></tr></thead>
        <tbody>{{#leaders}}<tr><td>{{rank}}</td><td>{{creator}}</td><td class="n">{{videos}}</td><td class="n" data-value="{{viewsRaw}}">{{views}}</td><td class="n">{{engagement}}</td><td class="n">{{shares}}</td><td class="n">{{comments}}</td><td class="n">{{virality}}</td></tr>{{/leaders}}</tbody></table>
        </figure>
        """

    static let virality =
        cards + """
            <form method="get" action="/virality" id="threshold-form" style="margin-bottom:12px">
            {{#keep}}<input type="hidden" name="{{name}}" value="{{value}}">{{/keep}}
            <label for="threshold">Threshold <output id="threshold-value">{{threshold}}</output></label>
            <input type="range" id="threshold" name="threshold" min="0" max="{{maxScore}}" step="{{step}}" value="{{threshold}}"
              oninput="document.getElementById('threshold-value').textContent = this.value" onchange="this.form.submit()" style="width:320px">
            </form>
            <div class="grid">
            <figure id="histogram"><figcaption>Virality score distribution (red: at or above the threshold)</figcaption>{{{histogram}}}</figure>
            <figure id="platform-scores"><figcaption>Median virality score by platform</figcaption>{{{platforms}}}</figure>
            <figure id="scatter"><figcaption>Views (log10) against engagement rate, {{sampled}} sampled videos</figcaption>{{{scatter}}}</figure>
            </div>
            <figure id="candidates" style="margin-top:14px"><figcaption>Top {{candidateCount}} candidates by virality score</figcaption>
            <table><thead><tr><th>#</th><th>Title</th><th>Creator</th><th>Platform</th><th class="n">Views</th><th class="n">Engagement</th><th class="n">Virality</th></tr></thead>
            <tbody>{{#candidates}}<tr><td>{{rank}}</td><td>{{title}}</td><td>{{creator}}</td><td>{{platform}}</td><td class="n">{{views}}</td><td class="n">{{engagement}}</td><td class="n">{{score}}</td></tr>{{/candidates}}</tbody></table>
            </figure>
            """

    static let segments = """
        <form method="get" action="/segments" id="segment-controls" style="margin-bottom:12px">
        {{#keep}}<input type="hidden" name="{{name}}" value="{{value}}">{{/keep}}
        <label>By <select name="by" onchange="this.form.submit()">{{#dimensions}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/dimensions}}</select></label>
        <label>Metric <select name="metric" onchange="this.form.submit()">{{#metrics}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/metrics}}</select></label>
        <label>Statistic <select name="stat" onchange="this.form.submit()">{{#statistics}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/statistics}}</select></label>
        </form>
        <div class="grid">
        <figure id="segment-bars"><figcaption>{{title}}: top segments</figcaption>{{{bars}}}</figure>
        <figure id="segment-table"><figcaption>{{title}}</figcaption>
        <table><thead><tr><th>Segment</th><th class="n">Videos</th><th class="n">Value</th></tr></thead>
        <tbody>{{#rows}}<tr><td>{{name}}</td><td class="n">{{videos}}</td><td class="n">{{value}}</td></tr>{{/rows}}</tbody></table></figure>
        </div>
        """

    static let explorer =
        cards + """
            <p><a id="download" href="{{download}}" download style="display:inline-block;padding:7px 14px;background:var(--accent);color:white;border-radius:6px;text-decoration:none">Download the {{rows}} rows as CSV</a>
            <span class="scope">streamed in full (no row cap), the same filter, every column below</span></p>
            <figure id="columns" style="margin-bottom:14px"><figcaption>Columns: type, values, nulls, numeric summary</figcaption>
            <table><thead><tr><th>Column</th><th>Type</th><th class="n">Values</th><th class="n">Null</th><th class="n">Null %</th><th class="n">Mean</th><th class="n">Std</th><th class="n">Min</th><th class="n">25%</th><th class="n">Median</th><th class="n">75%</th><th class="n">Max</th></tr></thead>
            <tbody>{{#columns}}<tr data-column="{{name}}"><td>{{name}}</td><td>{{type}}</td><td class="n">{{values}}</td><td class="n">{{nulls}}</td><td class="n">{{nullShare}}</td>{{#numeric}}<td class="n">{{mean}}</td><td class="n">{{std}}</td><td class="n">{{min}}</td><td class="n">{{p25}}</td><td class="n">{{median}}</td><td class="n">{{p75}}</td><td class="n">{{max}}</td>{{/numeric}}{{^numeric}}<td colspan="7"></td>{{/numeric}}</tr>{{/columns}}</tbody></table>
            <p>Null counts a missing value, a null, or a value of another type. Quartiles are approximate, as <code>$percentile</code> computes them.</p></figure>
            <figure id="preview"><figcaption>Preview: the {{previewCount}} newest rows by publish time</figcaption>
            <table><thead><tr>{{#previewColumns}}<th>{{.}}</th>{{/previewColumns}}</tr></thead>
            <tbody>{{#preview}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/preview}}</tbody></table></figure>
            """

    /// The table of hashtags or sounds, over the context list named `list`.
    static func trendTable(_ list: String) -> String {
        """
        <table><thead><tr><th>#</th><th>Name</th><th class="n">Videos</th><th class="n">Plays</th><th class="n">Likes</th><th class="n">Shares</th><th class="n">Comments</th><th>Videos per week</th><th>Phase</th></tr></thead>
        <tbody>{{#\(list)}}<tr><td>{{rank}}</td><td>{{name}}</td><td class="n">{{videos}}</td><td class="n">{{views}}</td><td class="n">{{likes}}</td><td class="n">{{shares}}</td><td class="n">{{comments}}</td><td title="{{weeks}} weeks, the last 16 shown">{{{spark}}}</td><td class="phase-{{phase}}">{{phase}}</td></tr>{{/\(list)}}</tbody></table>
        """
    }

    static let trends =
        cards + """
            <form method="get" action="/trends" id="rank-controls" style="margin-bottom:12px">
            {{#keep}}<input type="hidden" name="{{name}}" value="{{value}}">{{/keep}}
            <label>Rank by <select name="rank" onchange="this.form.submit()">{{#rankings}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/rankings}}</select></label>
            <span class="scope">Series end with the week of {{lastWeek}}. Phase: the last two weeks' videos against the two before: rising ≥ +25 %, fading ≤ −25 %, else peaking.</span>
            </form>
            <div class="grid">
            <figure id="hashtag-bars"><figcaption>Hashtags and challenges by {{label}}</figcaption>{{{hashtagBars}}}<p>TikTok-Api's challenges are its hashtag objects: one list.</p></figure>
            <figure id="sound-bars"><figcaption>Sounds by {{label}}</figcaption>{{{soundBars}}}</figure>
            </div>
            <figure id="hashtags" style="margin-top:14px"><figcaption>Top hashtags by {{label}}</figcaption>
            """ + trendTable("hashtags")
            + """
            </figure>
            <figure id="sounds" style="margin-top:14px"><figcaption>Top sounds by {{label}}</figcaption>
            """ + trendTable("sounds")
            + """
            </figure>
            <div class="grid" style="margin-top:14px">
            <figure id="fastest"><figcaption>Fastest growing videos between crawls (tiktok_stats)</figcaption>
            {{#noVelocity}}<p>No video was seen by two crawls an hour apart yet: collect the same items again later (<code>engage collect tiktok --from … --observed-at …</code>).</p>{{/noVelocity}}
            <table><thead><tr><th>#</th><th>Title</th><th>Creator</th><th class="n">Views</th><th class="n">Views / day</th><th class="n">Crawls</th></tr></thead>
            <tbody>{{#fastest}}<tr><td>{{rank}}</td><td>{{title}}</td><td>{{creator}}</td><td class="n">{{views}}</td><td class="n" data-value="{{perDayRaw}}">{{perDay}}</td><td class="n">{{crawls}}</td></tr>{{/fastest}}</tbody></table></figure>
            <figure id="authors"><figcaption>Top authors by likes</figcaption>
            <table><thead><tr><th>#</th><th>Author</th><th class="n">Followers</th><th class="n">Likes</th><th class="n">Views</th><th class="n">Videos</th></tr></thead>
            <tbody>{{#authors}}<tr><td>{{rank}}</td><td>{{creator}}</td><td class="n">{{followers}}</td><td class="n">{{likes}}</td><td class="n">{{views}}</td><td class="n">{{videos}}</td></tr>{{/authors}}</tbody></table></figure>
            </div>
            """

    /// The table of years, genres, companies or directors, over the context list named `list`.
    static func movieGroups(_ list: String, _ heading: String) -> String {
        """
        <table><thead><tr><th>\(heading)</th><th class="n">Movies</th><th class="n">Revenue</th><th class="n">Median budget</th><th class="n">Median revenue</th><th class="n">Median ROI</th></tr></thead>
        <tbody>{{#\(list)}}<tr><td>{{name}}</td><td class="n">{{movies}}</td><td class="n">{{revenue}}</td><td class="n">{{budget}}</td><td class="n">{{medianRevenue}}</td><td class="n">{{roi}}</td></tr>{{/\(list)}}</tbody></table>
        """
    }

    /// The table of hits or flops.
    static func movieOutliers(_ list: String) -> String {
        """
        <table><thead><tr><th>Title</th><th>Year</th><th class="n">Budget</th><th class="n">Revenue</th><th class="n">ROI</th></tr></thead>
        <tbody>{{#\(list)}}<tr><td>{{title}}</td><td>{{year}}</td><td class="n">{{budget}}</td><td class="n">{{revenue}}</td><td class="n">{{roi}}</td></tr>{{/\(list)}}</tbody></table>
        """
    }

    static let movies =
        cards + """
            <form method="get" action="/movies" id="movie-filters" style="margin-bottom:12px">
            <label>Released from <input type="date" name="from" value="{{from}}"></label>
            <label>to <input type="date" name="to" value="{{to}}"></label>
            <label>Genre <select name="genre" onchange="this.form.submit()"><option value="">All genres</option>{{#genreOptions}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/genreOptions}}</select></label>
            <button type="submit">Apply</button>
            <span class="scope">An unknown budget or revenue (TMDB writes 0) is left out; ROI needs both.</span>
            </form>
            <div class="grid">
            <figure id="releases"><figcaption>Releases by year</figcaption>{{{releases}}}</figure>
            <figure id="money"><figcaption>Median budget and revenue by year ($ millions)</figcaption>{{{money}}}</figure>
            <figure id="genre-bars"><figcaption>Movies by genre</figcaption>{{{genreBars}}}</figure>
            <figure id="roi"><figcaption>ROI distribution (red: at or above break-even)</figcaption>{{{roi}}}</figure>
            <figure id="scatter"><figcaption>Budget against revenue (log10, {{sampled}} sampled movies; dashed: break-even)</figcaption>{{{scatter}}}</figure>
            <figure id="correlation"><figcaption>Correlation of the numeric fields (Pearson, pairwise complete)</figcaption>
            <table><thead><tr><th></th>{{#correlationLabels}}<th class="n">{{.}}</th>{{/correlationLabels}}</tr></thead>
            <tbody>{{#correlation}}<tr><th>{{label}}</th>{{#cells}}<td class="n" style="{{style}}">{{text}}</td>{{/cells}}</tr>{{/correlation}}</tbody></table>
            <p>Budget, revenue, vote count and popularity enter as log10: a few blockbusters would otherwise make the matrix.</p></figure>
            </div>
            <div class="grid" style="margin-top:14px">
            <figure id="hits"><figcaption>Biggest hits by ROI (budget ≥ $1M)</figcaption>
            """ + movieOutliers("hits")
            + """
            </figure>
            <figure id="flops"><figcaption>Biggest flops by ROI (budget ≥ $1M)</figcaption>
            """ + movieOutliers("flops")
            + """
            </figure>
            </div>
            <figure id="genres" style="margin-top:14px"><figcaption>Genres</figcaption>
            """ + movieGroups("genres", "Genre")
            + """
            </figure>
            <div class="grid" style="margin-top:14px">
            <figure id="companies"><figcaption>Top production companies by revenue</figcaption>
            """ + movieGroups("companies", "Company")
            + """
            </figure>
            <figure id="directors"><figcaption>Top directors by revenue</figcaption>
            """ + movieGroups("directors", "Director")
            + """
            </figure>
            </div>
            """

    static let models = """
        {{#empty}}<div class="problem" id="problem"><strong>No models registered yet</strong><br>Train one: <code>engage train --task tiktok_virality --algorithm tree</code>.</div>{{/empty}}
        {{#models}}
        <figure class="model" id="model-{{name}}" style="margin-bottom:14px"><figcaption>{{name}} · {{task}}</figcaption>
        <table><thead><tr><th>Version</th><th>Aliases</th><th>Algorithm</th><th>Feature set</th><th>Created (UTC)</th>{{#metricNames}}<th class="n">{{.}}</th>{{/metricNames}}<th>Report</th></tr></thead>
        <tbody>{{#versions}}<tr><td>{{version}}{{#archived}} (archived){{/archived}}</td><td>{{aliases}}</td><td>{{algorithm}}</td><td>{{featureSet}}</td><td>{{created}}</td>{{#metrics}}<td class="n">{{.}}</td>{{/metrics}}<td>{{#report}}<a href="{{report}}">open</a>{{/report}}</td></tr>{{/versions}}</tbody></table>
        <form method="get" action="/models" style="margin-top:8px"><input type="hidden" name="compare" value="{{name}}">
        Compare <select name="a">{{#versionNumbers}}<option>{{value}}</option>{{/versionNumbers}}</select> with <select name="b">{{#versionNumbers}}<option>{{value}}</option>{{/versionNumbers}}</select> <button type="submit">Compare</button></form>
        {{#comparison}}
        <table class="comparison" style="margin-top:8px"><thead><tr><th>Metric</th><th class="n">v{{a}}</th><th class="n">v{{b}}</th><th class="n">v{{b}} − v{{a}}</th></tr></thead>
        <tbody>{{#rows}}<tr><td>{{metric}}</td><td class="n">{{a}}</td><td class="n">{{b}}</td><td class="n">{{difference}}</td></tr>{{/rows}}</tbody></table>
        <div class="grid" style="margin-top:8px">{{#reportA}}<iframe src="{{reportA}}" title="report v{{a}}" sandbox style="width:100%;height:560px;border:0;background:white"></iframe>{{/reportA}}{{#reportB}}<iframe src="{{reportB}}" title="report v{{b}}" sandbox style="width:100%;height:560px;border:0;background:white"></iframe>{{/reportB}}</div>
        {{/comparison}}
        </figure>
        {{/models}}
        """

    static let signIn = """
        <form method="post" action="/sign-in" id="sign-in" style="max-width:360px">
        <p>This dashboard needs the API token (<code>ENGAGE_API_TOKEN</code> of the server).</p>
        {{#failed}}<p class="problem">That token is not the server's.</p>{{/failed}}
        <input type="hidden" name="next" value="{{next}}">
        <label for="token">Token</label><br><input type="password" name="token" id="token" autocomplete="current-password" style="width:100%;padding:6px">
        <br><button type="submit" style="margin-top:10px;padding:7px 16px">Sign in</button>
        </form>
        """

    static let problem = """
        <div class="problem" id="problem"><strong>{{headline}}</strong><br>{{detail}}</div>
        """
}
