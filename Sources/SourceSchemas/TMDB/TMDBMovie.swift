import MongoKit

/// TMDB movie documents as TMDB's `/movie/{id}` API answers them, validated and keyed by TMDB id.
/// The document is kept as given; only `id` is made an integer and `_id` set to it.
///
/// Accepted shapes: a details answer (with `credits`/`keywords` appended or not), a `/movie/popular`
/// result (`genre_ids` instead of `genres`), and the `{title, details, reviews}` wrapper some
/// crawlers write (the details are stored, with `reviews` beside them).
public enum TMDBMovie {
    /// The collection the collectors store movies in.
    public static let collection = "raw_tmdb_movies"
    /// The outcome fields a feature must not read directly (known only after release).
    public static let outcomeFields: Set<String> = ["revenue", "vote_average", "vote_count", "popularity", "reviews"]

    public static func normalize(_ raw: Document, key: String?) throws(RecordError) -> NormalizedRecord {
        var document = raw
        if case .document(let details)? = raw["details"] {
            document = details
            if let reviews = raw["reviews"] { document["reviews"] = reviews }
        }
        let fields = FieldReader(document: document)
        let id: Int64
        if let given = try fields.count("id") {
            id = given
        } else if let key, let fromKey = Int64(key) {
            id = fromKey
        } else {
            throw RecordError(field: "id", reason: "required, missing")
        }
        guard id > 0 else { throw RecordError(field: "id", reason: "must be a positive TMDB id, got \(id)") }
        _ = try fields.requiredString("title")
        for field in ["budget", "revenue", "runtime", "vote_count"] { _ = try fields.count(field) }
        if let popularity = try fields.number("popularity"), popularity < 0 {
            throw RecordError(field: "popularity", reason: "negative popularity \(popularity)")
        }
        if let vote = try fields.number("vote_average"), !(0...10).contains(vote) {
            throw RecordError(field: "vote_average", reason: "must be between 0 and 10, got \(vote)")
        }
        _ = try fields.date("release_date")
        try checkList(document, "genres")
        try checkList(document, "production_companies")
        document["id"] = .int64(id)
        document["_id"] = .int64(id)
        return NormalizedRecord(key: .int64(id), document: document)
    }

    private static func checkList(_ document: Document, _ field: String) throws(RecordError) {
        guard let value = document[field] else { return }
        switch value {
        case .array, .null: return
        default: throw RecordError(field: field, reason: "expected a list, found \(value.typeName)")
        }
    }
}
