// swift-tools-version: 6.2
import PackageDescription

/// The target graph is the data flow (ARCHITECTURE.md draws it):
/// CMongoC → MongoKit → SourceSchemas → Collectors (files and APIs into raw collections)
///                               SourceSchemas → Features (pipelines over raw collections) ─┐
/// EngageML (pure ML: no database) → Registry (versioned artifacts) ─────────────────────────┴→ Training
/// Training → Reports, Serving → EngageCLI. DelimitedText, Hashing and SeedData are leaves.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]
/// Built for the baseline of the target architecture, so a binary runs on any CPU of it and the package can be a
/// dependency (SwiftPM refuses unsafe flags there). Local benchmarks may opt in to a CPU: `ENGAGE_TARGET_CPU=haswell`
/// compiles the ML kernels for AVX2 and FMA (SIMD four doubles wide instead of two); results do not change (no
/// fast-math, no FP contraction). The bench scripts build so, in their own build folder.
let vectorUnits: [SwiftSetting] = Context.environment["ENGAGE_TARGET_CPU"].map { [.unsafeFlags(["-target-cpu", $0])] } ?? []
/// What every command-line executable links.
let commandLine: [Target.Dependency] = [
    "MongoKit",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "Logging", package: "swift-log"),
]

let package = Package(
    name: "EngageML",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "engage", targets: ["EngageCLI"]),
        .executable(name: "engage-bench", targets: ["EngageBench"]),
        .library(name: "BSON", targets: ["BSON"]),
        .library(name: "MongoKit", targets: ["MongoKit"]),
        .library(name: "EngageML", targets: ["EngageML"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Feature set files (features/NAME.yaml); the tests read openapi.yaml with it too.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMongoC",
            pkgConfig: "libmongoc-1.0",
            providers: [.apt(["libmongoc-dev", "libbson-dev"])]
        ),
        .target(
            name: "BSON",
            swiftSettings: strict
        ),
        .target(
            name: "MongoKit",
            dependencies: [
                "BSON", "CMongoC",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "DelimitedText",
            swiftSettings: strict
        ),
        .target(
            name: "Hashing",
            swiftSettings: strict
        ),
        .target(
            name: "SourceSchemas",
            dependencies: ["BSON"],
            swiftSettings: strict
        ),
        .target(
            name: "Collectors",
            dependencies: [
                "MongoKit", "SourceSchemas", "DelimitedText", "Hashing",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Features",
            dependencies: [
                "MongoKit", "EngageML", "Hashing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Catalog")],
            swiftSettings: strict
        ),
        .target(
            name: "Registry",
            dependencies: ["MongoKit", "EngageML", "Hashing"],
            swiftSettings: strict
        ),
        .target(
            name: "Training",
            dependencies: ["Features", "EngageML", "Registry", "MongoKit", "Hashing"],
            swiftSettings: strict
        ),
        .target(
            name: "Reports",
            dependencies: ["Training", "Registry", "Features", "EngageML", "MongoKit", "Charts"],
            swiftSettings: strict
        ),
        .target(
            name: "Charts",
            swiftSettings: strict
        ),
        .target(
            name: "Insights",
            dependencies: ["Features", "SourceSchemas", "MongoKit"],
            swiftSettings: strict
        ),
        .target(
            name: "Serving",
            dependencies: [
                "Registry", "Features", "SourceSchemas", "EngageML", "MongoKit", "Hashing", "Insights", "Charts", "DelimitedText",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SeedData",
            dependencies: ["Hashing"],
            swiftSettings: strict
        ),
        .target(
            name: "EngageML",
            dependencies: ["DelimitedText"],
            swiftSettings: strict + vectorUnits
        ),
        .executableTarget(
            name: "EngageCLI",
            dependencies: commandLine + [
                "EngageML", "SourceSchemas", "Collectors", "Features", "Training", "Registry", "Reports", "Serving", "SeedData",
                "Insights", "DelimitedText",
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "EngageBench",
            dependencies: commandLine + ["EngageML"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EngageMLTests",
            dependencies: ["EngageML"],
            exclude: ["Fixtures/known_answers.py"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DelimitedTextTests",
            dependencies: ["DelimitedText"],
            swiftSettings: strict
        ),
        .target(
            name: "EngageTestSupport",
            dependencies: [
                "MongoKit",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/EngageTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CollectorsTests",
            dependencies: [
                "Collectors", "SourceSchemas", "EngageTestSupport", "Hashing", "SeedData",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FeaturesTests",
            dependencies: ["Features", "Collectors", "SourceSchemas", "SeedData", "EngageTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: ["Registry", "Training", "Features", "EngageML", "EngageTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServingTests",
            dependencies: [
                "Serving", "Training", "Registry", "Features", "SourceSchemas", "EngageML", "EngageTestSupport", "Hashing", "Insights",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "Registry", "EngageML", "MongoKit", "EngageTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SeedDataTests",
            dependencies: ["SeedData"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SourceSchemasTests",
            dependencies: ["SourceSchemas", "BSON"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "InsightsTests",
            dependencies: ["Insights", "MongoKit", "EngageTestSupport", "Collectors", "SourceSchemas", "Features"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ChartsTests",
            dependencies: ["Charts"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "Training", "Registry", "Features", "EngageML", "EngageTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EngageCLITests",
            dependencies: [
                "EngageCLI", "EngageTestSupport", "SeedData", "Collectors", "Features", "Training", "Registry", "MongoKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HashingTests",
            dependencies: ["Hashing"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BSONTests",
            dependencies: ["BSON"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MongoKitTests",
            dependencies: ["MongoKit", "CMongoC", "EngageTestSupport"],
            swiftSettings: strict
        ),
    ]
)
