# Whiteboard to LSTM: every target sets up what it needs (.venv, vendored JS) by itself.
#   make book       build the HTML book into _build/html
#   make check      the edit loop (about a minute): ruff, eslint, the fast unit and node tests
#   make test       everything, two stages at a time, each stage's time printed: ruff and
#                   eslint, unit and node tests, strict nbval (every chapter run once, in a
#                   kernel of a fresh requirements.txt-only environment, as on Binder), the
#                   -W -n build, browser tests
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
BINDER := .venv-binder
export PYTHONHASHSEED := 0
# prints how long a stage took, after it: $(call timed,NAME,COMMANDS)
timed = @start=$$(date +%s); $(2) && echo "== stage $(1): $$(( $$(date +%s) - start )) s"

.PHONY: book check test notebooks bench clean venv binder vendor jsdev lint unit nbval html \
	browser student

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

# Binder's view of the book: a fresh environment from requirements.txt alone, without the
# test tools. Its kernel runs the chapters under strict nbval, which so proves both that the
# stored outputs reproduce and that requirements.txt is all a reader needs.
binder: $(BINDER)/.installed

$(BINDER)/.installed: requirements.txt constraints.txt pyproject.toml
	rm -rf $(BINDER)
	$(PYTHON) -m venv $(BINDER)
	$(BINDER)/bin/python -m pip install --quiet --upgrade pip
	$(BINDER)/bin/python -m pip install --quiet -r requirements.txt -c constraints.txt
	@for tool in pytest nbval torch; do \
		if $(BINDER)/bin/python -c "import $$tool" 2>/dev/null; then \
			echo "requirements.txt installs $$tool: the book must not need it"; exit 1; fi; \
	done
	$(BINDER)/bin/python -m ipykernel install --prefix $(BINDER) --name whiteboard-binder \
		--display-name "whiteboard (requirements.txt only)" > /dev/null
	touch $@

lint: venv jsdev
	$(call timed,lint,$(BIN)/ruff check src tests benchmarks scripts book && \
		npx --no-install eslint src/whiteboard/viz/js tests/js benchmarks eslint.config.js)

check: lint
	$(call timed,check,$(BIN)/pytest tests -q -m "not slow and not browser" && \
		node --test tests/js/)

unit: venv
	$(call timed,unit,$(BIN)/pytest tests -q -m "not browser" && node --test tests/js/)

nbval: venv binder
	$(call timed,nbval,JUPYTER_PATH=$(CURDIR)/$(BINDER)/share/jupyter $(BIN)/pytest \
		-p no:cacheprovider --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-kernel-name whiteboard-binder --nbval-cell-timeout=600 book)

html: venv vendor
	$(call timed,html,$(JB) build . --all -W -n --keep-going)

browser: html
	$(call timed,browser,$(BIN)/pytest tests -q -m browser)

# Two stages at a time (the machine has two cores): the build and then the browser tests
# beside nbval (with its fresh environment), the unit tests and lint; each stage's output is
# printed whole when it ends, with its time.
test: venv vendor jsdev
	$(call timed,test,$(MAKE) --no-print-directory -j2 --output-sync=target browser nbval \
		unit lint)

student: venv
	$(BIN)/python scripts/student_edition.py --out _build/student

bench: venv
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf _build _vendor vendor/node_modules node_modules $(VENV) $(BINDER) .pytest_cache \
		.ruff_cache
