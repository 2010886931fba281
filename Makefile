# `make demo` and `make test` set everything up from scratch: a virtual
# environment in $(VENV), the pinned stack, and this project (editable).
PYTHON ?= python3
VENV ?= .venv
# CPU wheel on machines without a GPU; override for your CUDA build
TORCH ?= torch==2.13.0
PY := $(VENV)/bin/python
TEST_WORKERS ?= 2
STAMP := $(VENV)/.motionmae-installed

.PHONY: install demo demo-finetune test benchmark-motion benchmark-motion-quick benchmark-digits clean

install: $(STAMP)

$(STAMP): requirements/runtime.txt requirements/tests.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 'setuptools<81' wheel
	$(PY) -m pip install -q '$(TORCH)'
	$(PY) -m pip install -q -r requirements/runtime.txt -r requirements/tests.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

demo: install
	$(PY) tools/demo.py

# pretrain -> fine-tune -> test on the demo clips (docs/finetune.md)
demo-finetune: install
	$(PY) tools/demo_finetune.py $(ARGS)

# test files run on TEST_WORKERS pytest-xdist workers (0: one process);
# a file stays on one worker, so its module fixtures are built once, and
# files start in collection order (heavy ones first, tests/conftest.py),
# not xdist's default order by number of tests
test: install
	$(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# motion vs appearance on the demo data (docs/results.md); ARGS=--ablation etc.
benchmark-motion: install
	$(PY) tools/benchmarks/motion_vs_appearance.py $(ARGS)

# few labels on moving digits, against random init (docs/results.md)
benchmark-digits: install
	$(PY) tools/benchmarks/moving_digits.py --preset few-label $(ARGS)

benchmark-motion-quick: install
	$(PY) tools/benchmarks/motion_vs_appearance.py --quick $(ARGS)

clean:
	rm -rf work_dirs data/demo data/demo_digits
