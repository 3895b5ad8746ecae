"""nbval settings: compare a notebook's text results, not its warnings or rich HTML.

At the repository root (not in notebooks/) so that the folder a reader opens holds only the series;
pytest loads a root conftest.py for every path it collects, so `pytest --nbval notebooks/x.ipynb`
still skips these output types. The sanitize rules are in nb_sanitize.cfg, beside this file.
"""


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare") and str(collector.path).endswith(".ipynb"):
        collector.skip_compare += ("stderr", "text/html", "application/javascript")
