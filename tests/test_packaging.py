"""The conda environment and pyproject.toml name the same dependencies with the same bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch"}  # conda-forge's name -> PyPI's name
NOT_IN_PYPROJECT = {"python", "pip"}
CLASSROOM_ONLY = "classroom"  # nbgrader stays out of the default environment


def _split(spec: str) -> tuple[str, str]:
    name, bounds = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", spec).groups()
    return name.lower(), bounds.replace(" ", "")


def pyproject_deps() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(meta["dependencies"])
    for extra, deps in meta["optional-dependencies"].items():
        if extra != CLASSROOM_ONLY:
            specs += deps
    return dict(_split(s) for s in specs)


def conda_deps() -> dict[str, str]:
    """conda-forge's packages and the PyPI-only ones listed under pip (except the package)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = {}
    for item in env["dependencies"]:
        for spec in item["pip"] if isinstance(item, dict) else [item]:
            if spec == "-e .":
                continue
            name, bounds = _split(spec)
            name = CONDA_NAMES.get(name, name)
            if name not in NOT_IN_PYPROJECT:
                deps[name] = bounds
    return deps


def test_environment_yml_matches_pyproject():
    assert conda_deps() == pyproject_deps()


def test_environment_yml_uses_conda_forge_and_installs_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pip[-1] == "-e ."
