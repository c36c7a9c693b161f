import SwitchyardCore

/// Placeholder until the Cohere codec lands.
enum CohereDialectPlaceholder {}
