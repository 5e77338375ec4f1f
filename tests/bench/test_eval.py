"""The issue's scoring definitions, and the eval script that applies them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.wiring import Library
from bench import eval as eval_script
from bench.scoring import answers, first_answer_rank, score
from store.search.searcher import SearchParams

EVIDENCE = "the minister said the rates discount stays fifteen percent for years"
QUESTION = {"video_id": "v1", "evidence": EVIDENCE, "kind": "fact"}
NONE = {"video_id": None, "evidence": None, "kind": "none"}


def hit(quote: str, video_id: str = "v1") -> dict[str, object]:
    return {"video_id": video_id, "quote": quote}


def test_a_hit_answers_with_half_the_distinct_evidence_words() -> None:
    # 10 distinct evidence words ("the" counts once): 5 are enough, 4 are not.
    assert answers(hit("…minister said rates discount stays…"), QUESTION)
    assert not answers(hit("minister said rates discount"), QUESTION)
    # Case and ellipses do not matter; the video does.
    assert answers(hit("…THE MINISTER…SAID RATES DISCOUNT…"), QUESTION)
    assert not answers(hit("the minister said the rates discount", "v2"), QUESTION)


def test_mrr_uses_the_first_answering_hit() -> None:
    hits = [hit("nothing here"), hit(EVIDENCE, "v2"), hit(EVIDENCE), hit(EVIDENCE)]
    assert first_answer_rank(hits, QUESTION) == 3
    s = score([QUESTION], [hits], {"v1": EVIDENCE, "v2": EVIDENCE})
    assert (s.passage_at_1, s.passage_at_5, round(s.mrr_at_10, 3)) == (0.0, 1.0, 0.333)


def test_unanswerable_questions_are_right_only_when_empty() -> None:
    s = score([NONE, NONE], [[], [hit("anything")]], {"v1": "anything"})
    assert s.abstention == 0.5 and s.unanswerable == 2 and s.answerable == 0


def test_verbatim_allows_cut_ellipses_but_not_changed_words() -> None:
    text = "one two three four five six"
    s = score([NONE, NONE], [[hit("…two three…five six")], [hit("two four")]], {"v1": text})
    assert s.verbatim == 0.5


def test_eval_scores_the_projects_search(corpus_library: Library) -> None:
    questions = [
        {
            "question": "what did the met police say about mandelson",
            "video_id": "jGS4dkrVmzU",
            "evidence": "The police in London are reviewing a number of reports relating to"
            " alleged misconduct in a public office",
            "kind": "fact",
        },
        {"question": "who won the eurovision song contest", "kind": "none"},
    ]
    s = eval_script.run(corpus_library, SearchParams(), questions)
    assert s.passage_at_5 == 1.0 and s.abstention == 1.0 and s.verbatim == 1.0


@pytest.mark.model  # the eval loads the configured models before it looks at the store
def test_eval_refuses_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\ndata_dir = "{tmp_path / "empty"}"\n')
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"question": "x", "kind": "none"}) + "\n")
    assert eval_script.main([str(questions), "--config", str(config)]) == 2
    assert "store is empty" in capsys.readouterr().err


def test_dev_and_holdout_are_printed_side_by_side_with_the_gap_to_whole_windows() -> None:
    def row(p1: float, p5: float, mrr: float, answerable: int = 60) -> eval_script.Scores:
        return eval_script.Scores(p1, p5, mrr, 0.95, 1.0, answerable, 20)

    tables = {
        "dev_questions.jsonl": {eval_script.NEWSREEL: row(0.8, 0.9, 0.85),
                                eval_script.WINDOW: row(0.81, 0.9, 0.86)},
        "bench/holdout_questions.jsonl": {eval_script.NEWSREEL: row(0.7, 0.8, 0.75),
                                          eval_script.WINDOW: row(0.7, 0.83, 0.75)},
        "unanswerable.jsonl": {eval_script.NEWSREEL: row(0, 0, 0, answerable=0)},
    }
    lines = eval_script.side_by_side(tables).splitlines()
    assert "| dev_questions.jsonl | 60 | 20 | 0.800 | 0.900 | 0.850 | +0.010 | 0.95 | 100% |" \
        in lines
    assert "| holdout_questions.jsonl | 60 | 20 | 0.700 | 0.800 | 0.750 | +0.030 | 0.95 | 100% |" \
        in lines
    assert "| unanswerable.jsonl | 0 | 20 | — | — | — | — | 0.95 | 100% |" in lines
