import Foundation

/// A "one row per video" export as analytics tools write it: its own column names, dates as
/// `MM/dd/yyyy HH:mm`, thousands separators, tags in Python-list or pipe form, and the odd `#N/A`.
struct VideoCSVSeeds {
    let seed: UInt64
    let rows: Int

    static let header = [
        "Video ID", "Platform", "Channel", "Video Title", "Video View Count", "likes_count", "num_comments", "Shares",
        "Length (sec)", "Upload Date", "Category", "Country", "Tags",
    ]
    static let platforms = ["YouTube", "Instagram", "TikTok"]
    static let categories = ["Education", "Entertainment", "Gaming", "Music", "Sports", "Food", "Travel", "Tech"]
    static let countries = ["US", "GB", "IN", "BR", "DE", "FR", "JP", "MX"]

    /// A video of the export as `raw_videos` keys it, for the event log to watch.
    struct Video {
        let key: String
        let category: String
        let seconds: Double
    }

    /// The export's lines, and the videos it holds that collect (a row with `#N/A` or negative views is rejected).
    func generate() -> (lines: [String], videos: [Video]) {
        var random = SeedRandom(seed: seed)
        var lines = [Self.header.joined(separator: ",")]
        var videos: [Video] = []
        let channels = (0..<400).map { (name: "channel_\($0)", size: exp(random.normal(9, 1.8)), quality: random.normal(0, 0.5)) }
        for index in 0..<rows {
            let channel = channels[random.zipf(channels.count, exponent: 0.9)]
            let platform = random.pick(Self.platforms)
            let category = random.pick(Self.categories)
            let length = platform == "YouTube" ? exp(random.normal(6, 0.8)).rounded() : exp(random.normal(3.2, 0.5)).rounded()
            let views = exp(1.5 + 0.6 * log(channel.size) + channel.quality + random.normal(0, 1)).rounded()
            let likes = (views * 0.04 * exp(random.normal(0, 0.4))).rounded()
            let comments = (likes * 0.05 * exp(random.normal(0, 0.5))).rounded()
            let shares = (views * 0.005 * exp(random.normal(0, 0.8))).rounded()
            let day = random.int(0...179)
            let date = Date(timeIntervalSince1970: 1_777_939_200 + Double(day) * 86_400 + Double(random.int(0...86_399)))
            let tags = (0..<random.int(0...4)).map { _ in
                random.pick(["howto", "vlog", "review", "shorts", "live", "tutorial", category.lowercased()])
            }
            let tagText = random.chance(0.5) ? "\"[" + tags.map { "'\($0)'" }.joined(separator: ", ") + "]\"" : tags.joined(separator: "|")
            var viewText = views >= 1_000 && random.chance(0.3) ? "\"\(Self.thousands(views))\"" : JSONText.number(views)
            if random.chance(1.0 / 150) {
                viewText = random.chance(0.5) ? "#N/A" : "-\(JSONText.number(views))"
            } else {
                videos.append(Video(key: "\(platform.lowercased()):v\(100_000 + index)", category: category, seconds: length))
            }
            lines.append(
                [
                    "v\(100_000 + index)", platform, channel.name, "\"\(category) video \(index), part \(index % 5 + 1)\"", viewText,
                    JSONText.number(likes), JSONText.number(comments), JSONText.number(shares), JSONText.number(length),
                    Self.format(date), category, random.pick(Self.countries), tagText,
                ].joined(separator: ","))
        }
        return (lines, videos)
    }

    static func thousands(_ value: Double) -> String {
        let digits = String(Int64(value))
        var out = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }

    static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        let days = seconds / 86_400
        // Civil date from days since 1970 (Howard Hinnant's algorithm), to stay independent of locale.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(format: "%02d/%02d/%04d %02d:%02d", month, day, year, (seconds % 86_400) / 3_600, (seconds % 3_600) / 60)
    }
}
