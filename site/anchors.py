"""Heading anchors as JupyterLab makes them, so that one link works in both places.

JupyterLab links a heading "## Notation card" as ``#Notation-card`` (spaces become hyphens, case
kept); Sphinx's default slug would be ``notation-card``. The notebooks link the JupyterLab form,
so the site's headings get the same ids (``myst_heading_slug_func`` in _config.yml).
"""

import re


def slug(heading: str) -> str:
    """'Notation card' -> 'Notation-card'; punctuation other than - and _ is dropped."""
    return re.sub(r"[^\w\- ]", "", heading.strip()).replace(" ", "-")


def setup(app):  # loaded as a (do-nothing) Sphinx extension so that site/ is importable
    return {"parallel_read_safe": True, "parallel_write_safe": True}
