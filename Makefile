# The README's commands. Only python3 (3.11), make and git are needed on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint format messages bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

## make demo: install, migrate, load the Nanxi 2020 demo, serve on http://127.0.0.1:8000
demo: $(STAMP)
	mkdir -p var/static
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, stop with Ctrl-C)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install and run the whole suite on SQLite with eager Celery
# axe-core for the accessibility browser test, from package-lock.json (skipped without npm).
test: $(STAMP)
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; fi
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make messages: refresh the zh_Hans catalogue after changing UI text (needs gettext)
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

## make bench: seed 10 000 projects into a throwaway database, measure under gunicorn
bench: $(STAMP)
	$(PY) tests/bench/bench.py

clean:
	rm -rf $(VENV) var db.sqlite3
