# One place for developer commands. `make run` and `make test` set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench notebooks setup system-deps clean

$(STAMP): pyproject.toml setup.py constraints.txt src/convolab/_sums.c src/convolab/_display.c src/convolab/_compiled.h
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[all,test]"
	touch $(STAMP)

setup: $(STAMP)

system-deps:  ## Chromium, Fashion-MNIST, PostgreSQL for the tests (apt, when root or sudo)
	@sh tools/system-deps.sh

run: $(STAMP)  ## set up and start the web app on http://127.0.0.1:8000
	$(BIN)/convolab serve

test: $(STAMP) system-deps  ## set up and run the whole test suite
	$(BIN)/ruff check src tests bench notebooks
	$(BIN)/python -m pytest -n 2 --dist loadfile  # two workers: the machine's two cores

lint: $(STAMP)
	$(BIN)/ruff check src tests bench notebooks
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench

bench: $(STAMP)  ## all benchmarks; results go in docs/benchmarks.md
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_signals.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_learn.py
	$(BIN)/python bench/bench_runs_memory.py
	$(BIN)/python bench/bench_emotions.py
	$(BIN)/python bench/bench_classroom.py --pupils 30 --applies 20

notebooks: $(STAMP)  ## rebuild the shipped notebooks from notebooks/{nl,en}/*.py (executed)
	$(BIN)/python notebooks/build.py

clean:
	rm -rf $(VENV) build *.egg-info
