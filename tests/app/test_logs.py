"""Log set-up: notices are plain lines in a terminal, log lines with --debug and in the bot."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import NOTICE_LOGGERS, PlainNotices, configure_logging
from store.encoders import onnx_query
from store.encoders.onnx_query import EXPORT_NOTICE, PROBES, QueryRuntime, Rows
from tests.store.encoders.test_onnx_query import token_sums, write_token_counter


@contextlib.contextmanager
def logging_restored() -> Iterator[None]:
    """Undo what configure_logging does to the notice loggers (the end of a process would)."""
    loggers = [logging.getLogger(name) for name in NOTICE_LOGGERS]
    saved = [(lg.level, lg.propagate, list(lg.handlers)) for lg in loggers]
    try:
        yield
    finally:
        for lg, (level, propagate, handlers) in zip(loggers, saved, strict=True):
            lg.setLevel(level)
            lg.propagate = propagate
            lg.handlers[:] = handlers


@pytest.fixture
def notices() -> Iterator[logging.Logger]:
    """The encoder-export logger, restored after the test (configure_logging changes it)."""
    with logging_restored():
        yield logging.getLogger(NOTICE_LOGGERS[0])


def test_a_notice_is_a_plain_line_on_stderr(
    notices: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging()
    configure_logging()  # configured twice (tests, a second main): still one line
    notices.info(EXPORT_NOTICE)
    notices.debug("exported to /somewhere")
    notices.warning("sentence: question encoding stays on torch (OSError: read-only)")
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "preparing the question encoders, once per machine, ~10 s",
        "warning: sentence: question encoding stays on torch (OSError: read-only)",
    ]


@pytest.mark.parametrize("how", [{"debug": True}, {"bot": True}])
def test_with_debug_or_in_the_bot_a_notice_is_a_log_record(
    notices: logging.Logger, how: dict[str, bool], caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()
    configure_logging(**how)
    assert notices.propagate and not any(isinstance(h, PlainNotices) for h in notices.handlers)
    with caplog.at_level(logging.INFO, logger=notices.name):
        notices.info(EXPORT_NOTICE)
    assert EXPORT_NOTICE in [r.getMessage() for r in caplog.records]  # reached the root's log
    assert EXPORT_NOTICE + "\n" not in capsys.readouterr().err  # and no plain line besides


def test_both_encoders_exported_say_one_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(onnx_query, "_announced", False)

    def exporter(folder: Path) -> Rows:
        write_token_counter(folder)
        return token_sums(PROBES)

    with caplog.at_level(logging.INFO, logger=NOTICE_LOGGERS[0]):
        for kind in ("dense", "sparse"):
            assert QueryRuntime(kind, "m", exporter, tmp_path).model() is not None
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        EXPORT_NOTICE
    ]
