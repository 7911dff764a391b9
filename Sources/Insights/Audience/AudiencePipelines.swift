import MongoKit

/// The aggregation pipelines behind the audience numbers, over `raw_events` (see
/// ``AudienceBuilder``). No document ever holds a period's set of distinct users: events are first
/// folded into one row per user and active day, and a rolling distinct count (WAU, MAU) is a
/// running sum of +1 where a user's activity starts covering a day and −1 where it stops (the
/// next active day, or the window's end), so its cost grows with user-days, not with users × days.
enum AudiencePipelines {
    static let day: Int64 = 86_400_000
    /// Actions counted per user and day (the rest count in `events` only).
    static let counted = ["view", "like", "comment", "share", "login", "subscribe", "ad_impression"]

    /// The collections the build writes.
    enum Collection {
        static let userDays = "audience_user_days"
        static let users = "audience_users"
        static let daily = "audience_daily"
        static let weekly = "audience_weekly"
        static let cohorts = "audience_cohorts"
        static let summary = "audience_summary"
    }

    /// The last stage of each pipeline: `$out`, which replaces the collection when the pipeline has
    /// run to its end, so a reader never sees half a build and an interrupted build leaves the last
    /// one in place. (The embedded server also runs `$merge` after `$group` at about 150 ms a row.)
    /// These collections are sized by users and days, not by events, and stay unsharded on a cluster.
    static func replace(_ collection: String) -> Document { ["$out": .string(collection)] }

    static func plural(_ action: String) -> String { action == "ad_impression" ? "ad_impressions" : action + "s" }

    /// `raw_events` → one row per user and active day: counts per action, watch time, revenue, the
    /// day's country and device, and its newest event's ingest time (the `user_churn` feature set
    /// reads these rows).
    static var userDays: [Document] {
        var group: Document = [
            "_id": ["user_id": "$user_id", "day": "$day"],
            "events": ["$sum": 1],
            "watch_seconds": ["$sum": ["$ifNull": ["$watch_seconds", 0]]],
            "revenue": ["$sum": ["$ifNull": ["$revenue", 0]]],
            "country": ["$max": "$country"],
            "device": ["$max": "$device"],
            "fetched": ["$max": "$_ingest.fetched_at"],
        ]
        for action in counted {
            group[plural(action)] = ["$sum": ["$cond": [["$eq": ["$action", .string(action)]], 1, 0]]]
        }
        // The newest event's ingest time, so a feature set over these rows builds incrementally.
        var project: Document = ["user_id": "$_id.user_id", "day": "$_id.day", "_ingest": ["fetched_at": "$fetched"]]
        for name in ["events", "watch_seconds", "revenue", "country", "device"] + counted.map(plural) {
            project[name] = .string("$" + name)
        }
        return [
            ["$match": ["user_id": ["$type": "string"], "day": ["$type": "date"]]],
            ["$group": .document(group)],
            ["$project": .document(project)],
            replace(Collection.userDays),
        ]
    }

    /// `audience_user_days` → one row per user: first and last active day, active days and weeks,
    /// totals, and the attributes `raw_users` holds (signup, age band, subscription), else the
    /// events' country and device.
    static var users: [Document] {
        let activity =
            ["first_day", "last_day", "active_days", "days", "weeks", "country", "device", "events", "watch_seconds", "revenue"]
            + counted.map(plural)
        var group: Document = [
            "_id": "$user_id",
            "first_day": ["$min": "$day"], "last_day": ["$max": "$day"], "active_days": ["$sum": 1],
            "days": ["$push": "$day"],
            "weeks": ["$addToSet": week("$day")],
            "country": ["$max": "$country"], "device": ["$max": "$device"],
        ]
        for name in ["events", "watch_seconds", "revenue"] + counted.map(plural) { group[name] = ["$sum": .string("$" + name)] }
        var joined: Document = ["_id": "$_id"]
        for name in activity + profile { joined[name] = ["$max": .string("$" + name)] }
        return [
            ["$group": .document(group)]
        ]
            + join(
                "raw_users",
                fields: [
                    "profile_signup_at": "$signup_at", "profile_age_band": "$age_band",
                    "profile_subscription": "$subscription", "profile_country": "$country", "profile_device": "$device",
                ],
                grouped: joined, present: "active_days")
            + [
                [
                    "$set": [
                        "signup_at": ["$ifNull": ["$profile_signup_at", .null]],
                        "age_band": ["$ifNull": ["$profile_age_band", "unknown"]],
                        "subscription": ["$ifNull": ["$profile_subscription", "unknown"]],
                        "country": ["$ifNull": ["$profile_country", "$country", "unknown"]],
                        "device": ["$ifNull": ["$profile_device", "$device", "unknown"]],
                    ]
                ],
                // The cohort is the signup week when known and not after the first activity, else the first active week.
                [
                    "$set": [
                        "cohort": [
                            "$cond": [
                                [
                                    "$and": [
                                        ["$eq": [["$type": "$signup_at"], "date"]],
                                        ["$lte": ["$signup_at", ["$add": ["$first_day", .int64(day)]]]],
                                    ]
                                ],
                                week("$signup_at"), week("$first_day"),
                            ]
                        ]
                    ]
                ],
                ["$unset": .array(profile.map(BSONValue.string))],
                replace(Collection.users),
            ]
    }

    static let profile = ["profile_signup_at", "profile_age_band", "profile_subscription", "profile_country", "profile_device"]

    /// A join without a lookup per row: the rows so far and `collection`'s documents (their
    /// `fields`) are unioned and grouped by `_id` (`grouped`: `$max` of every field), keeping the
    /// ids that have `present` (those of the rows so far). One pass over each side, where the
    /// embedded server's `$lookup` scans the other collection for every row.
    static func join(_ collection: String, fields: Document, grouped: Document, present: String) -> [Document] {
        [
            ["$unionWith": ["coll": .string(collection), "pipeline": [["$project": .document(fields)]]]],
            ["$group": .document(grouped)],
            ["$match": [present: ["$exists": true, "$ne": .null]]],
        ]
    }

    /// The Monday of `date`'s week.
    static func week(_ date: BSONValue) -> BSONValue {
        ["$dateTrunc": ["date": date, "unit": "week", "startOfWeek": "monday"]]
    }

    /// `audience_user_days` → one row per day from `first` to `last`: DAU, new and returning users,
    /// rolling 7- and 30-day distinct users (WAU, MAU), stickiness, and the day's actions.
    static func daily(first: BSONValue, last: BSONValue) -> [Document] {
        func end(_ days: Int64) -> BSONValue {
            let window: BSONValue = ["$add": ["$day", .int64(days * day)]]
            return ["$cond": [["$eq": [["$type": "$next"], "date"]], ["$min": ["$next", window]], window]]
        }
        var mark: Document = ["d": "$day", "dau": 1, "wau": 1, "mau": 1, "new": ["$cond": [["$eq": ["$day", "$first"]], 1, 0]]]
        for name in ["events", "watch_seconds", "revenue"] + counted.map(plural) { mark[name] = .string("$" + name) }
        var group: Document = ["_id": "$m.d"]
        for name in ["dau", "wau", "mau", "new", "events", "watch_seconds", "revenue"] + counted.map(plural) {
            group[name] = ["$sum": ["$ifNull": [.string("$m." + name), 0]]]
        }
        var project: Document = [
            "day": "$_id", "dau": 1, "new_users": "$new", "returning_users": ["$subtract": ["$dau", "$new"]],
            "wau": "$wau_running", "mau": "$mau_running",
            "stickiness": ["$cond": [["$gt": ["$mau_running", 0]], ["$divide": ["$dau", "$mau_running"]], 0]],
            // The log's first 29 days see only part of each user's month.
            "mau_complete": ["$gte": ["$_id", ["$add": [first, .int64(29 * day)]]]],
        ]
        for name in ["events", "watch_seconds", "revenue"] + counted.map(plural) { project[name] = 1 }
        return [
            [
                "$setWindowFields": [
                    "partitionBy": "$user_id", "sortBy": ["day": 1],
                    "output": [
                        "next": ["$shift": ["output": "$day", "by": 1, "default": .null]],
                        "first": ["$min": "$day", "window": ["documents": ["unbounded", "unbounded"]]],
                    ],
                ]
            ],
            [
                "$project": [
                    "m": [.document(mark), ["d": end(7), "wau": -1], ["d": end(30), "mau": -1]]
                ]
            ],
            ["$unwind": "$m"],
            ["$group": .document(group)],
            [
                "$setWindowFields": [
                    "sortBy": ["_id": 1],
                    "output": [
                        "wau_running": ["$sum": "$wau", "window": ["documents": ["unbounded", "current"]]],
                        "mau_running": ["$sum": "$mau", "window": ["documents": ["unbounded", "current"]]],
                    ],
                ]
            ],
            ["$match": ["_id": ["$gte": first, "$lte": last]]],
            ["$project": .document(project)],
            replace(Collection.daily),
        ]
    }

    /// `audience_users` → per week: active users, how many of them are active the next week, and
    /// the churn rate (active this week, not the next), for weeks through `churnThrough` (whose next
    /// week the log holds in full); later weeks have none.
    static func weekly(churnThrough: BSONValue) -> [Document] {
        [
            ["$set": ["weeks_all": "$weeks"]],
            ["$unwind": "$weeks"],
            [
                "$group": [
                    "_id": "$weeks", "active": ["$sum": 1],
                    "retained": ["$sum": ["$cond": [["$in": [["$add": ["$weeks", .int64(7 * day)]], "$weeks_all"]], 1, 0]]],
                    "new": ["$sum": ["$cond": [["$eq": ["$weeks", "$cohort"]], 1, 0]]],
                ]
            ],
            [
                "$project": [
                    "week": "$_id", "active": 1, "new_users": "$new",
                    "retained_next_week": ["$cond": [["$lte": ["$_id", churnThrough]], "$retained", .null]],
                    "churned_next_week": ["$cond": [["$lte": ["$_id", churnThrough]], ["$subtract": ["$active", "$retained"]], .null]],
                    "churn_rate": [
                        "$cond": [
                            ["$lte": ["$_id", churnThrough]], ["$divide": [["$subtract": ["$active", "$retained"]], "$active"]], .null,
                        ]
                    ],
                ]
            ],
            replace(Collection.weekly),
        ]
    }

    /// `audience_users` → the weekly cohort retention matrix: of each cohort (signup week), the
    /// share active N weeks later, for cohorts that start inside the log.
    static func cohorts(firstWeek: BSONValue) -> [Document] {
        let inLog: Document = ["$match": ["$expr": ["$gte": ["$cohort", firstWeek]]]]
        // Each cohort's size joins its cells by a group, not a window over the cohort's users: the
        // embedded server evaluates an unbounded window once per row (100k users: over 5 minutes).
        return [
            inLog,
            ["$unwind": "$weeks"],
            [
                "$group": [
                    "_id": [
                        "cohort": "$cohort", "offset": ["$floor": ["$divide": [["$subtract": ["$weeks", "$cohort"]], .int64(7 * day)]]],
                    ],
                    "users": ["$sum": 1],
                ]
            ],
            ["$match": ["_id.offset": ["$gte": 0]]],
            [
                "$unionWith": [
                    "coll": .string(Collection.users),
                    "pipeline": [.document(inLog), ["$group": ["_id": ["cohort": "$cohort", "offset": "size"], "size": ["$sum": 1]]]],
                ]
            ],
            [
                "$group": [
                    "_id": "$_id.cohort", "size": ["$max": "$size"],
                    "cells": ["$push": ["offset": "$_id.offset", "users": "$users"]],
                ]
            ],
            ["$unwind": "$cells"],
            ["$match": ["cells.offset": ["$type": "number"]]],
            [
                "$project": [
                    "_id": ["cohort": "$_id", "offset": "$cells.offset"], "cohort": "$_id", "offset": "$cells.offset",
                    "users": "$cells.users", "cohort_size": "$size", "share": ["$divide": ["$cells.users", "$size"]],
                ]
            ],
            replace(Collection.cohorts),
        ]
    }

    /// The days after a user's first whose retention is measured.
    static let retentionDays = [1, 7, 14, 30]

    /// `audience_users` → N-day retention (of users new in the log, signed up inside it or, with no
    /// signup date, first seen after its first day, and first seen at least N days before its last:
    /// the share active exactly N days after their first day),
    /// totals, and breakdowns by country, device, age band and subscription, in one `$facet`.
    static func summary(first: BSONValue, last: BSONValue) -> [Document] {
        // New in the log: signed up inside it when the signup is known, else first seen after its first day.
        let newInLog: BSONValue = [
            "$cond": [["$eq": [["$type": "$signup_at"], "date"]], ["$gte": ["$signup_at", first]], ["$gt": ["$first_day", first]]]
        ]
        var retention: Document = ["_id": .null]
        for n in retentionDays {
            let target: BSONValue = ["$add": ["$first_day", .int64(Int64(n) * day)]]
            let eligible: BSONValue = ["$and": [newInLog, ["$lte": [target, last]]]]
            retention["eligible_\(n)"] = ["$sum": ["$cond": [eligible, 1, 0]]]
            retention["retained_\(n)"] = ["$sum": ["$cond": [["$and": [eligible, ["$in": [target, "$days"]]]], 1, 0]]]
        }
        var totals: Document = ["_id": .null, "users": ["$sum": 1], "active_days": ["$sum": "$active_days"]]
        for name in ["events", "watch_seconds", "revenue"] + counted.map(plural) { totals[name] = ["$sum": .string("$" + name)] }
        func breakdown(_ field: String) -> [Document] {
            [
                [
                    "$group": [
                        "_id": .string("$" + field), "users": ["$sum": 1], "events": ["$sum": "$events"], "views": ["$sum": "$views"],
                        "watch_seconds": ["$sum": "$watch_seconds"], "revenue": ["$sum": "$revenue"],
                        "active_days": ["$sum": "$active_days"],
                    ]
                ],
                ["$sort": ["users": -1, "_id": 1]],
                ["$limit": 20],
            ]
        }
        return [
            [
                "$facet": [
                    "retention": [["$group": .document(retention)]],
                    "totals": [["$group": .document(totals)]],
                    "by_country": .array(breakdown("country").map(BSONValue.document)),
                    "by_device": .array(breakdown("device").map(BSONValue.document)),
                    "by_age_band": .array(breakdown("age_band").map(BSONValue.document)),
                    "by_subscription": .array(breakdown("subscription").map(BSONValue.document)),
                ]
            ]
        ]
    }

    /// The length buckets of content performance, in seconds (upper bounds).
    static let lengthBuckets: [(name: String, below: Double)] = [
        ("under 15 s", 15), ("15-60 s", 60), ("1-3 min", 180), ("3-10 min", 600), ("10 min and more", .infinity),
    ]

    /// `raw_events` → per video (views, likes, comments, shares, watch time), joined to
    /// `raw_videos` for its category and length, then per category and per length bucket.
    static var content: [Document] {
        var bucket: BSONValue = .string(lengthBuckets[lengthBuckets.count - 1].name)
        for (name, below) in lengthBuckets.dropLast().reversed() {
            bucket = ["$cond": [["$lt": ["$duration_s", .double(below)]], .string(name), bucket]]
        }
        bucket = ["$cond": [["$in": [["$type": "$duration_s"], ["double", "int", "long", "decimal"]]], bucket, "unknown"]]
        let perVideo: Document = [
            "_id": "$video_id",
            "views": ["$sum": ["$cond": [["$eq": ["$action", "view"]], 1, 0]]],
            "likes": ["$sum": ["$cond": [["$eq": ["$action", "like"]], 1, 0]]],
            "comments": ["$sum": ["$cond": [["$eq": ["$action", "comment"]], 1, 0]]],
            "shares": ["$sum": ["$cond": [["$eq": ["$action", "share"]], 1, 0]]],
            "watch_seconds": ["$sum": ["$ifNull": ["$watch_seconds", 0]]],
        ]
        func by(_ key: String) -> BSONValue {
            .array([
                [
                    "$group": [
                        "_id": .string("$" + key), "videos": ["$sum": 1], "views": ["$sum": "$views"], "likes": ["$sum": "$likes"],
                        "comments": ["$sum": "$comments"], "shares": ["$sum": "$shares"], "watch_seconds": ["$sum": "$watch_seconds"],
                        "length_seconds": ["$sum": ["$multiply": ["$views", ["$ifNull": ["$duration_s", 0]]]]],
                    ]
                ],
                ["$sort": ["views": -1, "_id": 1]],
                ["$limit": 30],
            ])
        }
        var joined: Document = ["_id": "$_id"]
        for name in ["views", "likes", "comments", "shares", "watch_seconds", "category", "duration_s"] {
            joined[name] = ["$max": .string("$" + name)]
        }
        return [
            ["$match": ["video_id": ["$type": "string"]]],
            ["$group": .document(perVideo)],
        ]
            + join("raw_videos", fields: ["category": 1, "duration_s": 1], grouped: joined, present: "views")
            + [
                ["$set": ["category": ["$ifNull": ["$category", "unknown"]]]],
                ["$set": ["length": bucket]],
                ["$facet": ["by_category": by("category"), "by_length": by("length")]],
            ]
    }
}
