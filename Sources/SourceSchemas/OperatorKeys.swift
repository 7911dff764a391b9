import BSON

/// Raw documents are data: a key that MongoDB would read as an operator (`$cond`, `$where`, …) has
/// no place in a TikTok item, a TMDB answer or a CSV header. Every normalizer refuses such a record,
/// naming the key's dotted path, before anything of it reaches a filter, a pipeline or a write.
public enum OperatorKeys {
    /// Throws a ``RecordError`` for the first key, at any depth, that begins with `$`.
    public static func refuse(in document: Document, under prefix: String = "") throws(RecordError) {
        for (key, value) in document {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if key.hasPrefix("$") {
                throw RecordError(field: path, reason: "a key beginning with $ reads as a MongoDB operator; raw documents hold data only")
            }
            try refuse(in: value, under: path)
        }
    }

    private static func refuse(in value: BSONValue, under path: String) throws(RecordError) {
        switch value {
        case .document(let inner): try refuse(in: inner, under: path)
        case .array(let items):
            for (index, item) in items.enumerated() { try refuse(in: item, under: "\(path).\(index)") }
        default: return
        }
    }
}
