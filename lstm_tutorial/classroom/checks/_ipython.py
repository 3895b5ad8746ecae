"""Show a failed check in IPython/Jupyter as its one sentence instead of a traceback; say so when
a cell uses an exercise that is not written yet (the student version's ``raise
NotImplementedError("write <name> here, then run the check cell below")`` stub), and when a cell
fails later most likely because such an exercise is still missing, or failed its check.

``set_custom_exc`` registers ``_show_failure``. IPython's docstring says the handler returns a
structured traceback to display, but IPython ignores that return value (ipython/ipython#12378),
so the handler displays the sentence itself with ``_showtraceback``: in a kernel that sends an
"error" output and the cell ends with an error status, so nbclient, nbval and nbgrader all see a
failed cell (nbgrader gives it zero points). Any other error gets IPython's usual traceback.
"""

from __future__ import annotations

import re
import sys

from .failure import CheckFailed

# the stubs of lstm_tutorial.classroom.assignments and of docs/teaching.md's nbgrader config
STUB = re.compile(r"write (\w+|your answer) here, then run the check cell below")


def unwritten(namespace: dict) -> list[str]:
    """The notebook's functions whose body is still a stub (their code holds the stub's text)."""
    return [
        name
        for name, value in namespace.items()
        if any(
            isinstance(c, str) and STUB.fullmatch(c)
            for c in getattr(getattr(value, "__code__", None), "co_consts", ())
        )
    ]


def failed(namespace: dict) -> list[str]:
    """The notebook's exercise functions that fail their checks: the last check of the very same
    function failed, or it was never checked (the check cell skipped) and fails now."""
    from . import __dict__ as checks
    from .runner import LAST

    wrong = []
    for name, fn in list(namespace.items()):
        check = checks.get(f"check_{name}")
        if check is None or name == "close" or not callable(fn):
            continue
        checked, passed = LAST.get(name, (lambda: None, False))
        if checked() is fn:
            wrong += [] if passed else [name]
        else:
            try:
                check(fn, quiet=True)  # never checked: check it now, quietly
            except CheckFailed:
                wrong.append(name)
            except Exception:  # a check that cannot run here says nothing
                pass
    return wrong


def _show_failure(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython custom-exception handler: display one sentence as the cell's error output."""
    stub = STUB.fullmatch(str(value)) if issubclass(etype, NotImplementedError) else None
    missing = unwritten(shell.user_ns)
    wrong = [] if issubclass(etype, CheckFailed) or stub or missing else failed(shell.user_ns)
    if issubclass(etype, CheckFailed):
        text = str(value)
    elif stub is not None:
        name = stub.group(1) if stub.group(1) != "your answer" else (missing or ["an exercise"])[0]
        text = (
            f"{name} is not written yet, and this cell uses it: write {name} in its exercise "
            "cell above, run its check cell, then run this cell again."
        )
    elif missing:  # most likely a consequence: an earlier cell stopped at the stub
        first = str(value).strip().splitlines()[0] if str(value).strip() else ""
        names = " and ".join(missing) if len(missing) < 3 else ", ".join(missing[:-1])
        names += f" and {missing[-1]}" if len(missing) > 2 else ""
        verb, it = (
            ("are", "them, run their checks") if len(missing) > 1 else ("is", "it, run its check")
        )
        text = (
            f"{etype.__name__}: {first}, most likely because {names} {verb} not written yet: "
            f"write {it}, then run the notebook again from the top."
        )
    elif wrong:  # an exercise that failed its check: this cell may fail because of it
        first = str(value).strip().splitlines()[0] if str(value).strip() else ""
        which = " and ".join(wrong)
        text = (
            f"{etype.__name__}{': ' + first if first else ''}, most likely because {which} "
            f"{'fail their checks' if len(wrong) > 1 else 'fails its check'}: fix "
            f"{'them' if len(wrong) > 1 else 'it'} as {'their' if len(wrong) > 1 else 'its'} "
            "check cell says, then run the notebook again from the top."
        )
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return
    if not issubclass(etype, CheckFailed) and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")  # not the half-drawn figure of this cell
    shell._showtraceback(etype, value, [f"\x1b[0;31m✗ {text}\x1b[0m"])


def install_ipython_handler() -> bool:
    """Register ``_show_failure`` in the running IPython, if there is one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((Exception,), _show_failure)
    return True
