"""Do two versions of the parsers read the corpus alike? Loads every seed transcript (timed
from its WebVTT file) and parses every timed WebVTT file on its own with the code of a git
commit and with the working tree, then compares words and word start times.

    python bench/caption_parity.py BASE_COMMIT [CORPUS [TIMED]]

Exits 0 when every file reads identically, 1 (listing the differences) otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
if not SHARED.is_dir():  # a worktree under wt/ sits one level deeper than main/
    SHARED = ROOT.parents[1] / "shared"


def readings(corpus: Path, timed: Path) -> dict[str, object]:
    """What the importable `store` makes of every file: {"corpus/NAME": [words, starts],
    "timed/NAME": [cues, words, starts] or an error}."""
    from store.errors import TranscriptError
    from store.sources import flatten_cues, load_transcript, parse_vtt

    out: dict[str, object] = {}
    for path in sorted(corpus.glob("*.txt")):
        t = load_transcript(path, [timed]).transcript
        out[f"corpus/{path.name}"] = [list(t.words), list(t.word_starts or [])]
    for path in sorted(timed.glob("*.vtt")):
        try:
            cues = parse_vtt(path.read_text(encoding="utf-8"), str(path))
        except TranscriptError as exc:
            out[f"timed/{path.name}"] = f"error: {exc.reason}"
            continue
        words, starts = flatten_cues(cues)
        out[f"timed/{path.name}"] = [
            [[c.start, c.end, c.text] for c in cues], words, starts
        ]
    return out


def run_at(tree: Path, corpus: Path, timed: Path) -> dict[str, object]:
    """`readings` by the code in `tree`, in a fresh interpreter."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(tree)!r});"
        "import store; from bench.caption_parity import readings; from pathlib import Path;"
        f"assert store.__file__.startswith({str(tree)!r}), store.__file__;"
        f"json.dump(readings(Path({str(corpus)!r}), Path({str(timed)!r})), sys.stdout)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def main(argv: list[str]) -> int:
    base = argv[1] if len(argv) > 1 else "HEAD"
    corpus = Path(argv[2]) if len(argv) > 2 else SHARED / "corpus"
    timed = Path(argv[3]) if len(argv) > 3 else SHARED / "corpus_timed"
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", base, "store", "bench/__init__.py"], cwd=ROOT, capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        # The old tree gets this script too, so both sides run the same comparison code.
        (Path(tmp) / "bench" / "caption_parity.py").write_bytes(Path(__file__).read_bytes())
        old = run_at(Path(tmp), corpus, timed)
    new = run_at(ROOT, corpus, timed)
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    read = {k: v for k, v in new.items() if isinstance(v, list)}
    n_words = sum(len(v[0]) for k, v in read.items() if k.startswith("corpus/"))
    n_cues = sum(len(v[0]) for k, v in read.items() if k.startswith("timed/"))
    print(
        f"{sum(k.startswith('corpus/') for k in new)} transcripts ({n_words} words, timed),"
        f" {sum(k.startswith('timed/') for k in new)} WebVTT files ({n_cues} cues):"
        f" {len(differ)} differ between {base} and the working tree"
    )
    for key in differ:
        print(f"  {key}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
