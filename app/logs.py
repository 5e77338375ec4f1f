"""Logging set-up in one place: the line format, the level, and third-party libraries kept quiet."""

from __future__ import annotations

import logging
import os

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(debug: bool = False) -> None:
    """Log to stderr at WARNING (DEBUG with `debug`); unless debugging, quiet chatty libraries."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format=LOG_FORMAT)
    # The one-time export of the question encoders takes seconds: its line per model is shown.
    logging.getLogger("store.encoders.onnx_query").setLevel(
        logging.DEBUG if debug else logging.INFO
    )
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
