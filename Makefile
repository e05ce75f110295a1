# The two commands: `make run` and `make test`. Everything else is a detail of those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Reinstall only when pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml 2>/dev/null | cut -c1-12)

.PHONY: run run-check test lint typecheck venv messages clean-data

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@# Other stamps stay: several checkouts (git worktrees) may share one venv.
	touch $@

venv: $(STAMP)

## Start the embedded services (or use the *_URL ones you set), migrate, create the demo portals,
## then serve: web, worker and scheduler. Ctrl-C stops everything; the data stays in .data/.
run: venv
	$(PY) -m infra.dev run

## Boot everything, request each demo portal and /readyz, stop; non-zero exit on any failure.
run-check: venv
	$(PY) -m infra.dev check

## The whole suite against a real PostgreSQL, broker and S3 API, then mypy and ruff.
test: venv
	$(PY) -m infra.testenv -- $(PY) -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory typecheck lint

typecheck: venv
	$(PY) -m infra.testenv --settings-only -- $(PY) -m mypy .

lint: venv
	$(PY) -m ruff check .

## Regenerate the translation catalogues after changing user-facing strings.
messages: venv
	$(PY) -m infra.testenv --settings-only -- $(PY) manage.py makemessages -l vi --no-obsolete \
		--ignore='.venv/*' --ignore='.data/*' --ignore='tests/*' --ignore='bench/*'
	$(PY) -m infra.testenv --settings-only -- $(PY) manage.py compilemessages --ignore='.venv/*'

clean-data:
	rm -rf .data
