"""Config files are checked when they load: each bad setting is one line naming file and section."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from app.config import Config, ConfigError, StoreConfig, load_config

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "newsreel.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[ingest]\nwindow = 10\noverlap = 30",
         "[ingest]: overlap (30) must be smaller than window (10)"),
        ("[model]\nbatch_size = 0", "[model]: batch_size = 0: Input should be greater than"),
        ("[ingest]\noverlap = -5", "[ingest]: overlap = -5: Input should be greater than"),
        ("[model]\ndtype = 'banana'",
         "[model]: dtype = 'banana': Input should be 'auto', 'bfloat16' or 'float32'"),
        ("[store]\nmode = 'cloud'", "[store]: mode = 'cloud': Input should be 'embedded' or"),
        ("[store]\nchroma_port = 70000", "[store]: chroma_port = 70000: Input should be less"),
        ("[model]\nbatch_size = true", "[model]: batch_size = True: Input should be a valid"),
        ("[ingest]\nwindow = '120'", "[ingest]: window = '120': Input should be a valid integer"),
        ("[discord]\nresults_per_page = 2.5", "[discord]: results_per_page = 2.5: Input should"),
        ("[alerts]\nchannel_ids = [5, 0]", "[alerts]: channel_ids = [5, 0] (item 2): Input"),
        ("[alerts]\nfollow_threshold = 1.5", "[alerts]: follow_threshold = 1.5: Input should be"),
        ("[model]\nbatchsize = 8\ndtype = 3",
         "[model]: unknown setting 'batchsize' (known: name, dtype, batch_size, sparse_name,"
         " query_runtime)"),
        ("[modle]\nname = 'x'", ": unknown section [modle] (known: store, model,"),
    ],
)
def test_a_bad_setting_is_one_line_naming_file_and_section(
    tmp_path: Path, toml: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, toml)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "newsreel.toml")) and expected in message
    assert "\n" not in message


def test_every_setting_is_in_the_example_and_refuses_a_wrong_type(tmp_path: Path) -> None:
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    tomllib.loads(example)
    for section in fields(Config):
        defaults = section.default_factory()  # type: ignore[operator]
        for setting in fields(defaults):
            assert re.search(rf"^(# )?{setting.name} = ", example, re.M), (
                f"[{section.name}] {setting.name} is missing from config.example.toml")
            text_like = isinstance(getattr(defaults, setting.name), str | Path)
            wrong = "3" if text_like else '"text"'
            with pytest.raises(ConfigError, match=rf"\[{section.name}\]: {setting.name} = "):
                load(tmp_path, f"[{section.name}]\n{setting.name} = {wrong}")


def test_good_values_load_and_relative_folders_follow_the_file(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[store]\ndata_dir = 'd'\n[alerts]\nmax_age_hours = 12\n"
                         "channel_ids = [123]\n[ingest]\nwindow = 90\noverlap = 0\n")
    assert cfg.store.data_dir == tmp_path / "d"
    assert cfg.alerts.max_age_hours == 12.0 and cfg.alerts.channel_ids == (123,)
    assert (cfg.ingest.window, cfg.ingest.overlap) == (90, 0)
    folders = load(tmp_path, "[ingest]\ntimings = ['captions', '/srv/vtt']\n"
                             "[alerts]\ninboxes = ['inbox']\n")
    assert folders.ingest.timings == (tmp_path / "captions", Path("/srv/vtt"))
    assert folders.alerts.inboxes == (tmp_path / "inbox",)
    assert folders.store.data_dir == Config().store.data_dir  # not in the file: the cwd's
    assert load_config(ROOT / "config.example.toml") == Config(
        store=StoreConfig(data_dir=ROOT / "data"))
