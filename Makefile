# One command for each job, the same on a laptop and in CI (.ci/run calls `make test`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The CPU build of PyTorch must be installed before sentence-transformers, or pip pulls a
# multi-GB CUDA build. Override on machines where another build suits: make TORCH=torch
TORCH  ?= torch==2.13.0
PORT   ?= 7860

.PHONY: run test test-fast test-browser lint format build bench compare eval clean install-llm

run: $(VENV)/.installed          ## install, build the store if needed, start the chat UI
	$(BIN)/rag ui --port $(PORT)

test-browser: $(VENV)/.installed-test  ## only the Chromium tests of the chat page
	$(BIN)/python -m pytest tests/test_browser.py

test: $(VENV)/.installed-test    ## install test tools, lint, run the whole suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-test  ## the fast tier (< 1 min): the library on five abstracts
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

build: $(VENV)/.installed        ## (re)build the store in ./store
	$(BIN)/rag build

bench: $(VENV)/.installed        ## time a cold build and warm ask() calls
	$(BIN)/python benchmarks/timing.py

eval: $(VENV)/.installed         ## the test split (never tuned on): retrieval and answer figures per kind
	$(BIN)/rag eval

compare: $(VENV)/.installed-bench  ## ours against the LangChain tutorial pipeline, side by side
	$(BIN)/python benchmarks/compare_baseline.py

# Not --quiet: the first install takes minutes, and a silent terminal looks hung.
$(VENV)/.installed: pyproject.toml
	@echo "Installing into $(VENV): the first time takes a few minutes (PyTorch CPU, Chroma, Gradio)."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on $(TORCH)
	$(BIN)/pip install --progress-bar on -e .
	@echo "Installed. Next: the store is built on first start (about 30 s), then the chat is served."
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install-llm: $(VENV)/.installed-llm  ## the optional generative answerers (compiles llama.cpp)

# llama-cpp-python builds llama.cpp from source (~11-15 min on 2 cores; pip caches the wheel).
$(VENV)/.installed-llm: $(VENV)/.installed-test
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install --quiet -e ".[test,llm]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@

clean:
	rm -rf $(VENV) store .pytest_cache .ruff_cache
