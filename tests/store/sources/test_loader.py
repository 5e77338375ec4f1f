"""Discovery of transcript files and loading of every format, with timings and hashes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from store.errors import TranscriptError
from store.sources.loader import (
    NOT_A_TRANSCRIPT,
    content_hash,
    discover,
    find_transcripts,
    load_transcript,
)
from store.sources.seed import MAX_TRANSCRIPT_BYTES

DATA = Path(__file__).resolve().parents[2] / "data"
SEEDS = DATA / "corpus_excerpt"
TIMED = DATA / "timed_excerpt"
YTDLP = DATA / "ytdlp"
SHARED = Path(__file__).resolve().parents[4] / "shared"

SEED = SEEDS / "178_e4e6f6a25ee90d0c.txt"  # video mtgqmRTK0O4
SEED_ID = "mtgqmRTK0O4"
YT_NAME = "Iran rejects calls to stand down retaliation ｜ DW News [CSWiKMIF53g]"


def seed_text(video_id: str, doc: str = "hello world") -> str:
    return (
        f"<video_id>{video_id}</video_id>\n<video_title>T | BBC News</video_title>\n"
        f"<thumbnail_path>en_BBC\\T.jpg</thumbnail_path>\n<publish_date>20260101</publish_date>\n"
        f"\n<doc>\n{doc}\n</doc>"
    )


def vtt_text(video_id: str | None, text: str = "hello world") -> str:
    note = f"NOTE\nvideo_id {video_id}\n\n" if video_id else ""
    return f"WEBVTT\n\n{note}00:00:01.000 --> 00:00:03.000\n{text}\n"


def reason_of(path: Path, timings: tuple[Path, ...] = ()) -> str:
    with pytest.raises(TranscriptError) as exc:
        load_transcript(path, timings)
    assert exc.value.path == str(path)
    return exc.value.reason


# ---------------------------------------------------------------- discovery


def test_discovery_rules(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    files = {
        "a.txt": seed_text("AAAAAAAAAAA"),
        "AAAAAAAAAAA.vtt": vtt_text(None),  # timings of a.txt (by file name)
        "timings-b.srt": "1\n00:00:01,000 --> 00:00:02,000\nhi\n",  # no id: standalone
        "other.vtt": vtt_text("CCCCCCCCCCC"),  # names a video that has no seed here
        "BBBBBBBBBBB.vtt": vtt_text("BBBBBBBBBBB"),
        "b.txt": seed_text("BBBBBBBBBBB"),
        "README.md": "# notes",
        "README": "notes",
        "readme.txt": "notes",
        "INDEX.tsv": "file\tvideo_id\n",
        "notes.md": "x",
        ".hidden.txt": seed_text("DDDDDDDDDDD"),
        "picture.jpg": "x",
        "data.json": "{}",
        ".git/x.txt": seed_text("EEEEEEEEEEE"),
        f"sub/{YT_NAME}.info.json": "{}",
        f"sub/{YT_NAME}.en.vtt": vtt_text(None),  # read with the info.json
        f"sub/{YT_NAME}.de.srt": "1\n00:00:01,000 --> 00:00:02,000\nhallo\n",
        "sub/solo [FFFFFFFFFFF].en.vtt": vtt_text(None),  # yt-dlp captions without info.json
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    found = discover([root])
    assert [p.relative_to(root).as_posix() for p in found] == [
        "a.txt",
        "b.txt",
        "other.vtt",
        "timings-b.srt",
        f"sub/{YT_NAME}.info.json",
        "sub/solo [FFFFFFFFFFF].en.vtt",
    ]
    assert discover([root]) == found  # deterministic
    # Files given explicitly are always candidates, even when a folder would skip them;
    # a missing one too, so that loading it names the problem. A caption file given with its
    # seed transcript stays that seed's timings (`ingest dir/*` must not ingest it twice).
    explicit = [root / "README.md", tmp_path / "gone.txt"]
    timings = root / "AAAAAAAAAAA.vtt"
    assert discover([*explicit, timings, root / "a.txt", root]) == sorted(
        {*found, *explicit}, key=lambda p: (str(p.parent), p.name)
    )
    assert discover([timings]) == [timings]
    # The info.json's other track is left out with an info line, not as an error.
    skipped = find_transcripts([root]).skipped
    assert skipped == [
        (
            str(root / f"sub/{YT_NAME}.de.srt"),
            f"another caption track of the same video ({YT_NAME}.en.vtt is used)",
        )
    ]


# ---------------------------------------------------------------- seed + timings


def test_seed_timed_from_timings_dir() -> None:
    loaded = load_transcript(SEED, [TIMED])
    t = loaded.transcript
    assert t.video_id == SEED_ID and t.is_timed and loaded.warnings == ()
    assert t.word_starts is not None and len(t.word_starts) == len(t.words)
    assert all(s is not None for s in t.word_starts)
    assert t.word_starts[0] == pytest.approx(0.16, abs=0.5)
    assert loaded.timings_path == str(TIMED / f"{SEED_ID}.vtt")
    timing_bytes = (TIMED / f"{SEED_ID}.vtt").read_bytes()
    assert loaded.content_hash == content_hash(SEED.read_bytes(), timing_bytes)


def test_seed_without_timings_is_untimed() -> None:
    loaded = load_transcript(SEED)
    assert not loaded.transcript.is_timed and loaded.transcript.word_starts is None
    assert loaded.timings_path is None and loaded.warnings == ()
    assert loaded.content_hash == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_timings_beside_the_seed_and_priority(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    shutil.copy(TIMED / f"{SEED_ID}.vtt", tmp_path / f"{SEED_ID}.vtt")
    loaded = load_transcript(tmp_path / SEED.name)
    assert loaded.transcript.is_timed
    assert loaded.timings_path == str(tmp_path / f"{SEED_ID}.vtt")
    # A configured timings folder comes before the seed's own folder.
    assert load_transcript(tmp_path / SEED.name, [TIMED]).timings_path == str(
        TIMED / f"{SEED_ID}.vtt"
    )


@pytest.mark.parametrize(
    ("timings", "why"),
    [
        ("WEBVTT\n\n00:00:01.000 --> garbage\nx\n", "no caption cues found"),
        ("WEBVTT\n", "no caption cues found"),
        ("", "empty file"),
        (vtt_text("ZZZZZZZZZZZ", "hello world"), "it is for video ZZZZZZZZZZZ"),
        (vtt_text(None, "completely different words spoken"), "does not match the transcript"),
    ],
)
def test_broken_timings_fall_back_to_untimed(tmp_path: Path, timings: str, why: str) -> None:
    seed = tmp_path / "s.txt"
    seed.write_text(seed_text("AAAAAAAAAAA", "hello world again"))
    (tmp_path / "AAAAAAAAAAA.vtt").write_text(timings)
    loaded = load_transcript(seed)
    assert not loaded.transcript.is_timed
    assert len(loaded.warnings) == 1
    assert loaded.warnings[0].startswith(f"timings {tmp_path / 'AAAAAAAAAAA.vtt'} ignored: ")
    assert why in loaded.warnings[0]


def test_captions_of_another_video_are_not_used(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    # Real captions of another BBC video, under this video's id and without a NOTE block.
    other = (TIMED / "XFH8aGBjA6U.vtt").read_text(encoding="utf-8")
    other = other[other.index("\n\n00:") :]
    (tmp_path / f"{SEED_ID}.vtt").write_text("WEBVTT" + other, encoding="utf-8")
    loaded = load_transcript(tmp_path / SEED.name)
    assert not loaded.transcript.is_timed
    assert "does not match the transcript" in loaded.warnings[0]


def test_next_timings_file_is_tried_after_a_broken_one(tmp_path: Path) -> None:
    seed = tmp_path / "s.txt"
    seed.write_text(seed_text("AAAAAAAAAAA", "hello world"))
    (tmp_path / "AAAAAAAAAAA.vtt").write_text("WEBVTT\n")
    (tmp_path / "AAAAAAAAAAA.srt").write_text("1\n00:00:02,000 --> 00:00:04,000\nhello world\n")
    loaded = load_transcript(seed)
    assert loaded.transcript.word_starts == (2.0, 3.0)
    assert len(loaded.warnings) == 1


def test_hash_changes_with_the_timings_file(tmp_path: Path) -> None:
    seed = tmp_path / "s.txt"
    seed.write_text(seed_text("AAAAAAAAAAA"))
    untimed = load_transcript(seed).content_hash
    timings = tmp_path / "AAAAAAAAAAA.vtt"
    timings.write_text("WEBVTT\n")  # broken, yet fixing it later must re-ingest
    broken = load_transcript(seed).content_hash
    timings.write_text(vtt_text(None))
    fixed = load_transcript(seed).content_hash
    assert len({untimed, broken, fixed}) == 3
    assert load_transcript(seed).content_hash == fixed


# ---------------------------------------------------------------- other formats


def test_info_json_dispatch() -> None:
    loaded = load_transcript(YTDLP / f"{YT_NAME}.info.json")
    assert loaded.transcript.video_id == "CSWiKMIF53g" and loaded.transcript.is_timed
    parts = [(YTDLP / f"{YT_NAME}{s}").read_bytes() for s in (".info.json", ".en.vtt")]
    assert loaded.content_hash == content_hash(*parts)
    assert loaded.timings_path == str(YTDLP / f"{YT_NAME}.en.vtt")


def test_standalone_caption_files(tmp_path: Path) -> None:
    vtt = tmp_path / "Budget row ｜ BBC News [ZOlktUrAg0k].en.vtt"
    vtt.write_text(vtt_text(None, "&gt;&gt; The budget, today."))
    t = load_transcript(vtt).transcript
    # No metadata: the date is unknown (not the file's, which would fall in every --since).
    assert (t.video_id, t.title, t.channel, t.published) == (
        "ZOlktUrAg0k",
        "Budget row ｜ BBC News",
        "Unknown",
        "",
    )
    assert t.words == ("The", "budget", "today") and t.word_starts == (1.0, 1 + 2 / 3, 1 + 4 / 3)
    real = TIMED / f"{SEED_ID}.vtt"
    assert load_transcript(real).transcript.video_id == SEED_ID
    srt = tmp_path / "ZOlktUrAg0k.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nhi there\n")
    assert load_transcript(srt).transcript.title == "Unknown"
    nameless = tmp_path / "interview.vtt"
    nameless.write_text(vtt_text(None))
    assert reason_of(nameless).startswith("no video id")
    wordless = tmp_path / "ZOlktUrAg0k.vtt"
    wordless.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n[music]\n")
    assert reason_of(wordless) == "captions contain no words"


def test_caption_content_under_a_txt_name(tmp_path: Path) -> None:
    path = tmp_path / "ZOlktUrAg0k.txt"
    path.write_text(vtt_text("ZOlktUrAg0k"))
    assert load_transcript(path).transcript.words == ("hello", "world")


# ---------------------------------------------------------------- rejects


def test_rejected_files(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"",
        "blank.txt": b" \n\n",
        "notes.txt": b"Shopping list: eggs, milk.\n",
        "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "zeros.txt": b"\x00" * 100,
        "latin1.txt": seed_text("AAAAAAAAAAA", "caf\xe9").encode("latin-1"),
        "truncated.txt": seed_text("AAAAAAAAAAA").encode()[:150],
        "emptydoc.txt": seed_text("AAAAAAAAAAA", "").encode(),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    latin_offset = (tmp_path / "latin1.txt").read_bytes().index(b"\xe9")
    assert {n: reason_of(tmp_path / n) for n in cases} == {
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "notes.txt": NOT_A_TRANSCRIPT,
        "photo.txt": NOT_A_TRANSCRIPT,
        "zeros.txt": NOT_A_TRANSCRIPT,
        "latin1.txt": f"not UTF-8 text (byte 0xe9 at offset {latin_offset})",
        "truncated.txt": "unterminated <publish_date> tag",
        "emptydoc.txt": "empty <doc>",
    }
    assert reason_of(tmp_path / "missing.txt").startswith("cannot read")


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: instant, takes no disk space
        fh.seek(MAX_TRANSCRIPT_BYTES)
        fh.write(b"x")
    big_vtt = tmp_path / "ZOlktUrAg0k.vtt"
    with open(big_vtt, "wb") as fh:
        fh.truncate(MAX_TRANSCRIPT_BYTES + 10)
    real_open = open

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        assert Path(str(file)) not in (big, big_vtt), "an oversized file was opened"
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", guarded_open)
    assert reason_of(big) == (
        f"file too large ({MAX_TRANSCRIPT_BYTES + 1} bytes; limit {MAX_TRANSCRIPT_BYTES} bytes)"
    )
    assert reason_of(big_vtt).startswith("file too large")


# ---------------------------------------------------------------- the shared corpus


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared corpus not present")
def test_whole_shared_corpus_loads_with_timings() -> None:
    corpus, timed = SHARED / "corpus", SHARED / "corpus_timed"
    found = discover([corpus])
    names = {p.name for p in found}
    assert "INDEX.tsv" not in names and "README.md" not in names
    assert len(found) == 204 and all(p.suffix == ".txt" for p in found)
    untimed = []
    for path in found:
        loaded = load_transcript(path, [timed])
        t = loaded.transcript
        assert t.words and len(t.published) == 10 and t.channel in ("BBC News", "DW News")
        if not t.is_timed:
            untimed.append(path.name)  # its links cannot open at a second: said, by name
            assert loaded.warnings == (
                f"{path}: no caption file for {t.video_id} in the timings folders, so its"
                " links open at the start of the video",
            )
            continue
        assert loaded.warnings == (), path
        assert t.word_starts is not None and all(s is not None for s in t.word_starts)
    assert untimed == ["000_4c61c73b810720b7.txt"]


# ---------------------------------------------------------------- yt-dlp downloads as they come


def test_tracks_of_a_download_found_anywhere_one_used(tmp_path: Path) -> None:
    meta, subs = tmp_path / "meta", tmp_path / "elsewhere" / "subs"
    meta.mkdir()
    subs.mkdir(parents=True)
    name = "Storm [p0k7x2zq]"
    (meta / f"{name}.info.json").write_text('{"id": "p0k7x2zq", "upload_date": "20250123"}')
    for lang in ("en", "en-orig", "de"):
        (subs / f"{name}.{lang}.vtt").write_text(vtt_text(None, f"words in {lang}"))
    (subs / f"{name}.live_chat.json").write_text("{}")
    # Two tracks of a video with no info.json at all.
    (tmp_path / "solo [AAAAAAAAAAA].en.vtt").write_text(vtt_text(None, "solo english"))
    (tmp_path / "solo [AAAAAAAAAAA].de.vtt").write_text(vtt_text(None, "solo deutsch"))
    found = find_transcripts([tmp_path])
    info = meta / f"{name}.info.json"
    assert found.files == [tmp_path / "solo [AAAAAAAAAAA].en.vtt", info]
    assert found.captions[info][0] == subs / f"{name}.en.vtt"
    assert sorted(p for p, _ in found.skipped) == sorted(
        str(p)
        for p in (
            subs / f"{name}.en-orig.vtt",
            subs / f"{name}.de.vtt",
            subs / f"{name}.live_chat.json",
            tmp_path / "solo [AAAAAAAAAAA].de.vtt",
        )
    )
    loaded = load_transcript(info, captions=found.captions[info])
    assert loaded.transcript.words == ("words", "in", "en")
    # German first when asked for.
    german = find_transcripts([tmp_path], ("de",))
    assert german.captions[info][0] == subs / f"{name}.de.vtt"
    assert tmp_path / "solo [AAAAAAAAAAA].de.vtt" in german.files


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("東京で地震がありました。津波の心配はありません。", "Japanese"),
        ("北京今天下雨，气温下降到五度。", "Chinese"),
        ("วันนี้ฝนตกหนักในกรุงเทพ", "Thai"),
    ],
)
def test_scripts_without_spaces_are_refused(tmp_path: Path, text: str, script: str) -> None:
    path = tmp_path / "ZOlktUrAg0k.ja.vtt"
    path.write_text(vtt_text(None, text), encoding="utf-8")
    assert reason_of(path).startswith(f"the text is in {script}, a script written without spaces")


def test_spaced_scripts_are_read(tmp_path: Path) -> None:
    path = tmp_path / "ZOlktUrAg0k.vtt"
    path.write_text(vtt_text(None, "Ο Ορμπάν είπε: Москва ответила; قال أردوغان"))
    assert load_transcript(path).transcript.words[:3] == ("Ο", "Ορμπάν", "είπε")
