"""The CLI contracts of DESIGN.md, through `app.cli.main` as the console script calls it; the
console script itself (a new process) for the first ingest, a closed pipe and read-only mounts."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from app.cli import build_parser, main
from bench.chroma_server import free_port, start_chroma, stop_chroma
from store.index.keyword_index import TantivyKeywordIndex
from tests.app.test_logs import logging_restored
from tests.fixtures_store import CORPUS, TIMED

NEWSREEL = str(Path(sys.executable).parent / "newsreel")

pytestmark = [pytest.mark.cli, pytest.mark.model]


def newsreel(
    data_dir: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`newsreel *args` run in this process: the same `main` the console script calls, with
    its own environment, stdin, stdout and stderr, and its exit code. One import of the models'
    libraries serves every call (a fresh process spends 10–15 s on that alone); the console
    script itself is run by `newsreel_script`."""
    full_env = {"NEWSREEL_DATA_DIR": str(data_dir), "NEWSREEL_CONFIG": "", **(env or {})}
    out, err = io.StringIO(), io.StringIO()
    with (
        logging_restored(),  # main sets logging up for a terminal, as for a process of its own
        mock.patch.dict(os.environ, full_env),
        mock.patch.object(sys, "stdin", io.StringIO(stdin or "")),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's own refusals
            code = exit_.code if isinstance(exit_.code, int) else 2
    return subprocess.CompletedProcess(["newsreel", *args], code, out.getvalue(), err.getvalue())


def newsreel_script(
    data_dir: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`newsreel *args` as a user runs it: the installed console script, in a new process."""
    full_env = {**os.environ, "NEWSREEL_DATA_DIR": str(data_dir), "NEWSREEL_CONFIG": "",
                **(env or {})}
    return subprocess.run(
        [NEWSREEL, *args], input=stdin, capture_output=True, text=True, env=full_env,
        timeout=600, check=False,
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli-data")
    first = newsreel_script(data, "ingest", str(CORPUS), "--timings", str(TIMED))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == "ingested 8, unchanged 0, rejected 0"
    return data


def test_reingest_is_unchanged(ingested: Path) -> None:
    again = newsreel(ingested, "ingest", str(CORPUS), "--timings", str(TIMED))
    assert again.returncode == 0
    assert again.stdout.strip() == "ingested 0, unchanged 8, rejected 0"


def test_stats_json(ingested: Path) -> None:
    out = newsreel(ingested, "stats", "--json")
    stats = json.loads(out.stdout)
    assert stats["videos"] == 8 and stats["chunks"] > 8
    assert stats["channels"] == {"BBC News": 7, "DW News": 1}
    assert stats["last_ingest"].startswith("20")


def test_search_json_contract(ingested: Path) -> None:
    out = newsreel(ingested, "search", "--json", "-k", "3", "floods in Mozambique")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["question"] == "floods in Mozambique"
    hit = obj["hits"][0]
    assert set(hit) == {"video_id", "title", "channel", "published", "quote", "focus",
                        "start_s", "url", "score"}
    assert hit["video_id"] == "kYHHg6oV8A4" and hit["published"] == "2026-01-29"
    # The passage shown is its window (up to 120 words); the focus is a verbatim part of it.
    assert 60 < len(hit["quote"].split()) <= 120 and hit["focus"]
    assert hit["focus"] in hit["quote"] and len(hit["focus"].split()) <= 60
    assert isinstance(hit["start_s"], float) and "&t=" in hit["url"]
    assert len(obj["hits"]) <= 3


def test_search_batch_from_stdin(ingested: Path) -> None:
    questions = "floods in Mozambique\nwho won the eurovision song contest\n\ngold price record\n"
    out = newsreel(ingested, "search", "--json", "-k", "2", "-", stdin=questions)
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["question"] for x in lines] == [
        "floods in Mozambique", "who won the eurovision song contest", "gold price record",
    ]
    assert lines[1]["hits"] == [] and lines[0]["hits"] and lines[2]["hits"]


def test_search_filters(ingested: Path) -> None:
    out = newsreel(ingested, "search", "--json", "--channel", "DW News", "Iran Israel")
    hits = json.loads(out.stdout)["hits"]
    assert hits and {h["channel"] for h in hits} == {"DW News"}
    out = newsreel(ingested, "search", "--json", "--since", "2026-02-01", "--until",
                   "2026-02-28", "police")
    assert all("2026-02" in h["published"] for h in json.loads(out.stdout)["hits"])


def test_bad_arguments_are_one_clear_line(ingested: Path) -> None:
    out = newsreel(ingested, "search", "--json", "--since", "2026-02-30", "police")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr == (
        "newsreel: error: --since must be a date like 2024-08-13, not “2026-02-30”.\n")
    out = newsreel(ingested, "search", "--since", "2026-03-01", "--until", "2026-02-01", "floods")
    assert out.returncode == 2 and "after --until" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    out = newsreel(ingested, "ingest", "/no/such/folder")
    assert out.returncode == 2 and "no such file" in out.stderr
    # A mistyped timings folder is refused before anything is ingested without its cue times.
    before = newsreel(ingested, "stats", "--json").stdout
    out = newsreel(ingested, "ingest", str(CORPUS), "--timings", "/no/such/timings")
    assert out.returncode == 2 and out.stderr == (
        "newsreel: error: --timings: no such folder: /no/such/timings\n")
    assert newsreel(ingested, "stats", "--json").stdout == before
    # An option the command does not take: that command's usage, not the list of commands.
    out = newsreel(ingested, "ask", "--bogus", "floods")
    assert out.returncode == 2 and out.stderr.startswith("usage: newsreel ask ")
    assert out.stderr.endswith("newsreel ask: error: unrecognized arguments: --bogus\n")


def test_ctrl_c_while_starting_is_one_line(tmp_path: Path) -> None:
    # Interrupted while its libraries still load (the first second or so), as a user who
    # changes their mind does: one line and 130, as at any later moment.
    env = {**os.environ, "NEWSREEL_DATA_DIR": str(tmp_path), "NEWSREEL_CONFIG": ""}
    proc = subprocess.Popen([NEWSREEL, "stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out, err) == (130, "", "newsreel: interrupted\n")


def test_ask_and_quote_read_well(ingested: Path) -> None:
    out = newsreel(ingested, "ask", "how bad are the floods in Mozambique")
    assert out.returncode == 0
    assert "'Worst floods in a generation' sweep Mozambique | BBC News" in out.stdout
    assert "BBC News · 2026-01-29" in out.stdout
    assert "https://www.youtube.com/watch?v=" in out.stdout
    out = newsreel(ingested, "ask", "who won the eurovision song contest")
    assert out.stdout.strip() == "No coverage found for that question in the ingested videos."
    # Remembered with a word changed: found, with its closeness, quoted as spoken.
    out = newsreel(ingested, "quote", "mozambique is facing its worst floods in decades")
    assert "closest match" in out.stdout and "worst flooding in decades" in out.stdout
    # A line remembered by its gist: no line is passed off as it; the passage that answers
    # the gist is shown as the closest passage.
    out = newsreel(ingested, "quote", "mozambique floods leave people without food and shelter")
    assert "no line with these words: the closest passage" in out.stdout
    assert "Mozambique" in out.stdout and "exact match" not in out.stdout
    out = newsreel(ingested, "quote", "who won the eurovision song contest")
    assert out.stdout.strip() == "No line like that was found in the ingested videos."


def test_filters_that_pass_no_video_are_named_as_the_reason(ingested: Path) -> None:
    out = newsreel(ingested, "ask", "--until", "2001-01-01", "mandelson")
    assert out.returncode == 0 and out.stdout.strip() == (
        "No ingested video matches the filters (until 2001-01-01), so nothing was searched:"
        " widen the dates or choose another channel (`newsreel stats` lists them)."
    )
    # Filters that pass videos, with nothing in them on the question: the usual answer.
    out = newsreel(ingested, "ask", "--channel", "dw news", "who won the eurovision song contest")
    assert out.stdout.strip() == "No coverage found for that question in the ingested videos."


def test_every_command_gives_the_same_reason_for_an_empty_answer(ingested: Path) -> None:
    filters = ("--since", "2099-01-01")
    said = (
        "No ingested video matches the filters (since 2099-01-01), so nothing was searched:"
        " widen the dates or choose another channel (`newsreel stats` lists them)."
    )
    for command in ("ask", "search", "quote"):
        out = newsreel(ingested, command, *filters, "worst flooding in decades")
        assert (out.returncode, out.stdout.strip()) == (0, said), command
    out = newsreel(ingested, "search", "--json", *filters, "floods in Mozambique")
    assert json.loads(out.stdout) == {
        "question": "floods in Mozambique", "hits": [], "reason": "no_video_matches_filters"
    }
    out = newsreel(ingested, "quote", "--json", *filters, "worst flooding in decades")
    assert json.loads(out.stdout) == {
        "text": "worst flooding in decades", "match": None, "reason": "no_video_matches_filters"
    }
    # Batch mode says why a line has no hits, as single mode does (there, as an exit-2 error).
    questions = "what is the\nwho won the eurovision song contest\nfloods in Mozambique\n"
    out = newsreel(ingested, "search", "--json", "-", stdin=questions)
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o.get("reason") for o in objs] == ["only_common_words", "nothing_found", None]
    assert objs[0]["hits"] == [] and objs[1]["hits"] == [] and objs[2]["hits"]
    single = newsreel(ingested, "search", "--json", "what is the")
    assert single.returncode == 2 and "only common ones" in single.stderr
    out = newsreel(ingested, "search", "-", stdin="what is the\n")
    assert out.stdout.strip() == single.stderr.strip().removeprefix("newsreel: error: ")
    # A line nothing says, whose gist the ask pipeline cannot answer either (no "closest").
    out = newsreel(ingested, "quote", "--json", "-", stdin="the eurovision song contest winner\n")
    obj = json.loads(out.stdout)
    assert obj["match"] is None and obj["reason"] == "nothing_found"


def test_quote_json_contract(ingested: Path) -> None:
    out = newsreel(ingested, "quote", "--json", "mozambique is facing its worst floods in decades")
    obj = json.loads(out.stdout)
    assert obj["text"] == "mozambique is facing its worst floods in decades"
    match = obj["match"]
    assert set(match) == {
        "video_id", "title", "channel", "published", "quote", "focus", "start_s", "url",
        "closeness", "kind",
    }
    assert match["video_id"] == "kYHHg6oV8A4" and 0.7 <= match["closeness"] < 1.0
    assert "worst flooding in decades" in match["quote"] and match["kind"] == "near"
    assert match["focus"] in match["quote"]
    lines = "the and of what\nMozambique is facing its worst flooding in decades\n"
    out = newsreel(ingested, "quote", "--json", "-", stdin=lines)
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["text"] for o in objs] == [
        "the and of what", "Mozambique is facing its worst flooding in decades"
    ]
    assert objs[0]["match"] is None and objs[1]["match"]["closeness"] == 1.0
    assert objs[1]["match"]["kind"] == "exact"
    gist = "mozambique floods leave people without food and shelter"
    out = newsreel(ingested, "quote", "--json", gist)
    closest = json.loads(out.stdout)["match"]
    assert closest["kind"] == "closest" and closest["video_id"] == "kYHHg6oV8A4"
    assert closest["focus"] in closest["quote"] and closest["closeness"] < 0.7


def test_rejected_files_exit_1_and_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "101_e4b1773efc433d5e.txt", folder)
    (folder / "broken.txt").write_text("<video_id>abcdefghijk</video_id>\n")
    out = newsreel(tmp_path / "data", "ingest", str(folder))
    assert out.returncode == 1
    assert out.stdout.strip() == "ingested 1, unchanged 0, rejected 1"
    assert "broken.txt" in out.stderr and "missing" in out.stderr


def test_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[store]\nmode = 'cloud'\n")
    out = newsreel(tmp_path, "stats", env={"NEWSREEL_CONFIG": str(cfg)})
    assert out.returncode == 2 and "mode" in out.stderr and "Traceback" not in out.stderr


# --- every bad command or setting gets a clear answer -----------------------------------------


@pytest.mark.parametrize(
    "argv",
    [("ask", "   "), ("search", "--json", ""), ("quote", " \t "), ("ask", "-k", "0", "gold"),
     ("search", "-k", "many", "gold"), ("ask", "--until", "last week", "gold"),
     ("ask", "what did they say?")],
)
def test_a_bad_argument_is_refused_before_anything_opens(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    data = tmp_path / "data"
    out = newsreel(data, *argv)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("newsreel: error: ") and out.stderr.count("\n") == 1
    hints = ("Please type a", "-k must be", "--until must be", "no words to search for")
    assert any(hint in out.stderr for hint in hints)
    assert not data.exists(), "no store (nor model) is opened for a bad argument"


def test_an_unknown_channel_or_video_is_named_with_what_is_known(ingested: Path) -> None:
    out = newsreel(ingested, "ask", "--channel", "bbc", "floods in Mozambique")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == (
        "newsreel: error: No videos from a channel called “bbc”. Did you mean “BBC News”? "
        "Known channels: BBC News, DW News.\n")
    unknown = "https://youtu.be/abcdefghijk"
    out = newsreel(ingested, "search", "--json", "--video", unknown, "floods")
    assert out.returncode == 2 and "No ingested video has the id “abcdefghijk”" in out.stderr
    link = "https://www.youtube.com/watch?v=kYHHg6oV8A4&t=18s"
    out = newsreel(ingested, "search", "--json", "--video", link, "floods")
    hits = json.loads(out.stdout)["hits"]
    assert hits and {h["video_id"] for h in hits} == {"kYHHg6oV8A4"}
    out = newsreel(ingested, "search", "--json", "--channel", "dw news", "Iran")
    assert {h["channel"] for h in json.loads(out.stdout)["hits"]} == {"DW News"}


def test_output_into_a_closed_pipe_ends_quietly(ingested: Path) -> None:
    env = {**os.environ, "NEWSREEL_DATA_DIR": str(ingested), "NEWSREEL_CONFIG": ""}
    proc = subprocess.Popen([NEWSREEL, "ask", "floods in Mozambique"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # as `| head` does once it has its lines
    _, err = proc.communicate(timeout=300)
    assert err == "" and proc.returncode == 141  # 128 + SIGPIPE, as a Unix tool ends


@pytest.mark.parametrize(
    ("toml", "expected"),
    [("[ingest]\nwindow = 10\noverlap = 30\n",
      "[ingest]: overlap (30) must be smaller than window (10)"),
     ("[model]\nbatch_size = 0\n", "[model]: batch_size = 0: Input should be greater than"),
     ("[ingest]\noverlap = -5\n", "[ingest]: overlap = -5: Input should be greater than"),
     ("[model]\ndtype = \"banana\"\n", "[model]: dtype = 'banana': Input should be 'auto',")],
)
def test_a_bad_setting_is_one_line_when_the_file_loads(
    tmp_path: Path, toml: str, expected: str
) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    for argv in (("stats",), ("ingest", str(CORPUS))):
        out = newsreel(tmp_path / "data", *argv, env={"NEWSREEL_CONFIG": str(cfg)})
        assert out.returncode == 2
        assert out.stderr.startswith(f"newsreel: error: {cfg} {expected}")
        assert out.stderr.count("\n") == 1 and not (tmp_path / "data").exists()


def test_every_option_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        for action in command._actions:
            if action.dest != "help":
                assert action.help, f"newsreel {name} {action.option_strings or action.dest}"


def read_only_run(
    data: Path, *args: str, config: str = ""
) -> subprocess.CompletedProcess[str]:
    """newsreel with `data` truly read-only: a read-only bind mount seen by that process only
    (root ignores permission bits), or, for another user, the write bits removed."""
    env = {**os.environ, "NEWSREEL_DATA_DIR": str(data), "NEWSREEL_CONFIG": config}
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [data, *data.rglob("*")]}
        for p, mode in modes.items():
            p.chmod(mode & ~0o222)
        try:
            return subprocess.run([NEWSREEL, *args], capture_output=True, text=True, env=env,
                                  timeout=300, check=False)
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
    private = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount --bind -o ro "$0" "$0" && exec "$@"', str(data)]
    probe = subprocess.run([*private, "true"], capture_output=True, text=True, check=False) \
        if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip("root here cannot make a read-only mount, and ignores permission bits")
    return subprocess.run([*private, NEWSREEL, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_a_read_only_data_folder_is_named_and_reading_still_works(
    ingested: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ingested, data)
    out = read_only_run(data, "stats", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["videos"] == 8

    out = read_only_run(data, "ingest", str(CORPUS))
    assert out.returncode == 2 and "rebuild" not in out.stderr and "unreadable" not in out.stderr
    catalog = data / "catalog.sqlite3"
    assert out.stderr.startswith(f"newsreel: error: cannot write {catalog}: {data} is ")
    assert "-wal/-shm" in out.stderr

    out = read_only_run(data, "rebuild")
    assert out.returncode == 2
    assert out.stderr.startswith(f"newsreel: error: cannot rebuild: {data} is ")
    assert "writes a new catalog (catalog.sqlite3) and vector index (chroma/)" in out.stderr

    out = read_only_run(data, "search", "--json", "floods")
    assert out.returncode == 2
    assert out.stderr.startswith(f"newsreel: error: cannot open the vector index {data / 'chroma'}")
    assert "Chroma writes to its folder even to search" in out.stderr
    assert sorted(p.name for p in data.iterdir()) == ["catalog.sqlite3", "chroma", "keyword"]


@pytest.mark.server
def test_a_read_only_data_folder_answers_searches_in_server_mode(tmp_path: Path) -> None:
    port = free_port()
    server = start_chroma(tmp_path / "server", port)
    try:
        cfg = tmp_path / "server.toml"
        cfg.write_text(f'[store]\nmode = "server"\nchroma_port = {port}\n')
        data = tmp_path / "data"
        out = newsreel(data, "ingest", str(CORPUS), env={"NEWSREEL_CONFIG": str(cfg)})
        assert out.returncode == 0, out.stderr
        out = read_only_run(data, "search", "--json", "floods in Mozambique", config=str(cfg))
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["hits"][0]["video_id"] == "kYHHg6oV8A4"
    finally:
        stop_chroma(server)


def test_ingest_without_a_terminal_prints_progress_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.cli_ingest.PROGRESS_EVERY_S", 0.0)  # a line for every step
    out = newsreel(tmp_path / "data", "ingest", str(CORPUS))
    assert out.returncode == 0, out.stderr
    lines = [x for x in out.stderr.splitlines() if x.startswith("ingesting: ")]
    assert lines and all(x.endswith(" of 8 files done") for x in lines)
    assert out.stdout.strip() == "ingested 8, unchanged 0, rejected 0"


@pytest.mark.parametrize(
    "command",
    [["ask", "floods in Mozambique"], ["search", "--json", "floods"], ["quote", "x y"], ["stats"]],
)
def test_reading_a_data_folder_that_does_not_exist_says_where_it_looked_and_makes_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    out = newsreel(elsewhere, *command)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith(f"newsreel: error: nothing is ingested in {elsewhere}")
    assert "newsreel ingest" in out.stderr and "NEWSREEL_DATA_DIR" in out.stderr
    assert not elsewhere.exists()


def test_asking_an_empty_data_folder_says_where_it_looked(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    assert newsreel(empty, "ingest", str(tmp_path / "nothing-here")).returncode != 0
    assert (empty / "catalog.sqlite3").exists()
    out = newsreel(empty, "ask", "floods in Mozambique")
    assert out.returncode == 0
    assert out.stdout.startswith(f"Nothing is ingested in {empty} yet")
    out = newsreel(empty, "stats")
    assert out.stdout.strip().endswith(f"data in {empty}")


def test_a_lost_keyword_index_is_refilled_on_disk_by_the_first_question(
    ingested: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ingested, data)
    shutil.rmtree(data / "keyword")
    out = newsreel(data, "search", "--json", "-k", "1", "floods in Mozambique")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["hits"][0]["video_id"] == "kYHHg6oV8A4"
    assert (data / "keyword" / "newsreel-version").is_file()  # kept for the next command
    stats = json.loads(newsreel(data, "stats", "--json").stdout)
    assert TantivyKeywordIndex(data / "keyword", read_only=True).count() == stats["chunks"]
