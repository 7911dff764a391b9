import Foundation

/// TMDB `/movie/{id}` answers with `credits` and `keywords` appended. Revenue follows budget,
/// genre, release month, the director's and the lead cast's hidden draw, so that "hit" and
/// revenue are learnable from what is known at release.
struct TMDBSeeds {
    let seed: UInt64
    let count: Int

    static let genres: [(Int, String, Double)] = [
        (28, "Action", 0.15), (12, "Adventure", 0.25), (16, "Animation", 0.35), (35, "Comedy", 0.05), (80, "Crime", -0.1),
        (99, "Documentary", -0.6), (18, "Drama", -0.2), (10751, "Family", 0.2), (14, "Fantasy", 0.1), (36, "History", -0.25),
        (27, "Horror", 0.3), (10402, "Music", -0.1), (9648, "Mystery", -0.05), (10749, "Romance", -0.1), (878, "Science Fiction", 0.1),
        (53, "Thriller", 0.0), (10752, "War", -0.2), (37, "Western", -0.3),
    ]
    static let languages: [(String, Double)] = [
        ("en", 0.74), ("fr", 0.06), ("es", 0.05), ("ja", 0.04), ("ko", 0.03), ("de", 0.03), ("hi", 0.03), ("it", 0.02),
    ]
    static let monthEffect: [Double] = [-0.2, -0.15, -0.05, 0, 0.15, 0.3, 0.3, 0.1, -0.1, -0.05, 0.15, 0.35]
    static let firstNames = [
        "Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kira", "Luis", "Mia", "Noah",
        "Olga", "Pablo", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Will", "Xena", "Yuki", "Zoe",
    ]
    static let lastNames = [
        "Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kim", "Lopez",
        "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Young",
    ]
    static let words = [
        "heist", "revenge", "space", "love", "war", "family", "robot", "ghost", "city", "island", "road trip", "school",
        "detective", "dragon", "time travel", "survival", "friendship", "music", "sports", "monster", "politics",
        "secret", "escape", "kingdom", "future", "past", "storm", "ocean", "desert", "night",
    ]

    func lines() -> [String] {
        var random = SeedRandom(seed: seed)
        let people = (0..<4_000).map {
            "\(Self.firstNames[$0 % 26]) \(Self.lastNames[($0 / 26) % 24])\($0 >= 624 ? " \($0 / 624 + 1)" : "")"
        }
        let draw = (0..<people.count).map { _ in random.normal(0, 0.5) }
        let companies = (0..<150).map { index in
            (index + 1, "\(Self.lastNames[index % 24]) \(["Pictures", "Films", "Studios", "Entertainment", "Media"][index % 5])")
        }
        var lines: [String] = []
        for index in 0..<count {
            let id = 10_000 + index * 7
            let year = 1980 + Int((random.unit().squareRoot()) * 46)
            let month = random.int(1...12)
            let releaseDate = String(format: "%04d-%02d-%02d", min(year, 2025), month, random.int(1...28))
            var genreIndices: [Int] = []
            for _ in 0..<random.int(1...3) {
                let g = random.zipf(Self.genres.count, exponent: 0.7)
                if !genreIndices.contains(g) { genreIndices.append(g) }
            }
            let languageRoll = random.unit()
            var cumulative = 0.0
            let language =
                Self.languages.first {
                    cumulative += $0.1; return languageRoll < cumulative
                }?.0 ?? "en"
            let director = random.zipf(600, exponent: 0.9)
            let castSize = random.int(6...18)
            var cast: [Int] = []
            while cast.count < castSize {
                let person = 600 + random.zipf(people.count - 600, exponent: 1.05)
                if !cast.contains(person) { cast.append(person) }
            }
            let leadDraw = cast.prefix(3).map { draw[$0] }.reduce(0, +) / 3
            let budgetKnown = random.chance(0.85)
            let budget = budgetKnown ? (exp(random.normal(16.8, 1.2)) / 1_000).rounded() * 1_000 : 0
            let runtime = max(60, min(210, random.normal(108, 18).rounded()))
            let genreEffect = genreIndices.map { Self.genres[$0].2 }.reduce(0, +) / Double(genreIndices.count)
            let logBudget = budgetKnown ? log(budget) : random.normal(16.8, 1.2)
            let logRevenue =
                logBudget + 0.35 + draw[director] + leadDraw + genreEffect + Self.monthEffect[month - 1]
                + (language == "en" ? 0.25 : -0.2) + random.normal(0, 0.85)
            let revenueKnown = random.chance(0.88)
            let revenue = revenueKnown ? (exp(logRevenue) / 100).rounded() * 100 : 0
            let voteCount = revenueKnown ? Int(exp(0.45 * logRevenue - 1.5 + random.normal(0, 0.5))) : random.int(0...40)
            let voteAverage = min(9.5, max(1, random.normal(6.3 + 0.5 * (draw[director] + leadDraw), 0.8)))
            let popularity = exp(0.3 * logRevenue - 3 + random.normal(0, 0.6))
            let companyIDs = (0..<random.int(1...3)).map { _ in random.zipf(companies.count, exponent: 1.0) }
            let keywordIndices = Set((0..<random.int(3...8)).map { _ in random.int(0...(Self.words.count - 1)) }).sorted()
            let title =
                "The \(Self.words[keywordIndices[0]].capitalized) \(["Returns", "Project", "Story", "Affair", "Code", "Line", "Hour"][index % 7]) \(index)"
            let defect = random.chance(1.0 / 400)
            let pairs: [(String, String)] = [
                ("adult", "false"),
                ("budget", defect ? "-5000000" : JSONText.number(budget)),
                (
                    "genres",
                    JSONText.array(
                        genreIndices.map {
                            JSONText.object([("id", JSONText.int(Self.genres[$0].0)), ("name", JSONText.string(Self.genres[$0].1))])
                        })
                ),
                ("id", JSONText.int(id)),
                ("imdb_id", JSONText.string(String(format: "tt%07d", 100_000 + index))),
                ("original_language", JSONText.string(language)),
                ("original_title", JSONText.string(title)),
                ("overview", JSONText.string("A story about \(keywordIndices.map { Self.words[$0] }.joined(separator: ", ")).")),
                ("popularity", JSONText.number(popularity)),
                (
                    "production_companies",
                    JSONText.array(
                        companyIDs.map {
                            JSONText.object([
                                ("id", JSONText.int(companies[$0].0)), ("name", JSONText.string(companies[$0].1)),
                                ("origin_country", "\"US\""),
                            ])
                        })
                ),
                ("release_date", JSONText.string(releaseDate)),
                ("revenue", JSONText.number(revenue)),
                ("runtime", JSONText.number(runtime)),
                ("spoken_languages", JSONText.array([JSONText.object([("iso_639_1", JSONText.string(language))])])),
                ("status", "\"Released\""),
                ("title", JSONText.string(title)),
                ("vote_average", JSONText.number(voteAverage, decimals: 1)),
                ("vote_count", JSONText.int(voteCount)),
                (
                    "credits",
                    JSONText.object([
                        (
                            "cast",
                            JSONText.array(
                                cast.enumerated().map { order, person in
                                    JSONText.object([
                                        ("id", JSONText.int(person)), ("name", JSONText.string(people[person])),
                                        ("character", JSONText.string("Role \(order + 1)")), ("order", JSONText.int(order)),
                                    ])
                                })
                        ),
                        (
                            "crew",
                            JSONText.array([
                                JSONText.object([
                                    ("id", JSONText.int(director)), ("name", JSONText.string(people[director])), ("job", "\"Director\""),
                                    ("department", "\"Directing\""),
                                ]),
                                JSONText.object([
                                    ("id", JSONText.int(director + 1)), ("name", JSONText.string(people[director + 1])),
                                    ("job", "\"Screenplay\""), ("department", "\"Writing\""),
                                ]),
                            ])
                        ),
                    ])
                ),
                (
                    "keywords",
                    JSONText.object([
                        (
                            "keywords",
                            JSONText.array(
                                keywordIndices.map {
                                    JSONText.object([("id", JSONText.int(1_000 + $0)), ("name", JSONText.string(Self.words[$0]))])
                                })
                        )
                    ])
                ),
            ]
            lines.append(JSONText.object(pairs))
        }
        return lines
    }
}
