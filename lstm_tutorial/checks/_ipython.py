"""Show a failed check in IPython/Jupyter as its one sentence instead of a traceback.

``set_custom_exc`` registers ``_show_failure`` for CheckFailed. IPython's docstring says the
handler returns a structured traceback to display, but IPython ignores that return value
(ipython/ipython#12378), so the handler displays the sentence itself with ``_showtraceback``: in
a kernel that sends an "error" output and the cell ends with an error status, so nbclient, nbval
and nbgrader all see a failed cell (nbgrader gives it zero points).
"""

from __future__ import annotations

from ._core import CheckFailed


def _show_failure(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython custom-exception handler: display the one sentence as the cell's error output.

    The kernel still records an "error" output and an error status, so nbclient, nbval and
    nbgrader see a failed cell (zero points).
    """
    shell._showtraceback(etype, value, [f"\x1b[0;31m✗ {value}\x1b[0m"])


def install_ipython_handler() -> bool:
    """Register ``_show_failure`` for CheckFailed in the running IPython, if there is one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailed,), _show_failure)
    return True
