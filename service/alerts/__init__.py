"""New-video alerts and topic follows, without Discord.

- `state`: AlertStore, alert targets, follows and the exactly-once ledgers in SQLite
  (`<data_dir>/alerts.sqlite3`).
- `matching`: TopicMatcher, whether a new video matches a followed topic (threshold tuned on
  the shared corpus; the numbers are in its docstring), over a TopicEvidence Protocol.
- `messages`: what an alert says (new video, digest, follow notification), as plain data.
- `dispatcher`: Dispatcher, what is pending and sending it through an AlertSender with retries;
  a sender raises TargetGone for a target that can never be reached.
Elsewhere: the inbox watcher is `app.watcher`; the Discord side is `bot.cogs.alerts` (commands),
`bot.alert_sender` (the AlertSender) and `bot.alert_messages` (alerts as Discord messages).
"""
