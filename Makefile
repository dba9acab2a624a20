# The project's commands. The first run sets everything up (see tools/bootstrap.py);
# later runs reuse what it installed in the cache folder outside the clone.
PYTHON ?= python3

.PHONY: setup test demo lint bench

setup:
	$(PYTHON) tools/bootstrap.py

test:
	$(PYTHON) tools/run_tests.py

demo:
	$(PYTHON) tools/demo.py

lint:
	$(PYTHON) tools/bootstrap.py --no-postgres --run pre-commit run --all-files --show-diff-on-failure

bench:
	$(PYTHON) tools/bootstrap.py --run python -m bench
