# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export CRM_DB ?= data/crm.duckdb

.PHONY: run test bench bytecode browser-deps clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The project's own modules compiled to bytecode, as pip does for installed packages: where
# PYTHONDONTWRITEBYTECODE is set (these machines), every command would otherwise compile them again
# (about 45 ms per `python -m loaders …`). Stale files are ignored by Python, so this is always safe.
bytecode:
	@$(PY) -m compileall -q db loaders pages bench crm_app.py

run: $(STAMP) bytecode
	$(PY) -m loaders init
	$(PY) -m streamlit run crm_app.py --server.headless true --server.port 8501 --browser.gatherUsageStats false

# Browser tests need Debian's chromium and a CJK font; installed once, when missing (needs root + apt).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
			apt-get -o DPkg::Lock::Timeout=600 update -qq && \
			apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-wqy-microhei fontconfig >/dev/null; \
		else echo "browser-deps: chromium missing and cannot install it here; browser tests will be skipped"; fi; \
	fi

test: $(STAMP) browser-deps
	$(PY) -m pytest

bench: $(STAMP) bytecode
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis bench/results
