import Foundation

/// TikTok-Api shaped items: authors with heavy-tailed followers and a hidden quality, videos over
/// 180 days ending 2026-10-31, views driven by followers, timing, sound and quality.
struct TikTokSeeds {
    let seed: UInt64
    let authors: Int
    let videos: Int

    static let end = 1_793_404_800.0  // 2026-11-01T00:00:00Z
    static let days = 180.0
    static let topics = [
        "dance", "comedy", "food", "fitness", "pets", "diy", "travel", "beauty", "gaming", "music", "fashion", "tech",
        "cooking", "football", "asmr", "study", "art", "cars", "books", "science",
    ]
    static let generic = ["fyp", "foryou", "viral", "trending", "foryoupage", "tiktok", "duet", "challenge"]

    struct Author {
        var id: String
        var username: String
        var followers: Double
        var following: Int
        var verified: Bool
        var quality: Double
        var eveningBias: Double
        var topic: String
        var videosPosted = 0
    }

    func lines() -> (items: [String], recrawl: [String]) {
        var random = SeedRandom(seed: seed)
        var people: [Author] = (0..<authors).map { index in
            let followers = exp(random.normal(8.8, 2.1)).rounded()
            let verified = random.chance(0.01 + 0.6 * random.sigmoid((log(followers + 1) - 13) * 1.2))
            return Author(
                id: String(6_800_000_000_000_000_000 + UInt64(index) * 7_919), username: "creator_\(index)", followers: followers,
                following: random.int(10...2_000), verified: verified, quality: random.normal(0, 0.6),
                eveningBias: random.unit(), topic: random.pick(Self.topics))
        }
        var items: [String] = []
        var recrawl: [String] = []
        for index in 0..<videos {
            let a = random.zipf(people.count, exponent: 0.8)
            people[a].videosPosted += 1
            let author = people[a]
            let day = floor(random.unit() * Self.days)
            let evening = random.chance(0.3 + 0.5 * author.eveningBias)
            let hour = evening ? random.int(18...23) : random.int(6...17)
            let created = Self.end - Self.days * 86_400 + day * 86_400 + Double(hour) * 3_600 + Double(random.int(0...3_599))
            let duration = min(180, max(5, exp(random.normal(3.1, 0.6)).rounded()))
            let original = random.chance(0.35)
            let tagCount = min(10, random.poisson(3))
            var tags: [String] = []
            for _ in 0..<tagCount {
                let tag = random.chance(0.5) ? random.pick(Self.generic) : (random.chance(0.6) ? author.topic : random.pick(Self.topics))
                if !tags.contains(tag) { tags.append(tag) }
            }
            let viral = random.chance(0.03)
            var logViews = 2.2 + 0.55 * log(author.followers + 1) + author.quality + (evening ? 0.35 : 0) + (author.verified ? 0.3 : 0)
            logViews +=
                (original ? 0.2 : 0) - 0.006 * abs(duration - 25) + 0.06 * Double(min(tags.count, 5)) - 0.08
                * Double(max(tags.count - 5, 0))
            logViews += random.normal(0, 0.9) + (viral ? 2.5 : 0)
            let views = max(0, exp(logViews).rounded())
            let likeRate = min(0.3, max(0.005, 0.06 * exp(0.5 * author.quality + random.normal(0, 0.35))))
            let likes = (views * likeRate).rounded()
            let comments = (likes * min(0.2, max(0.002, random.normal(0.03, 0.012)))).rounded()
            let shares = (views * min(0.08, max(0.0002, 0.004 * exp((viral ? 1.0 : 0) + random.normal(0, 0.7))))).rounded()
            let saves = (likes * 0.08 * exp(random.normal(0, 0.3))).rounded()
            let id = String(7_100_000_000_000_000_000 + UInt64(index) * 104_729)
            let opening = random.pick([
                "new video", "part \(random.int(1...9))", "wait for it", "pov:", "how I", "day \(random.int(1...200)) of",
            ])
            let description = opening + " " + tags.map { "#\($0)" }.joined(separator: " ")
            // About one record in 300 is broken on purpose, as crawls are.
            let defect = random.chance(1.0 / 300) ? random.int(0...2) : -1
            let item = Self.item(
                id: defect == 0 ? nil : id, description: description, created: created, duration: duration, author: author,
                original: original, views: defect == 1 ? -views - 1 : views, likes: likes, comments: comments, shares: shares, saves: saves,
                tags: tags, heart: (author.followers * 3.1).rounded(), videoCount: 20 + author.videosPosted, defect: defect == 2)
            items.append(item)
            if defect < 0, random.chance(2.0 / 15.0) {
                // Re-crawled a week later: newer videos kept growing.
                let age = (Self.end - created) / 86_400
                let growth = 1 + max(0, random.normal(0.6 * exp(-age / 20), 0.05))
                recrawl.append(
                    Self.item(
                        id: id, description: description, created: created, duration: duration, author: author, original: original,
                        views: (views * growth).rounded(), likes: (likes * growth).rounded(), comments: (comments * growth).rounded(),
                        shares: (shares * growth).rounded(), saves: (saves * growth).rounded(), tags: tags,
                        heart: (author.followers * 3.1).rounded(), videoCount: 20 + author.videosPosted, defect: false))
            }
        }
        return (items, recrawl)
    }

    static func item(
        id: String?, description: String, created: Double, duration: Double, author: Author, original: Bool, views: Double, likes: Double,
        comments: Double, shares: Double, saves: Double, tags: [String], heart: Double, videoCount: Int, defect: Bool
    ) -> String {
        let musicID: UInt64 = 6_900_000_000_000_000_000 + (original ? stableHash(author.id) % 1_000_000 : 1)
        var pairs: [(String, String)] = []
        if let id { pairs.append(("id", JSONText.string(id))) }
        pairs += [
            ("desc", JSONText.string(description)),
            ("createTime", JSONText.number(created)),
            (
                "video",
                JSONText.object([
                    ("id", JSONText.string(id ?? "")), ("height", "1024"), ("width", "576"), ("duration", JSONText.number(duration)),
                    ("ratio", "\"720p\""),
                ])
            ),
            (
                "author",
                JSONText.object([
                    ("id", JSONText.string(author.id)), ("uniqueId", JSONText.string(author.username)),
                    ("nickname", JSONText.string(author.username.replacingOccurrences(of: "_", with: " ").capitalized)),
                    ("verified", JSONText.bool(author.verified)),
                ])
            ),
            (
                "music",
                JSONText.object([
                    ("id", JSONText.string(String(musicID))),
                    ("title", JSONText.string(original ? "original sound - \(author.username)" : "trending track")),
                    ("authorName", JSONText.string(original ? author.username : "Some Artist")), ("original", JSONText.bool(original)),
                ])
            ),
            (
                "stats",
                JSONText.object([
                    ("diggCount", JSONText.number(likes)), ("shareCount", defect ? "\"n/a-ish\"" : JSONText.number(shares)),
                    ("commentCount", JSONText.number(comments)), ("playCount", JSONText.number(views)),
                    ("collectCount", JSONText.number(saves)),
                ])
            ),
            (
                "authorStats",
                JSONText.object([
                    ("followingCount", JSONText.int(author.following)), ("followerCount", JSONText.number(author.followers)),
                    ("heartCount", JSONText.number(heart)), ("videoCount", JSONText.int(videoCount)),
                ])
            ),
            (
                "challenges",
                JSONText.array(
                    tags.map {
                        JSONText.object([("id", JSONText.string(String(stableHash($0) % 1_000_000))), ("title", JSONText.string($0))])
                    })
            ),
        ]
        return JSONText.object(pairs)
    }
}

/// FNV-1a: a hash that, unlike `hashValue`, is the same in every process.
func stableHash(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}
