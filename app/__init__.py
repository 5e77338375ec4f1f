"""The composition root: configuration, wiring, the CLI, serving the bot, the inbox watcher."""
