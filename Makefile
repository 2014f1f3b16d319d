# Whiteboard to LSTM: every target sets up what it needs (.venv, vendored JS) by itself.
#   make book       build the HTML book into _build/html
#   make test       ruff and eslint, unit and node tests, strict nbval, the -W -n build,
#                   browser tests
#   make notebooks  execute every chapter in place (NB=book/03_….ipynb for one)
#   make bench      run the benchmarks and print their tables
#   make student    write the student edition (no solutions) into _build/student
#   make clean      remove the build, the venv and vendored files

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book
NB     ?= book/*.ipynb
export PYTHONHASHSEED := 0

.PHONY: book test notebooks bench clean venv vendor jsdev lint unit nbval html browser student

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet -e ".[test]" -c constraints.txt
	touch $@

vendor: _vendor/.stamp

_vendor/.stamp: vendor/package.json vendor/package-lock.json scripts/vendor_js.py | $(STAMP)
	$(BIN)/python scripts/vendor_js.py

# The JavaScript tools (ESLint), pinned in package.json and package-lock.json at the root;
# node --test needs none.
jsdev: node_modules/.stamp

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

book: venv vendor
	$(JB) build . -W -n --keep-going
	@echo "The book is built: open file://$(CURDIR)/_build/html/index.html"

notebooks: venv
	$(BIN)/python scripts/execute_notebooks.py $(NB)

lint: venv jsdev
	$(BIN)/ruff check src tests benchmarks scripts book
	npx --no-install eslint src/whiteboard/viz/js tests/js eslint.config.js

unit: venv
	$(BIN)/pytest tests -m "not browser"
	node --test tests/js/

nbval: venv
	$(BIN)/pytest -p no:cacheprovider --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-cell-timeout=600 book

html: venv vendor
	$(JB) build . --all -W -n --keep-going

browser: venv
	$(BIN)/pytest tests -m browser

test: lint unit nbval html browser

student: venv
	$(BIN)/python scripts/student_edition.py --out _build/student

bench: venv
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf _build _vendor vendor/node_modules node_modules $(VENV) .pytest_cache .ruff_cache
