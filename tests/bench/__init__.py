"""`make bench`: one run measures the step path against the bare-engine limit, the HTML pages against the API,
SQL statements per request, the correspondence loop's flat cost, and the 1,000-service catalog.

Run as `python -m tests.bench` (see `--help`). No module here is named `test_*`, so pytest never collects the
benchmark itself; `tests/unit/test_bench_runs.py` only proves that it still runs, on tiny inputs, without timing.
"""
