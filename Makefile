# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus
TIMINGS ?= ../shared/corpus_timed
QUESTION ?= what did the met police say about mandelson
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install demo test test-fast lint bench eval clean

# torch pinned in the same command, or pip picks a CUDA build of several GB; setuptools'
# eight-line notice about editable installs (harmless here) is not shown to newcomers.
# (Comments out here: inside a recipe make would echo them.)
$(BIN)/newsreel: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" \
		$(BIN)/pip install -q "torch==2.13.0" -e ".[test]"
	touch $@

install: $(BIN)/newsreel

# Exit 1 (some files rejected, the rest ingested) still goes on to the question.
demo: install
	@echo "newsreel ingest $(CORPUS) --timings $(TIMINGS)"
	@$(BIN)/newsreel ingest $(CORPUS) --timings $(TIMINGS); \
	  status=$$?; [ $$status -le 1 ] || exit $$status
	@if [ -n "$$DISCORD_TOKEN" ]; then $(BIN)/newsreel run; \
	else $(BIN)/newsreel ask "$(QUESTION)"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two workers (the machines here have two cores); a test module, or the tests sharing the
# whole-corpus library, stay in one worker so their fixtures are built once.
XDIST := -n 2 --dist loadgroup

test: lint
	$(BIN)/pytest -q $(XDIST)

# Everything but the tests that load a real model, start a Chroma server or run the CLI.
test-fast: lint
	$(BIN)/pytest -q $(XDIST) -m "not model and not server and not cli"

bench: install
	$(BIN)/newsreel bench

# Dev and the blind holdout side by side, in one run (the holdout is never tuned on).
SHARED ?= ../shared
eval: install
	$(BIN)/python bench/eval.py $(SHARED)/eval/dev_questions.jsonl \
		bench/unanswerable_questions.jsonl --holdout bench/holdout_questions.jsonl

clean:
	rm -rf $(VENV) data .mypy_cache .pytest_cache .ruff_cache
