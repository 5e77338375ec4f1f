"""Use cases shared by the terminal and Discord front ends, over the store; no Discord here."""
