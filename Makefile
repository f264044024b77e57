# Two commands for a newcomer: `make run` (set up, ingest the shipped corpus, start the app)
# and `make test` (set up, run every test including the evaluation gate). Offline after install.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test check reliability browser postgres lint bench reports clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first and pinned: a plain `torch` would pull several GB of CUDA packages
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/datalessen ingest
	$(BIN)/datalessen serve

# Debian's Chromium for the browser tests (they skip with a reason when it is missing)
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

# Debian's PostgreSQL for the two-app-process test (it makes its own cluster in a temporary folder;
# skipped with a reason when missing). Debian keeps initdb in /usr/lib/postgresql/<version>/bin.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "postgresql not installed: the two-app-process test will be skipped"; }

test: setup browser postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# the fast loop for developers: lint and every test that needs no model, server or browser (under a minute)
check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -m "not slow" -q

# the reliability suite alone (also part of `make test`): bad files, kills, a full disk (a tmpfs: needs root),
# a read-only data home, Chroma killed, load, routes and logins probed; docs/betrouwbaarheid.md
reliability: setup
	$(BIN)/python -m pytest -m reliability -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/datalessen bench

# regenerate the shipped evaluation reports (evals/report/) for every gold set
# the development sets' reports (the unseen test41 and real-test39 are measured once, by hand: README);
# real.jsonl is about the five real documents beside the project, ingested into their own data home
REAL_DOCS ?= ../shared/fixtures/real
REAL_HOME ?= $(HOME)/.local/share/datalessen-real
reports: setup
	$(BIN)/datalessen ingest -q
	$(BIN)/datalessen eval --report evals/report --no-gate
	for set in heldout heldout2 test test2; do \
	  $(BIN)/datalessen eval --questions evals/gold/$$set.jsonl --thresholds evals/thresholds-$$set.toml \
	    --report evals/report/$$set --no-gate; done
	for set in test3 test4 test5 test6 test7 test8 test9 test10 test11 test12 test13 test14 test15 test16 test17 test18 test19 test20 test21 test22 test23 test24 test25 test26 test27 test28 test29 test30 test31 test32 test33 test34 test35 test36 test37 test38 test39 test40; do \
	  $(BIN)/datalessen eval --questions evals/gold/$$set.jsonl --report evals/report/$$set --no-gate; done
	DATALESSEN_HOME=$(REAL_HOME) DATALESSEN_CORPUS_PROFILE= $(BIN)/datalessen ingest -q $(REAL_DOCS)
	for set in real real-test real-test2 real-test3 real-test4 real-test5 real-test6 real-test7 real-test8 real-test9 real-test10 real-test11 real-test12 real-test13 real-test14 real-test15 real-test16 real-test17 real-test18 real-test19 real-test20 real-test21 real-test22 real-test23 real-test24 real-test25 real-test26 real-test27 real-test28 real-test29 real-test30 real-test31 real-test32 real-test33 real-test34 real-test35 real-test36 real-test37 real-test38; do \
	  DATALESSEN_HOME=$(REAL_HOME) DATALESSEN_CORPUS_PROFILE= $(BIN)/datalessen eval --questions evals/gold/$$set.jsonl \
	    --report evals/report/$$set --no-gate; done

clean:
	rm -rf $(VENV) .pytest_cache
