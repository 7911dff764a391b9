import Foundation
import BSON

/// TMDB movie documents as TMDB's `/movie/{id}` API answers them, validated and keyed by TMDB id.
/// The document is kept as given but for its shape (see below): `id` is made an integer and `_id`
/// set to it.
///
/// Accepted shapes: a details answer (with `credits`/`keywords` appended or not), a `/movie/popular`
/// result (`genre_ids` instead of `genres`), the `{title, details, reviews}` wrapper some
/// crawlers write (the details are stored, with `reviews` beside them), and a row of the TMDB 5000
/// CSV (lists as JSON text, numbers as text, `keywords` a plain list), read as text or parsed.
/// Every shape is brought to the API's, here and only here, so a document sent to the server
/// gives the features its collected twin gives.
public enum TMDBMovie {
    /// The collection the collectors store movies in.
    public static let collection = "raw_tmdb_movies"
    /// The outcome fields a feature must not read directly (known only after release).
    public static let outcomeFields: Set<String> = ["revenue", "vote_average", "vote_count", "popularity", "reviews"]

    /// Validates one movie document. Besides the API's scalar fields, `credits.cast[]` and
    /// `credits.crew[]` must be objects whose `id` is a whole number, zero or more, (stored as an integer)
    /// and whose `job`, `name` and `character` are text: history features match on those ids, so
    /// nothing but a scalar of the expected type may stand there.
    public static func normalize(_ raw: Document, key: String?) throws(RecordError) -> NormalizedRecord {
        try OperatorKeys.refuse(in: raw)
        var document = raw
        if case .document(let details)? = raw["details"] {
            document = details
            if let reviews = raw["reviews"] { document["reviews"] = reviews }
        }
        document = try apiShaped(document)
        // JSON text may have held keys of its own.
        try OperatorKeys.refuse(in: document)
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
        if let credits = document["credits"], !credits.isNull {
            document["credits"] = try checkedCredits(credits)
        }
        document["id"] = .int64(id)
        document["_id"] = .int64(id)
        return NormalizedRecord(key: .int64(id), document: document)
    }

    /// Fields the API gives as lists and the TMDB 5000 CSV writes as JSON text.
    static let listFields = ["genres", "keywords", "production_companies", "production_countries", "spoken_languages"]
    /// Numeric fields (beside `id`), which exports may write as text: whole ones become integers.
    static let numberFields = ["budget", "revenue", "runtime", "vote_count", "popularity", "vote_average"]

    /// The document in the API's shape: list fields given as JSON text parsed, a plain keyword
    /// list wrapped as the API's `{keywords: […]}`, numeric text made a number (a missing marker
    /// null), so the same features come out of every shape.
    static func apiShaped(_ given: Document) throws(RecordError) -> Document {
        var document = given
        for field in listFields {
            if case .string(let text)? = document[field] { document[field] = .array(try FieldReader.jsonList(text, field: field)) }
        }
        if case .array(let keywords)? = document["keywords"] { document["keywords"] = ["keywords": .array(keywords)] }
        for field in numberFields {
            guard case .string(let text)? = document[field] else { continue }
            if FieldReader.missingMarkers.contains(text.trimmingCharacters(in: .whitespaces).lowercased()) {
                document[field] = .null
            } else if let number = FieldReader.parseNumber(text) {
                document[field] = number == number.rounded() && abs(number) < 9e15 ? .int64(Int64(number)) : .double(number)
            } else {
                throw RecordError(field: field, reason: "expected a number, found \"\(text.prefix(40))\"")
            }
        }
        return document
    }

    /// `credits` with every person's id made an integer; anything else in a person's id, job or
    /// name is refused with the person's path.
    private static func checkedCredits(_ value: BSONValue) throws(RecordError) -> BSONValue {
        guard case .document(var credits) = value else {
            throw RecordError(field: "credits", reason: "expected an object with cast and crew, found \(value.typeName)")
        }
        for list in ["cast", "crew"] {
            guard var people = credits[list], !people.isNull else { continue }
            if case .string(let text) = people { people = .array(try FieldReader.jsonList(text, field: "credits.\(list)")) }
            guard case .array(let entries) = people else {
                throw RecordError(field: "credits.\(list)", reason: "expected a list, found \(people.typeName)")
            }
            var checked: [BSONValue] = []
            checked.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                let path = "credits.\(list).\(index)"
                guard case .document(var person) = entry else {
                    throw RecordError(field: path, reason: "expected an object, found \(entry.typeName)")
                }
                let fields = FieldReader(document: person)
                if let given = person["id"], !given.isNull {
                    guard let id = personID(given) else {
                        throw RecordError(
                            field: "\(path).id", reason: "expected a whole TMDB person id (0 or more), found \(FieldReader.describe(given))"
                        )
                    }
                    person["id"] = .int64(id)
                }
                for text in ["job", "name", "character", "department"] {
                    do throws(RecordError) { _ = try fields.string(text) } catch {
                        throw RecordError(field: "\(path).\(text)", reason: error.reason)
                    }
                }
                checked.append(.document(person))
            }
            credits[list] = .array(checked)
        }
        return .document(credits)
    }

    /// A person id as TMDB gives it: a whole number, zero or more, as a number or as digits.
    private static func personID(_ value: BSONValue) -> Int64? {
        switch value {
        case .int32(let id) where id >= 0: Int64(id)
        case .int64(let id) where id >= 0: id
        case .double(let id) where id >= 0 && id < 9e15 && id == id.rounded(): Int64(id)
        case .string(let text): Int64(text.trimmingCharacters(in: .whitespaces)).flatMap { $0 >= 0 ? $0 : nil }
        default: nil
        }
    }

    private static func checkList(_ document: Document, _ field: String) throws(RecordError) {
        guard let value = document[field] else { return }
        switch value {
        case .array, .null: return
        default: throw RecordError(field: field, reason: "expected a list, found \(value.typeName)")
        }
    }
}
