# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The index lives in AI_REJSEN_DATA_DIR (default ~/.local/share/ai-rejsen, the same for `make
# run` and `.venv/bin/ai-rejsen`); nothing leaves the machine.
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export OMP_NUM_THREADS := 1

.PHONY: run test setup index eval bench lint browser screenshots clean

run: setup
	$(BIN)/ai-rejsen serve

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(STAMP)

# pip, not uv: only pip sees the local CPU wheel that the torch==2.13.0 pin resolves to.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

index: setup
	$(BIN)/ai-rejsen index

eval: setup
	$(BIN)/ai-rejsen eval

bench: setup
	$(BIN)/ai-rejsen bench

# The README's laptop and phone screenshots: the real app on 127.0.0.1, a real answer.
screenshots: setup browser
	$(BIN)/python -m ui.screenshots

lint: setup
	$(BIN)/ruff check .

# Browser tests use Debian's Chromium (never `playwright install`: it downloads a browser);
# the network tests watch connect() calls with strace.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v strace >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver strace >/dev/null; \
	  else echo "Chromium eller strace mangler: de tests springes over (apt-get install chromium chromium-driver strace)"; fi; \
	fi

clean:
	rm -rf .pytest_cache test-results
