"""Show a failed check in IPython/Jupyter as its one sentence instead of a traceback, and an
exercise that is not written yet (the student notebook's ``raise NotImplementedError("write
<name> here, ...")`` stub, reached from a later cell) as one sentence that says where to go.

``set_custom_exc`` registers ``_show_failure`` for CheckFailed and NotImplementedError. IPython's
docstring says the handler returns a structured traceback to display, but IPython ignores that
return value (ipython/ipython#12378), so the handler displays the sentence itself with
``_showtraceback``: in a kernel that sends an "error" output and the cell ends with an error
status, so nbclient, nbval and nbgrader all see a failed cell (nbgrader gives it zero points).
Any other NotImplementedError gets IPython's usual traceback.
"""

from __future__ import annotations

import re

from ._core import CheckFailed

# the stub that lstm_tutorial.classroom.assignments puts in place of an answer
STUB = re.compile(r"write (\w+) here, then run the check cell below")


def _show_failure(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython custom-exception handler: display one sentence as the cell's error output.

    The kernel still records an "error" output and an error status, so nbclient, nbval and
    nbgrader see a failed cell (zero points).
    """
    if issubclass(etype, CheckFailed):
        shell._showtraceback(etype, value, [f"\x1b[0;31m✗ {value}\x1b[0m"])
        return
    stub = STUB.fullmatch(str(value))
    if stub is None:  # a NotImplementedError of someone else's code: the usual traceback
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return
    name = stub.group(1)
    shell._showtraceback(
        etype,
        value,
        [
            f"\x1b[0;31m✗ {name} is not written yet, and this cell uses it: write {name} in its "
            "exercise cell above, run its check cell, then run this cell again.\x1b[0m"
        ],
    )


def install_ipython_handler() -> bool:
    """Register ``_show_failure`` in the running IPython, if there is one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailed, NotImplementedError), _show_failure)
    return True
