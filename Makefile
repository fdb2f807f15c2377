# HaloBuzz: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= $(shell scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
export PORT
# honcho gives each process its own PORT; the media server proxies to the web one.
export WEB_PORT := $(PORT)
export DJANGO_SETTINGS_MODULE ?= halobuzz.settings.local
# `make run` also starts the media server (OBS/RTMP ingest) when nginx-rtmp is installed.
MEDIA_SERVER := $(shell command -v nginx >/dev/null 2>&1 && test -e /usr/lib/nginx/modules/ngx_rtmp_module.so && echo media)

.PHONY: run test setup install install-dev assets messages migrate seed lint format media-server \
        serve worker beat makemessages clean

## run: set up everything, seed demo data and serve http://127.0.0.1:$(PORT) with a worker and beat
run: setup seed
	@echo ""
	@echo "  HaloBuzz is running at http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	@if [ -n "$(MEDIA_SERVER)" ]; then echo "  OBS/RTMP ingest: rtmp://127.0.0.1:1935/live  (nginx-rtmp found)"; \
	  else echo "  Go live from the browser camera; for OBS install nginx libnginx-mod-rtmp"; fi
	@echo ""
	@$(BIN)/honcho -f deploy/Procfile.dev -d . start web worker $(MEDIA_SERVER)

## media-server: run nginx with the RTMP module (OBS ingest, HLS) in the foreground
media-server: setup
	$(MANAGE) media_server

## test: set up and run the whole suite (lint, migrations check, pytest incl. browser tests)
test: install-dev assets messages lint
	DJANGO_SETTINGS_MODULE=halobuzz.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=halobuzz.settings.test $(BIN)/pytest

setup: install assets messages migrate

$(BIN)/python:
	@test -n "$(PYTHON)" || exit 1
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-nodeps.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end libraries: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/.built: node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build
	@touch $@

## assets: install front-end libraries from npm into static/vendor/
assets: static/vendor/.built

## messages: compile the translations (needs gettext's msgfmt)
messages: install
	@command -v msgfmt >/dev/null || { echo "msgfmt is needed to compile translations: apt-get install gettext" >&2; exit 1; }
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

## makemessages: refresh locale/*/LC_MESSAGES/django.po from the source
makemessages: install
	$(MANAGE) makemessages --all --ignore=.venv --ignore=node_modules --ignore=static/vendor --no-obsolete
	$(MANAGE) makemessages --all -d djangojs --ignore=.venv --ignore=node_modules --ignore=static/vendor --no-obsolete

migrate: install
	$(MANAGE) migrate --no-input --verbosity 0

seed: migrate
	$(MANAGE) seed_demo

## lint: ruff check and format check
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Separate processes, as in production (see README "Production").
serve: setup
	$(BIN)/uvicorn halobuzz.asgi:application --host 127.0.0.1 --port $(PORT) --lifespan off --ws-per-message-deflate false
worker: install
	$(BIN)/celery -A halobuzz worker --queues celery,moderation --loglevel INFO
beat: install
	$(BIN)/celery -A halobuzz beat --loglevel INFO

clean:
	rm -rf $(VENV) node_modules static/vendor
