# Two commands on a fresh machine: `make run` and `make test` (README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3

.PHONY: run test install migrate demo lint bench worker beat clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet ".[test]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The portal on http://127.0.0.1:8000: SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set.
run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -c pyproject.toml -r config core audit reference accounts applications quota review hukou_card portal demo --severity-level medium
	$(PY) manage.py makemigrations --check --dry-run

# The suite, then once more back to front (tests/conftest.py --reverse): a test that passes only
# because of what an earlier one left behind fails there. The browser journeys are not run twice.
test: lint
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m pytest -p no:cacheprovider --reverse -q --ignore=tests/e2e $(PYTEST_ARGS)

# The English catalogue (locale/en): extract the marked Chinese strings, then compile. The .mo is
# committed so that `make run` needs no gettext; tests/portal/test_translations.py checks both.
messages: install
	$(PY) manage.py fixture_messages
	$(PY) manage.py makemessages -l en --no-obsolete --no-location $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l en --ignore=.venv --ignore=var
MESSAGES_IGNORE := --ignore=var --ignore=tests --ignore=bench --ignore=deploy --ignore=docs --ignore=fixtures

worker: install
	$(VENV)/bin/celery -A config worker -l info

beat: install
	$(VENV)/bin/celery -A config beat -l info --schedule var/celerybeat-schedule

bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	@command -v softhsm2-util >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2)
	$(PY) bench/run.py

clean:
	rm -rf var/staticfiles var/screenshots .pytest_cache
