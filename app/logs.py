"""Logging set-up in one place: the line format, the level, and third-party libraries kept quiet."""

from __future__ import annotations

import logging
import os
import sys

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# Loggers whose INFO lines are notices for the person at the terminal (the one-time export of
# the question encoders takes seconds), not records for a log.
NOTICE_LOGGERS = ("store.encoders.onnx_query",)


class PlainNotices(logging.Handler):
    """Writes a record as a plain line on stderr, like the CLI's other lines ("warning: " before
    a warning); looks sys.stderr up at each line, so a redirected stderr gets it."""

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record's message (and its level when it is a warning or worse)."""
        try:
            message = self.format(record)
            if record.levelno >= logging.WARNING:
                message = f"{record.levelname.lower()}: {message}"
            print(message, file=sys.stderr, flush=True)
        except Exception:
            self.handleError(record)


def configure_logging(debug: bool = False, bot: bool = False) -> None:
    """Log to stderr at WARNING (DEBUG with `debug`); unless debugging, quiet chatty libraries.

    Notices (NOTICE_LOGGERS at INFO) are plain lines in a terminal; with `debug`, or in the
    bot's log (`bot`), they are log lines like the rest.
    """
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format=LOG_FORMAT)
    for name in NOTICE_LOGGERS:
        notices = logging.getLogger(name)
        notices.setLevel(logging.DEBUG if debug else logging.INFO)
        for handler in [h for h in notices.handlers if isinstance(h, PlainNotices)]:
            notices.removeHandler(handler)
        plain = not (debug or bot)
        notices.propagate = not plain
        if plain:
            notices.addHandler(PlainNotices())
    if not debug:
        quiet_libraries()


def quiet_libraries() -> None:
    """Silence model-loading progress bars and chatty library warnings."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # transformers' weight-loading bar
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    for name in ("chromadb", "sentence_transformers", "transformers", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)
