"""The Discord app, the CLI and the one place that wires the store's adapters together."""
