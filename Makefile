# The two commands: `make lab` (JupyterLab open on notebooks/00_start_here.ipynb, served from the
# repo root so that the notebooks' ../figures/ links resolve) and `make test` (every test).
# Both create .venv on first use and reuse it afterwards.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is installed first, on its own line, so that the build can be chosen: torch==2.13.0 is a
# CPU wheel on the project's machines. Elsewhere pass e.g. TORCH="torch" (PyPI's default build,
# CUDA on Linux) or TORCH="torch --index-url https://download.pytorch.org/whl/cpu", or TORCH=
# (empty) to keep a torch you installed yourself.
TORCH ?= torch==2.13.0
LAB_ARGS ?=
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
PYTEST_ARGS ?=
JOBS ?= 2
STAMP := $(VENV)/.installed
# nbgrader stays out of the default environment: the real-nbgrader tests get a venv of their own.
CLASSROOM_VENV ?= .venv-classroom
CLASSROOM_STAMP := $(CLASSROOM_VENV)/.installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nb_sanitize.cfg

.PHONY: lab test lint unit nbval classroom execute figures assignments clean help

help:
	@echo "make lab      open JupyterLab on notebooks/00_start_here.ipynb (LAB_ARGS='--no-browser --port 8899')"
	@echo "make test     lint + unit tests + every notebook under nbval + the nbgrader workflow"
	@echo "make execute  re-run the notebooks in place (outputs kept, volatile metadata stripped)"
	@echo "make site     the series as a static HTML book in build/site/_build/html (no execution)"
	@echo "make figures  redraw figures/ from lstm_tutorial.viz.diagrams"
	@echo "make assignments  student versions of the exercise notebooks in build/assignments"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(strip $(TORCH)),$(BIN)/python -m pip install --quiet $(TORCH))
	$(BIN)/python -m pip install --quiet -e ".[lab,test,site]"
	mkdir -p $(VENV)/share/jupyter/lab/settings  # no "fetch Jupyter news?" pop-up offline
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

$(CLASSROOM_STAMP): pyproject.toml
	test -x $(CLASSROOM_VENV)/bin/python || $(PYTHON) -m venv $(CLASSROOM_VENV)
	$(if $(strip $(TORCH)),$(CLASSROOM_VENV)/bin/python -m pip install --quiet $(TORCH))
	$(CLASSROOM_VENV)/bin/python -m pip install --quiet -e ".[test,classroom]"
	touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
	  $(ALLOW_ROOT) $(LAB_ARGS)

test: lint
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope tests notebooks \
	  $(NBVAL) $(PYTEST_ARGS)
	$(MAKE) classroom

# The teacher's workflow with the real nbgrader (generate, autograde, feedback), in its own venv.
classroom: $(CLASSROOM_STAMP)
	PATH="$(abspath $(CLASSROOM_VENV))/bin:$$PATH" $(CLASSROOM_VENV)/bin/python -m pytest \
	  -p no:cacheprovider tests/classroom $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Run the unit tests or the notebooks alone.
unit: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) tests $(PYTEST_ARGS)

nbval: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope notebooks $(NBVAL) $(PYTEST_ARGS)

NOTEBOOKS ?= $(wildcard notebooks/[0-9]*.ipynb)
execute: $(STAMP)
	for nb in $(NOTEBOOKS); do \
	  OMP_NUM_THREADS=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=120 "$$nb" || exit 1; \
	  $(BIN)/nbstripout --keep-output --keep-count "$$nb" || exit 1; \
	done

figures: $(STAMP)
	$(BIN)/python -m lstm_tutorial.viz.diagrams figures

assignments: $(STAMP)
	$(BIN)/python -m lstm_tutorial.classroom notebooks build/assignments

# The series as a static HTML book (Jupyter Book 1.x, configured in site/): every numbered notebook
# a page, with its committed outputs (nothing is executed), the start page as index.html.
SITE ?= build/site
.PHONY: site
site: $(STAMP)
	$(BIN)/jupyter-book build notebooks --all --config "$(abspath site/_config.yml)" \
	  --toc "$(abspath site/_toc.yml)" --path-output "$(SITE)"
	@echo "open $(SITE)/_build/html/index.html"

clean:
	rm -rf $(VENV) $(CLASSROOM_VENV) build .pytest_cache .ruff_cache
