"""The cogs: one per group of commands, each given its services by constructor."""
