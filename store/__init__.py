"""Transcripts → chunks → embeddings → search. Never imports discord or bot."""
