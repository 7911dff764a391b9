import Foundation
import Hashing
import MongoKit
import SourceSchemas

/// Per-user interaction events (a view, like, comment, share, login, subscription, ad impression,
/// …), one per record of a CSV or JSON Lines file, into `raw_events`. Field names are found as a
/// video export's are (``ColumnMatch``): `user_id`, `uid`, `viewer`; `event_type`, `action`;
/// `event_time`, `ts`; `watch_time_ms` (milliseconds); columns that match no field are kept under
/// `extra`.
///
/// An event's key is its event id when the file gives one, else the hash of what it says (user,
/// video, time, action, watch time, revenue), so loading a file twice stores each event once.
public struct InteractionEvents: Sendable, Equatable {
    /// The fields of the normalized event schema.
    public enum Field: String, ColumnSchema {
        case eventID = "event_id", userID = "user_id", videoID = "video_id", timestamp, action
        case watchSeconds = "watch_seconds", revenue, device, country

        /// Normalized column names that mean each field, best first.
        public static var patterns: [Field: [String]] {
            [
                .eventID: ["eventid", "id", "interactionid", "uuid", "eventuuid", "logid"],
                .userID: [
                    "userid", "user", "uid", "viewerid", "viewer", "memberid", "accountid", "customerid", "visitorid", "username", "member",
                ],
                .videoID: ["videoid", "video", "itemid", "contentid", "postid", "mediaid", "item", "content", "post", "media", "clip"],
                .timestamp: [
                    "timestamp", "eventtime", "time", "datetime", "occurredat", "createdat", "eventtimestamp", "ts", "date", "loggedat",
                    "eventdate", "when", "occurred", "created", "at",
                ],
                .action: [
                    "action", "eventtype", "event", "type", "interaction", "interactiontype", "actiontype", "activity", "eventname", "kind",
                ],
                .watchSeconds: [
                    "watchseconds", "watchtime", "watchtimesec", "watchduration", "secondswatched", "watch", "viewduration", "playtime",
                    "dwelltime", "dwell", "duration", "watched",
                ],
                .revenue: ["revenue", "adrevenue", "amount", "earnings", "price", "income", "usd", "value"],
                .device: ["device", "devicetype", "os", "client", "deviceos", "platform", "devicecategory"],
                .country: ["country", "countrycode", "region", "geo", "market", "location"],
            ]
        }
    }

    /// The collection events are stored in.
    public static let collection = "raw_events"
    /// Actions the audience metrics know; others are kept and counted as unknown.
    public static let knownActions = [
        "view", "like", "comment", "share", "login", "subscribe", "unsubscribe", "follow", "ad_impression", "ad_click", "purchase",
    ]
    /// Other names sources give known actions.
    static let synonyms = [
        "play": "view", "watch": "view", "impression": "view", "heart": "like", "digg": "like", "reply": "comment",
        "repost": "share", "signin": "login", "sign_in": "login", "session_start": "login", "subscription": "subscribe",
        "ad_view": "ad_impression", "ad": "ad_impression",
    ]

    /// The columns found for each field.
    public let match: ColumnMatch<Field>
    /// The columns that hold a field; the others are kept under `extra`.
    private let mapped: Set<String>

    /// Detects the fields from `header` (a CSV header, or a JSON record's keys), then applies
    /// `overrides` (field name → column name); a user, a time and an action must be found.
    public init(header: [String], overrides: [String: String] = [:]) throws(CollectError) {
        match = try ColumnMatch(header: header, overrides: overrides)
        mapped = Set(match.columns.values.map { header[$0] })
        for field in [Field.userID, .timestamp, .action] where match.columns[field] == nil {
            let candidates = match.ambiguous[field].map { " (\($0.joined(separator: " and ")) match it equally well)" } ?? ""
            throw .invalidMapping(
                "no column for \(field.rawValue)\(candidates); looked for \((Field.patterns[field] ?? []).prefix(8).joined(separator: ", ")), …; "
                    + "name it with --map \(field.rawValue)=COLUMN")
        }
    }

    /// The mapping as `field ← column` lines, for the user to check.
    public var description: String { match.description }

    /// The action as stored: lower case, words joined by `_`, a known synonym replaced (`Play` is `view`).
    public static func action(_ text: String) -> String {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "_")
        return synonyms[words] ?? words
    }

    /// The normalized event of one record, whose fields are named as in the header this mapping was
    /// made from (CSV text, or JSON values).
    public func normalize(_ record: Document) throws(RecordError) -> NormalizedRecord {
        try OperatorKeys.refuse(in: record)
        let fields = FieldReader(document: record)
        func column(_ field: Field) -> String { match.column(field) ?? field.rawValue }
        var document = Document()
        let user = FieldReader.trimmed(try fields.requiredString(column(.userID)))
        guard !user.isEmpty else { throw RecordError(field: column(.userID), reason: "required, missing") }
        guard let time = try fields.date(column(.timestamp)) else {
            throw RecordError(field: column(.timestamp), reason: "required, missing")
        }
        let actionText = try fields.requiredString(column(.action))
        let action = Self.action(actionText)
        guard !action.isEmpty else { throw RecordError(field: column(.action), reason: "no letters or digits in \(actionText)") }
        document["user_id"] = .string(user)
        if match.columns[.videoID] != nil, let video = try fields.string(column(.videoID)), !video.isEmpty {
            document["video_id"] = .string(video)
        }
        document["timestamp"] = .date(time)
        document["day"] = .date(Date(timeIntervalSince1970: (time.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400))
        document["action"] = .string(action)
        if match.columns[.watchSeconds] != nil, let given = try fields.number(column(.watchSeconds)) {
            let seconds = given * (match.units[.watchSeconds] ?? 1)
            guard seconds >= 0 && seconds <= 86_400 else {
                throw RecordError(field: column(.watchSeconds), reason: "implausible watch time \(seconds) s (0 to 86400)")
            }
            document["watch_seconds"] = .double(seconds)
        }
        if match.columns[.revenue] != nil, let revenue = try fields.number(column(.revenue)) {
            guard revenue >= 0 else { throw RecordError(field: column(.revenue), reason: "negative revenue \(revenue)") }
            document["revenue"] = .double(revenue)
        }
        for field in [Field.device, .country] where match.columns[field] != nil {
            if let text = try fields.string(column(field)), !text.isEmpty { document[field.rawValue] = .string(text) }
        }
        var extra = Document()
        for (name, value) in record where !mapped.contains(name) && !name.hasPrefix("_") { extra[name] = value }
        if !extra.isEmpty { document["extra"] = .document(extra) }

        let key: String
        if match.columns[.eventID] != nil, let id = try fields.string(column(.eventID)), !id.isEmpty {
            key = id
        } else {
            // No event id: the event is what it says, so re-reading it finds the same key.
            let content = [
                user, document["video_id"]?.stringValue ?? "", String(Int64(time.timeIntervalSince1970 * 1000)), action,
                document["watch_seconds"]?.doubleValue.map { String($0) } ?? "", document["revenue"]?.doubleValue.map { String($0) } ?? "",
            ].joined(separator: "\u{1F}")
            key = "h:" + SHA256.hex(Array(content.utf8)).prefix(24)
        }
        document["_id"] = .string(key)
        return NormalizedRecord(key: .string(key), document: document)
    }
}

/// User attributes (signup date, country, age band, subscription), one per record, into
/// `raw_users`, keyed by the user id; fields found as an event log's are.
public struct UserProfiles: Sendable, Equatable {
    /// The fields of the normalized user schema.
    public enum Field: String, ColumnSchema {
        case userID = "user_id", signupAt = "signup_at", country, ageBand = "age_band", subscription, device

        /// Normalized column names that mean each field, best first.
        public static var patterns: [Field: [String]] {
            [
                .userID: ["userid", "user", "uid", "id", "memberid", "accountid", "customerid", "username", "member", "account"],
                .signupAt: [
                    "signupat", "signupdate", "signup", "registeredat", "registrationdate", "joinedat", "joindate", "joined", "createdat",
                    "created", "since", "registered", "firstseen",
                ],
                .country: ["country", "countrycode", "region", "geo", "market", "location"],
                .ageBand: ["ageband", "agegroup", "agerange", "age", "agebracket", "agebucket"],
                .subscription: ["subscription", "plan", "tier", "subscriptiontype", "membership", "subscribed", "premium"],
                .device: ["device", "devicetype", "os", "platform"],
            ]
        }
    }

    /// The collection users are stored in.
    public static let collection = "raw_users"

    /// The columns found for each field.
    public let match: ColumnMatch<Field>

    /// Detects the fields from `header`, then applies `overrides`; a user id must be found.
    public init(header: [String], overrides: [String: String] = [:]) throws(CollectError) {
        match = try ColumnMatch(header: header, overrides: overrides)
        guard match.columns[.userID] != nil else {
            throw .invalidMapping("no column for user_id; name it with --map user_id=COLUMN")
        }
    }

    /// The mapping as `field ← column` lines, for the user to check.
    public var description: String { match.description }

    /// The normalized user of one record. An age given as a number is put in its band (`25-34`).
    public func normalize(_ record: Document) throws(RecordError) -> NormalizedRecord {
        try OperatorKeys.refuse(in: record)
        let fields = FieldReader(document: record)
        func column(_ field: Field) -> String { match.column(field) ?? field.rawValue }
        let user = FieldReader.trimmed(try fields.requiredString(column(.userID)))
        var document: Document = ["_id": .string(user), "user_id": .string(user)]
        if match.columns[.signupAt] != nil, let date = try fields.date(column(.signupAt)) { document["signup_at"] = .date(date) }
        if match.columns[.ageBand] != nil, let text = try fields.string(column(.ageBand)), !text.isEmpty {
            if let age = Double(text) {
                guard age >= 5 && age <= 120 else { throw RecordError(field: column(.ageBand), reason: "implausible age \(text)") }
                document["age_band"] = .string(Self.band(age))
            } else {
                document["age_band"] = .string(text)
            }
        }
        for field in [Field.country, .subscription, .device] where match.columns[field] != nil {
            if let text = try fields.string(column(field)), !text.isEmpty { document[field.rawValue] = .string(text) }
        }
        return NormalizedRecord(key: .string(user), document: document)
    }

    /// The usual survey bands: under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+.
    static func band(_ age: Double) -> String {
        switch age {
        case ..<18: "under 18"
        case ..<25: "18-24"
        case ..<35: "25-34"
        case ..<45: "35-44"
        case ..<55: "45-54"
        case ..<65: "55-64"
        default: "65+"
        }
    }
}
