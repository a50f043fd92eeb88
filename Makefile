# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONUNBUFFERED := 1
export MLFLOW_DISABLE_TELEMETRY ?= true

.PHONY: install demo test test-long test-torch test-all lint typecheck unit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/archsmith search examples/churn.yaml

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# the slow scikit-learn estimator checks (about 6 min on 2 cores) and the `long` checks run
# in `make test-long` (CI runs it after `make test`), so that `make test` stays within its
# 15-minute budget; `make test-all` is both
unit: $(STAMP)
	$(BIN)/pytest -n 2 --durations=15 -m "not estimator_checks_slow and not long"

test-long: $(STAMP)
	$(BIN)/pytest -n 2 --durations=15 -m "estimator_checks_slow or long"

# the checks on Keras' PyTorch backend (skipped where torch is not installed; CI installs
# the CPU build found on its machine's disk first, see .ci/run)
test-torch: $(STAMP)
	$(BIN)/pytest -n 2 --durations=10 -k "torch or pytorch"

test-all: lint typecheck
	$(BIN)/pytest -n 2 --durations=15

test: lint typecheck unit

clean:
	rm -rf $(VENV) mlruns .pytest_cache .mypy_cache .ruff_cache
