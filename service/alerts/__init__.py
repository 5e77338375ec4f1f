"""New-video alerts and topic follows.

Pure logic and adapters, kept apart:
- `state`: AlertStore, alert targets, follows and the exactly-once ledgers in SQLite
  (`<data_dir>/alerts.sqlite3`).
- `matching`: TopicMatcher, whether a new video matches a followed topic (threshold tuned on
  the shared corpus; the numbers are in its docstring).
- `messages`: the messages themselves (new video, digest, follow notification), pure.
- `dispatcher`: Dispatcher, what is pending and sending it through an AlertSender with retries.
- `watcher`: InboxWatcher, inbox folders → Library.ingest; `run_watch` for `newsreel watch`.
The Discord side (commands, AlertSender over discord.py) is `bot.cogs.alerts`.
"""
