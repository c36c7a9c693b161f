import SwitchyardCore

/// Placeholder until the Bedrock codec lands.
enum BedrockDialectPlaceholder {}
