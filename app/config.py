"""Configuration: built-in defaults, a TOML file (`--config` or NEWSREEL_CONFIG), env overrides.

Every setting is declared once below with its type and range (pydantic checks them when the file
loads, and whenever a section is built in code); adding a setting is one annotated line.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import field, fields, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Strict, ValidationError, model_validator
from pydantic.dataclasses import dataclass

from service.requests import ASK_K
from store.encoders import DEFAULT_MODEL, DEFAULT_SPARSE_MODEL
from store.errors import NewsreelError
from store.sources import DEFAULT_OVERLAP, DEFAULT_WINDOW

# Unknown keys are refused: a typo must not silently fall back to the default.
STRICT = ConfigDict(extra="forbid")

# TOML is typed, so no coercion: `batch_size = true` or `window = "100"` is a mistake.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]  # a TOML integer is fine here
Count = Annotated[Int, Field(ge=1)]
Seconds = Annotated[Float, Field(ge=0)]
Port = Annotated[Int, Field(ge=1, le=65535)]
DiscordId = Annotated[Int, Field(ge=1)]
Text = Annotated[str, Strict(), Field(min_length=1)]


@dataclass(frozen=True, config=STRICT)
class StoreConfig:
    """Where data lives and which Chroma engine holds the vectors."""

    data_dir: Path = Path("data")
    mode: Literal["embedded", "server"] = "embedded"
    chroma_host: Text = "127.0.0.1"
    chroma_port: Port = 8000


@dataclass(frozen=True, config=STRICT)
class ModelConfig:
    """The embedding model and the sparse relevance model (reranker)."""

    name: Text = DEFAULT_MODEL
    dtype: Literal["auto", "bfloat16", "float32"] = "auto"  # for both models
    batch_size: Annotated[Int, Field(ge=1, le=4096)] = 64
    sparse_name: Annotated[str, Strict()] = DEFAULT_SPARSE_MODEL  # "" turns the reranker off
    # What encodes a question with both models: ONNX Runtime from an export made once into the
    # model cache ($NEWSREEL_MODEL_CACHE, else ~/.cache/newsreel/onnx), or torch.
    query_runtime: Literal["onnx", "torch"] = "onnx"


@dataclass(frozen=True, config=STRICT)
class IngestConfig:
    """Chunking and default timings folders."""

    window: Annotated[Int, Field(ge=10, le=1000)] = DEFAULT_WINDOW  # words
    overlap: Annotated[Int, Field(ge=0)] = DEFAULT_OVERLAP  # words, less than window
    timings: tuple[Path, ...] = ()
    caption_languages: tuple[Text, ...] = ("en",)  # caption track preference, best first

    @model_validator(mode="after")
    def _overlap_below_window(self) -> IngestConfig:
        if self.overlap >= self.window:
            raise ValueError(
                f"overlap ({self.overlap}) must be smaller than window ({self.window}),"
                " or windows would never advance"
            )
        return self


@dataclass(frozen=True, config=STRICT)
class DiscordConfig:
    """Bot behaviour (the token comes only from DISCORD_TOKEN)."""

    test_guild_id: DiscordId | None = None
    cooldown_seconds: Seconds = 5.0
    results_per_page: Annotated[Int, Field(ge=1, le=10)] = ASK_K  # 10 keeps buttons within 25


@dataclass(frozen=True, config=STRICT)
class AlertsConfig:
    """New-video alerts and topic follows."""

    inboxes: tuple[Path, ...] = ()
    channel_ids: tuple[DiscordId, ...] = ()
    digest_after: Count = 5
    max_age_hours: Seconds = 48.0
    rescan_seconds: Annotated[Float, Field(gt=0)] = 60.0
    follow_threshold: Annotated[Float, Field(ge=0, le=1)] = 0.5


YOUTUBE_HOSTS = ("www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be")


@dataclass(frozen=True, config=STRICT)
class SubscriptionsConfig:
    """Channels, playlists and feeds followed with yt-dlp."""

    urls: tuple[Text, ...] = ()
    poll_minutes: Annotated[Float, Field(gt=0)] = 30.0  # the bot's polls
    backfill: Count = 15  # newest videos a first poll takes
    give_up_hours: Seconds = 48.0  # a video still without captions is then named and left
    allowed_hosts: tuple[Text, ...] = YOUTUBE_HOSTS  # what Discord members may subscribe to

    @model_validator(mode="after")
    def _http_urls(self) -> SubscriptionsConfig:
        for url in self.urls:
            if not re.match(r"https?://[^/\s]+", url, flags=re.IGNORECASE):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return self


@dataclass(frozen=True, config=STRICT)
class Config:
    """All settings."""

    store: StoreConfig = field(default_factory=StoreConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    subscriptions: SubscriptionsConfig = field(default_factory=SubscriptionsConfig)


class ConfigError(NewsreelError):
    """A config file that cannot be used."""


def _section(kind: type[Any], values: dict[str, Any], where: str) -> Any:
    """One section built from its TOML table; ConfigError names the first bad setting."""
    try:
        return kind(**values)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_first_problem(exc, kind, values)}") from None


def _first_problem(exc: ValidationError, kind: type[Any], values: dict[str, Any]) -> str:
    # An unknown key first: it is usually a typo, and the other errors may follow from it.
    error = min(exc.errors(), key=lambda e: e["type"] != "unexpected_keyword_argument")
    key, *inner = [str(part) for part in error["loc"]] or [""]
    if error["type"] == "unexpected_keyword_argument":
        return f"unknown setting {key!r} (known: {', '.join(f.name for f in fields(kind))})"
    message = re.sub(r" for <class '[\w.]+'>", "", error["msg"].removeprefix("Value error, "))
    if key not in values:
        return message
    item = f" (item {int(inner[0]) + 1})" if inner and inner[0].isdigit() else ""
    return f"{key} = {values[key]!r}{item}: {message}"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Defaults, then the TOML file (argument, else NEWSREEL_CONFIG), then NEWSREEL_DATA_DIR.

    Raises ConfigError (`FILE [section]: problem`) for a missing file, bad TOML, an unknown
    section or setting, or a value of the wrong type or out of range.
    """
    path = path or os.environ.get("NEWSREEL_CONFIG") or None
    cfg = Config()
    if path:
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {p}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: not valid TOML ({exc})") from exc
        kinds = {f.name: f.default_factory for f in fields(Config)}
        sections = {}
        for name, values in raw.items():
            if name not in kinds:
                raise ConfigError(f"{p}: unknown section [{name}] (known: {', '.join(kinds)})")
            if not isinstance(values, dict):
                raise ConfigError(f"{p}: [{name}] must be a table")
            sections[name] = _section(kinds[name], values, f"{p} [{name}]")  # type: ignore[arg-type]
        cfg = replace(cfg, **sections)
        # Relative folders in a config file are relative to the file, not to the shell.
        def beside(folder: Path) -> Path:
            return folder if folder.is_absolute() else p.parent / folder

        store = cfg.store
        if "data_dir" in raw.get("store", {}):
            cfg = replace(cfg, store=replace(store, data_dir=beside(store.data_dir)))
        ingest, alerts = cfg.ingest, cfg.alerts
        cfg = replace(
            cfg,
            ingest=replace(ingest, timings=tuple(beside(d) for d in ingest.timings)),
            alerts=replace(alerts, inboxes=tuple(beside(d) for d in alerts.inboxes)),
        )
    env_dir = os.environ.get("NEWSREEL_DATA_DIR")
    if env_dir:
        cfg = replace(cfg, store=replace(cfg.store, data_dir=Path(env_dir)))
    return cfg
