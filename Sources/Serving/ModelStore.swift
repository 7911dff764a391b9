import EngageML
import Features
import Foundation
import Registry
import Synchronization

/// A model version ready to answer: its artifact and, when it was trained on a catalog feature
/// set, that set (to compute features from raw documents).
public struct ServedModel: Sendable {
    public let artifact: ModelArtifact
    public let featureSet: FeatureSet?
    /// The model's input features, for matching request keys.
    let keys: FeatureKeys

    init(artifact: ModelArtifact, featureSet: FeatureSet?) {
        self.artifact = artifact
        self.featureSet = featureSet
        keys = FeatureKeys(artifact.features)
    }

    public var name: String { artifact.name }
    public var version: Int { artifact.version }
}

/// The models a server answers with, keyed by name: for each, the version its alias points at
/// (or the newest one). ``refresh()`` re-reads the registry and swaps in a new version when the
/// alias moved; a request holds the ``ServedModel`` it started with, so it finishes on the old
/// version. A version that fails to load (checksum mismatch, unknown schema) is refused, the old
/// one keeps serving, and the reason is kept for `/v2/health/ready`.
public actor ModelStore {
    let registry: ModelRegistry
    /// The alias followed (`production`); models without it serve their newest version.
    public let alias: String
    /// The served version of each model, by name. Written only by the actor, read by requests
    /// under a short lock, so that a prediction needs no actor hop.
    private nonisolated let published = Mutex<[String: ServedModel]>([:])
    private var current: [String: ServedModel] = [:] {
        didSet { published.withLock { [current] in $0 = current } }
    }
    private var pinned: [String: ServedModel] = [:]
    /// Why a model or version could not be loaded, by model name.
    public private(set) var problems: [String: String] = [:]

    public init(registry: ModelRegistry, alias: String = "production") {
        self.registry = registry
        self.alias = alias
    }

    /// Re-reads the registry; returns `name@version` of every model (re)loaded.
    @discardableResult
    public func refresh() async -> [String] {
        var loaded: [String] = []
        let names: [String]
        do {
            names = Array(Set(try await registry.list().map(\.name))).sorted()
        } catch {
            problems["(registry)"] = String(describing: error)
            return []
        }
        problems["(registry)"] = nil
        for name in names {
            do {
                let version: Int
                if let aliased = try? await registry.resolve(name, reference: alias) { version = aliased } else { version = try await registry.resolve(name) }
                if current[name]?.version == version { continue }
                current[name] = try await load(name, version: version)
                problems[name] = nil
                loaded.append("\(name)@\(version)")
            } catch {
                problems[name] = String(describing: error)
            }
        }
        return loaded
    }

    /// The model to answer a request for `name`, at `reference` (a version or an alias) or, when
    /// nil, the served version.
    public func model(_ name: String, reference: String? = nil) async throws -> ServedModel {
        guard let reference else { return try served(name) }
        let version: Int
        do {
            version = try await registry.resolve(name, reference: reference)
        } catch {
            throw ServingError.unknownModel("\(name)@\(reference)")
        }
        if current[name]?.version == version { return current[name]! }
        if let cached = pinned["\(name)@\(version)"] { return cached }
        let model = try await load(name, version: version)
        pinned["\(name)@\(version)"] = model
        return model
    }

    /// The served version of `name`, without waiting for the actor.
    public nonisolated func served(_ name: String) throws(ServingError) -> ServedModel {
        guard let model = published.withLock({ $0[name] }) else { throw .unknownModel(name) }
        return model
    }

    /// Every served model.
    public var served: [ServedModel] { current.values.sorted { $0.name < $1.name } }

    private func load(_ name: String, version: Int) async throws -> ServedModel {
        let artifact = try await registry.load(name, reference: String(version))
        return ServedModel(artifact: artifact, featureSet: try? FeatureCatalog.set(artifact.metadata.featureSet.name))
    }
}

/// Errors of the serving layer that become HTTP answers.
public enum ServingError: Error, Sendable, Equatable {
    case unknownModel(String)
    case bodyTooLarge(Int)
}
