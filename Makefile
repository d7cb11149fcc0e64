# `make run` and `make test` set everything up on a fresh machine (one virtualenv at .venv/).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test lint format setup install bench messages clean lock

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Serving needs only the product's dependencies (the test tools are most of the install time);
# a venv that already has the dev tools has them.
RUN_STAMP := $(VENV)/.run-$(shell sha1sum pyproject.toml | cut -c1-12)
$(RUN_STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@if [ ! -e $(STAMP) ]; then $(VENV)/bin/pip install --quiet --upgrade pip \
		&& $(VENV)/bin/pip install --quiet -e .; fi
	@rm -f $(VENV)/.run-* && touch $(RUN_STAMP)

setup: $(RUN_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: setup
	@bin/serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy config common casework workflows notifications supervision sampledata web bench

test: lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# After changing user-facing text: collect the strings, translate the new ones in
# locale/id/LC_MESSAGES/django.po, then `make messages` again to compile (needs GNU gettext).
# Third-party messages live in locale/third_party_id.po and are merged back in (see its header).
messages: install
	$(PY) manage.py makemessages --locale id --ignore '.venv/*' --ignore 'bench/*' --no-obsolete
	msgcat --use-first locale/id/LC_MESSAGES/django.po locale/third_party_id.po \
		-o locale/id/LC_MESSAGES/django.po
	$(PY) manage.py compilemessages --ignore '.venv/*'

# The image's exact versions (Dockerfile): the product's dependencies resolved in a clean venv.
lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip && .lock-venv/bin/pip install --quiet .
	echo "# The image's exact versions: \`make lock\` writes this from pyproject.toml (a clean venv, pip freeze)." > requirements.lock
	.lock-venv/bin/pip freeze --exclude ppks-casework >> requirements.lock
	rm -rf .lock-venv build

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .mypy_cache
