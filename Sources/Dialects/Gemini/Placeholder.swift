import SwitchyardCore

/// Placeholder until the Gemini codec lands.
enum GeminiDialectPlaceholder {}
