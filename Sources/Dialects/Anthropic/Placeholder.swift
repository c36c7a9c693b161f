import SwitchyardCore

/// Placeholder until the Anthropic codec lands.
enum AnthropicDialectPlaceholder {}
