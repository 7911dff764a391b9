import EngageML
import Features
import Foundation
import Registry
import MongoKit
import Synchronization

/// A model version ready to answer: its artifact and, when it was trained on a catalog feature
/// set, that set (to compute features from raw documents).
public struct ServedModel: Sendable {
    /// The loaded, checksum-verified artifact.
    public let artifact: ModelArtifact
    /// The catalog feature set it was trained on, when there is one (for raw documents).
    public let featureSet: FeatureSet?
    /// The model's input features, for matching request keys.
    let keys: FeatureKeys
    /// A classifier's classes as the keys of an answer's `probabilities` (`"0"`, `"1"`, or the
    /// names of a text label: the text its `label` is written as), in the model's class order;
    /// empty for other models.
    public let classNames: [String]

    init(artifact: ModelArtifact, featureSet: FeatureSet?) {
        self.artifact = artifact
        self.featureSet = featureSet
        keys = FeatureKeys(artifact.features)
        classNames = artifact.classLabels ?? (artifact.pipeline.model.classes ?? []).map(JSONWriter.text(of:))
    }

    /// The model name.
    public var name: String { artifact.name }
    /// The version served.
    public var version: Int { artifact.version }
}

/// The models a server answers with, keyed by name: for each, the version its alias points at
/// or, without the alias, the newest version that loads. ``refresh()`` re-reads the registry and
/// swaps in a new version when the alias moved; a request holds the ``ServedModel`` it started
/// with, so it finishes on the old version. A version that fails to load (checksum mismatch,
/// unknown schema) is refused, the old one keeps serving, and the reason is kept for
/// `/v2/health/ready` until a refresh finds it loadable again. A database error never changes what
/// is served: only an alias that is not set falls back to the newest version.
public actor ModelStore {
    let registry: ModelRegistry
    /// The alias followed (`production`); models without it serve their newest loadable version.
    public let alias: String
    /// The served version of each model, by name. Written only by the actor, read by requests
    /// under a short lock, so that a prediction needs no actor hop.
    private nonisolated let published = Mutex<[String: ServedModel]>([:])
    private var current: [String: ServedModel] = [:] {
        didSet { published.withLock { [current] in $0 = current } }
    }
    /// Versions asked for by number or alias, loaded once (`name@version`).
    private var pinned: [String: ServedModel] = [:]
    /// Versions that failed to load since the last refresh (`name@version` → the answer), so that
    /// a request for one is answered without reading and hashing its artifact again.
    private var refused: [String: ServingError] = [:]
    /// Why a model or version could not be loaded, by model name (`(registry)` for the registry itself).
    public private(set) var problems: [String: String] = [:]

    /// A store serving `registry`'s models at `alias`; nothing loads until ``refresh()``.
    public init(registry: ModelRegistry, alias: String = "production") {
        self.registry = registry
        self.alias = alias
    }

    /// Re-reads the registry; returns `name@version` of every model (re)loaded.
    @discardableResult
    public func refresh() async -> [String] {
        let records: [ModelRecord]
        do {
            records = try await registry.list(withAliases: false)
        } catch {
            problems["(registry)"] = Self.problem(error)
            return []
        }
        refused = [:]
        var found: [String: String] = [:]
        var loaded: [String] = []
        for (name, versions) in Dictionary(grouping: records, by: \.name).sorted(by: { $0.key < $1.key }) {
            let candidates: [Int]
            do {
                candidates = [try await registry.resolve(name, reference: alias)]
            } catch RegistryError.unknownVersion {
                candidates = versions.filter { !$0.archived }.map(\.version).sorted(by: >)
            } catch {
                found[name] = Self.problem(error)
                continue
            }
            var refusals: [String] = []
            for version in candidates {
                if current[name]?.version == version { break }
                do {
                    current[name] = try await load(name, version: version)
                    loaded.append("\(name)@\(version)")
                    break
                } catch {
                    refused["\(name)@\(version)"] = ServingError.loading("\(name)@\(version)", error)
                    refusals.append(Self.problem(error))
                }
            }
            if !refusals.isEmpty { found[name] = refusals.joined(separator: "; ") }
        }
        problems = found
        return loaded
    }

    /// The model to answer a request for `name`, at `reference` (a version or an alias) or, when
    /// nil, the served version. A version already loaded is answered without the database.
    public func model(_ name: String, reference: String? = nil) async throws(ServingError) -> ServedModel {
        guard let reference else { return try served(name) }
        if let number = Int(reference), let known = loaded(name, version: number) { return try known.get() }
        let version: Int
        do {
            version = try await registry.resolve(name, reference: reference)
        } catch is RegistryError {
            throw .unknownModel("\(name)@\(reference)")
        } catch let error as MongoError {
            // The followed alias keeps meaning what it meant at the last refresh.
            if reference == alias, let served = current[name] { return served }
            throw .database("resolving \(name)@\(reference)", error)
        } catch {
            throw .internalError(String(describing: error))
        }
        if let known = loaded(name, version: version) { return try known.get() }
        do {
            let model = try await load(name, version: version)
            pinned["\(name)@\(version)"] = model
            return model
        } catch {
            let failure = ServingError.loading("\(name)@\(version)", error)
            if case .refusedVersion = failure { refused["\(name)@\(version)"] = failure }
            throw failure
        }
    }

    /// A version this store has already loaded or refused.
    private func loaded(_ name: String, version: Int) -> Result<ServedModel, ServingError>? {
        if let served = current[name], served.version == version { return .success(served) }
        if let pinned = pinned["\(name)@\(version)"] { return .success(pinned) }
        if let refusal = refused["\(name)@\(version)"] { return .failure(refusal) }
        return nil
    }

    /// The served version of `name`, without waiting for the actor.
    public nonisolated func served(_ name: String) throws(ServingError) -> ServedModel {
        guard let model = published.withLock({ $0[name] }) else { throw .unknownModel(name) }
        return model
    }

    /// Whether `name` is a served model (for bounded metric labels), without waiting for the actor.
    public nonisolated func serves(_ name: String) -> Bool {
        published.withLock { $0[name] != nil }
    }

    /// Every served model.
    public var served: [ServedModel] { current.values.sorted { $0.name < $1.name } }

    private func load(_ name: String, version: Int) async throws -> ServedModel {
        try await ServedModel.load(name, reference: String(version), from: registry)
    }

    /// A problem as `/v2/health/ready` shows it: the registry's own refusals in full, database
    /// errors by their code only (no hosts, no server text: the route is unauthenticated).
    static func problem(_ error: any Error) -> String {
        switch error {
        case let error as MongoError: "database unavailable (\(error.code.name))"
        case let error as RegistryError: error.description
        default: "could not load (\(type(of: error)))"
        }
    }
}
