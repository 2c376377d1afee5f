# archiver — developer entry points. `make run` and `make test` are all you need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint typecheck unit bench soak clean browser compose scale

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/archiver run

lint: install
	$(BIN)/ruff check archiver tests bench
	$(BIN)/ruff format --check archiver tests bench
	$(BIN)/mypy

unit: install
	$(BIN)/pytest --durations=40

test: browser compose lint unit

# Chromium for the browser tests (tests/web/test_browser*.py), and a CJK font for the one
# that renders a Japanese article (fonts-noto-cjk). Installed from Debian when running as
# root with apt-get; otherwise those tests skip and say how to install.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "make browser: chromium not installed (needs root and apt-get); browser tests will skip"; \
	  fi; }
	@fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; \
	  else \
	    echo "make browser: fonts-noto-cjk not installed (needs root and apt-get); the CJK browser test will skip"; \
	  fi; }

# Debian's docker-compose, for tests/queue/test_compose.py (`docker-compose config` checks
# docker-compose.yml; no Docker daemon needed or installed: --no-install-recommends).
compose:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; \
	  else \
	    echo "make compose: docker-compose not installed (needs root and apt-get); its test will skip"; \
	  fi; }

bench: install
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/templates.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/bodies.py

# Scale-out benchmark (needs PostgreSQL, see bench/scale.py): pages/s with 1, 2, 4 workers.
scale: install
	$(BIN)/python bench/scale.py

soak: install
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
