# One command each, on a fresh machine with only python3:
#   make demo   set up, then run the example integrations through the steps vitesse has
#   make test   set up, lint, run the whole test suite
UV := python3 -m uv
INTEGRATIONS := $(basename $(notdir $(wildcard integrations/*.yaml)))

.PHONY: setup demo test lint bench clean

setup:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen

demo: setup
	$(UV) run vitesse validate
	@for name in $(INTEGRATIONS); do $(UV) run vitesse ingest $$name && $(UV) run vitesse map $$name || exit 1; done
	$(UV) run vitesse status

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .

test: lint
	$(UV) run pytest

bench: setup
	$(UV) run python benchmarks/ingest.py
	$(UV) run python benchmarks/mapping_quality.py
	$(UV) run python benchmarks/transform.py
	$(UV) run python benchmarks/mapping_scale.py

clean:
	rm -rf .vitesse .pytest_cache .ruff_cache
