import Foundation

/// The feature sets EngageML builds in, each a feature set file in `Catalog/` (shipped as the
/// target's resources), read as a user's own file is. Features use only what is known at posting
/// or release time; outcomes enter through labels, scores and strictly-earlier history.
public enum FeatureCatalog {
    /// The built-in sets' names.
    public static var names: [String] {
        [
            "tiktok_virality", "tiktok_engagement", "tmdb_hit", "tmdb_revenue", "creator_segments", "video_virality", "video_engagement",
            "user_churn",
        ]
    }

    /// The set named `name`.
    public static func set(_ name: String) throws(FeatureDefinitionError) -> FeatureSet {
        guard let loaded = sets[name] else { throw .unknownSet(name) }
        return try loaded.get()
    }

    /// The set a command argument names: a path to a feature set file (it has a `.yaml`, `.yml` or
    /// `.json` extension or a `/`), else the user's `features/NAME.yaml` in `directory` (which then
    /// takes the place of a built-in set of that name), else the built-in set.
    public static func resolve(_ reference: String, in directory: String = FileManager.default.currentDirectoryPath) throws
        -> FeatureSet
    {
        let isPath = reference.contains("/") || FeatureSetFile.extensions.contains((reference as NSString).pathExtension.lowercased())
        if isPath { return try FeatureSetFile.load(path: reference) }
        for fileExtension in FeatureSetFile.extensions {
            let path = "\(directory)/features/\(reference).\(fileExtension)"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let set = try FeatureSetFile.load(path: path)
            guard set.name == reference else {
                throw FeatureFileError(
                    file: path, mark: nil, key: "name", problem: "declares \(set.name); a file in features/ must be named after its set")
            }
            return set
        }
        return try self.set(reference)
    }

    /// The names of the user's sets in `directory`'s `features/` folder, sorted.
    public static func localNames(in directory: String = FileManager.default.currentDirectoryPath) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/features")) ?? []
        return Set(
            files.filter { FeatureSetFile.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { ($0 as NSString).deletingPathExtension }
        ).sorted()
    }

    /// The built-in sets' names, then the user's sets in `directory`'s `features/` that are not built in.
    public static func allNames(in directory: String = FileManager.default.currentDirectoryPath) -> [String] {
        names + localNames(in: directory).filter { !names.contains($0) }
    }

    /// The set a model was trained on: its recorded `definition` (a feature set file's text, kept in
    /// the model artifact) when there is one, else, for models from before definitions were kept,
    /// the built-in set named `name`.
    public static func set(named name: String, definition: String?) throws -> FeatureSet {
        guard let definition else { return try set(name) }
        return try FeatureSetFile.parse(definition, file: "the model's recorded definition of \(name)")
    }

    /// Every built-in set, read once.
    private static let sets: [String: Result<FeatureSet, FeatureDefinitionError>] = Dictionary(
        uniqueKeysWithValues: names.map { name in (name, Result { () throws(FeatureDefinitionError) in try load(name) }) })

    private static func load(_ name: String) throws(FeatureDefinitionError) -> FeatureSet {
        guard let url = Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Catalog") else {
            throw .builtInUnreadable(name, "Catalog/\(name).yaml is not among the installed resources")
        }
        do {
            return try FeatureSetFile.load(path: url.path)
        } catch {
            throw .builtInUnreadable(name, error.description)
        }
    }
}
