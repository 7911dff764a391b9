import Foundation

/// An interaction log of a video product over 60 days, and its users' attributes.
///
/// Users differ in how often they come (a log-normal rate of active days), come more at weekends,
/// arrive over the whole window (a third were there before it) and leave after a lifetime drawn
/// per user, so retention falls with cohort age and some users churn inside the window. A session
/// is a login and a few views of the seed export's videos (popular ones more), some liked,
/// commented or shared, with ad impressions (and their revenue) between views; a few users
/// subscribe. Watch time depends on the video's length and the user's patience. One event in 4,000
/// is broken (no user, an unreadable time, a negative watch time) and one in 500 has an action the
/// metrics do not know (`save`), to show rejects and counting.
struct EventSeeds {
    let seed: UInt64
    let users: Int
    let videos: [VideoCSVSeeds.Video]

    /// 2026-09-01 00:00 UTC: the log's first day.
    static let start = 1_788_220_800.0
    /// Days in the log.
    static let days = 60
    static let eventsHeader = ["user_id", "video_id", "event_time", "event_type", "watch_time_ms", "revenue_usd", "device", "country"]
    static let usersHeader = ["user_id", "signup_date", "country", "age", "plan"]
    /// Activity by weekday, Monday first.
    static let weekday = [0.9, 0.88, 0.92, 0.97, 1.08, 1.3, 1.25]
    static let devices = ["ios", "android", "web", "tv"]
    static let countries = ["US", "GB", "IN", "BR", "DE", "FR", "JP", "MX"]

    /// The event log's lines (time-ordered within each user) and the users file's lines.
    func lines() -> (events: [String], users: [String]) {
        var random = SeedRandom(seed: seed)
        var events = [Self.eventsHeader.joined(separator: ",")]
        var people = [Self.usersHeader.joined(separator: ",")]
        guard !videos.isEmpty else { return (events, people) }
        var emitted = 0
        for index in 0..<users {
            let user = "u\(10_000 + index)"
            // A third were there before the log starts; the rest arrive evenly across it.
            let signup = random.chance(0.33) ? -Double(random.int(1...180)) : Double(random.int(0...(Self.days - 1)))
            let lifetime = -log(max(1e-9, random.unit())) * 70 + 3
            let rate = min(0.9, exp(random.normal(-1.0, 0.8)))
            let device = random.pick(Self.devices)
            let country = random.pick(Self.countries)
            let age = max(13, min(80, Int(random.normal(31, 11))))
            let patience = min(1, max(0.1, random.normal(0.55, 0.2)))
            var plan = random.chance(0.12) ? "premium" : "free"
            people.append(
                [user, String(Self.iso(Self.start + signup * 86_400).prefix(10)), country, String(age), plan].joined(separator: ","))
            let first = max(0, Int(signup.rounded(.up)))
            let last = min(Self.days - 1, Int(signup + lifetime))
            guard first <= last else { continue }
            for day in first...last {
                let weekday = (day + 1) % 7  // 2026-09-01 is a Tuesday
                // Newcomers come often, then settle to their rate.
                let fresh = day - Int(signup) < 7 ? 1.6 : 1
                guard random.chance(min(0.95, rate * Self.weekday[weekday] * fresh)) else { continue }
                var time = Self.start + Double(day) * 86_400 + Double(random.int(6 * 3_600...23 * 3_600))
                func emit(_ action: String, video: String = "", watch: String = "", revenue: String = "") {
                    var fields = [user, video, Self.iso(time), action, watch, revenue, device, country]
                    emitted += 1
                    if emitted % 4_000 == 0 {
                        switch emitted / 4_000 % 3 {
                        case 0: fields[0] = ""
                        case 1: fields[2] = "yesterday"
                        default: fields[4] = "-5000"
                        }
                    }
                    events.append(fields.joined(separator: ","))
                }
                emit("login")
                for view in 0..<(1 + random.poisson(4)) {
                    time += Double(random.int(20...400))
                    let video = videos[random.zipf(videos.count, exponent: 0.7)]
                    let watched = min(video.seconds, video.seconds * patience * exp(random.normal(0, 0.5)))
                    emit("view", video: video.key, watch: String(Int((watched * 1000).rounded())))
                    if random.chance(0.09) { emit("like", video: video.key) }
                    if random.chance(0.02) { emit("comment", video: video.key) }
                    if random.chance(0.015) { emit("share", video: video.key) }
                    if random.chance(0.002) { emit("save", video: video.key) }
                    if view % 3 == 2 && plan == "free" {
                        emit("ad_impression", revenue: String(format: "%.4f", 0.002 + random.unit() * 0.01))
                    }
                }
                if plan == "free" && random.chance(0.004) {
                    plan = "premium"
                    emit("subscribe", revenue: "4.99")
                }
            }
        }
        return (events, people)
    }

    /// `2026-09-01T18:04:05Z`, independent of locale.
    static func iso(_ seconds: Double) -> String {
        let civil = VideoCSVSeeds.format(Date(timeIntervalSince1970: seconds))  // MM/dd/yyyy HH:mm
        let parts = civil.split { $0 == "/" || $0 == " " }
        let second = Int(seconds) % 60
        return "\(parts[2])-\(parts[0])-\(parts[1])T\(parts[3]):\(String(format: "%02d", second))Z"
    }
}
