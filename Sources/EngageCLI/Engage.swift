import ArgumentParser
import Training

/// `engage`: the one entry point of EngageML.
@main
struct Engage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engage",
        abstract: "Collect content data into MongoDB, build features, train and serve engagement models.",
        version: TrainingRun.codeVersion,
        subcommands: [
            DatabaseCommand.self, CollectCommand.self, FeaturesCommand.self, TrainCommand.self, ModelsCommand.self, EvaluateCommand.self,
            PredictCommand.self, ServeCommand.self, InsightsCommand.self, AudienceCommand.self, SeedsCommand.self,
        ]
    )
}
