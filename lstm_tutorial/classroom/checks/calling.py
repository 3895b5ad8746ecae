"""Calling a student's function: what it raises, or a wrong kind of value it returns (None,
numpy, a tuple, float32, a transposed or concatenated shape, NaN), becomes one sentence that says
what to change. For an error the sentence keeps the first line of the error's own text (students
learn to read errors) and adds what usually causes it in these exercises."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

from .failure import CheckFailed, fail, sizes

# (phrase of an error's text, what it usually means here). The first phrase found wins.
ERROR_HINTS = [
    ("for @: 'Tensor' and 'builtin_function_or_method'",
     "W.t is a method, not the transpose itself: write W.T (or W.t())"),
    ("for @: 'Tensor' and 'method'", "W.t is a method, not the transpose itself: write W.T"),
    ("'builtin_function_or_method' object", "a method was used without (): write W.T or W.t()"),
    ("'Tensor' and 'builtin_function_or_method'",
     "a method was used without calling it: a tensor's .values is a method (torch.maximum(a, b) "
     "is the tensor itself), and W.t needs () (or write W.T)"),
    ("for @: 'builtin_function_or_method' and",
     "dz.t is a method, not the transpose itself: write dz.T (or dz.t())"),
    ("mat1 and mat2 shapes cannot be multiplied",
     "weights act on row vectors here, so W x is written x @ W.T (and U h_prev is h_prev @ U.T)"),
    ("must match the size of tensor",
     "two tensors of different shapes were combined (a * where @ belongs, or W @ x.T); with "
     "one example per row every term is (B, H): x @ W.T, h_prev @ U.T, and b (H,) broadcast "
     "over the rows"),
    ("expected scalar type",
     "a float32 tensor was mixed in: keep every tensor float64 (no .float(), and give "
     "torch.tensor/torch.zeros dtype=torch.float64 or use torch.zeros_like)"),
    ("same dtype", "a float32 tensor was mixed in: keep every tensor float64 (no .float())"),
    ("must be Tensor, not", "torch functions take tensors: pass the tensor itself, not a number"),
    ("in-place operation",
     "the function changes a tensor in place (+=, *=, [...] =): compute a new tensor instead"),
    ("numpy() on Tensor that requires grad", "compute with torch, not numpy"),
    ("maximum recursion depth", "the function calls itself: compute the result from its pieces"),
    ("where it is not associated with a value",
     "a variable is used before the line that computes it: in that place the equation "
     "needs one of the arguments (x, h_prev, c_prev) or a value computed earlier"),
    ("cannot be converted to Scalar",
     ".item() and float() turn a one-number tensor into a Python number: keep the tensor"),
    ("Boolean value of Tensor with more than one value is ambiguous",
     "Python's max, min, if, and, or compare single numbers: use torch.maximum(a, b), "
     "torch.minimum(a, b) or torch.where for tensors"),
    ("object has no attribute 'values'",
     "torch.max(a, b) and torch.maximum(a, b) return the tensor itself: only a reduction such as "
     "z.max(dim=-1) has .values"),
    ("not implemented for", "this operation does not work on float tensors: in Python ^ is xor, "
     "so write h ** 2 for a square"),
    ("1D tensors expected", "torch.dot takes two vectors: ⊙ is the element-wise product *"),
    ("out of bounds for dimension", "an index or a loop runs past a dimension: the examples are "
     "the rows, range(x.shape[0]), and each weight has one row per unit"),
    ("only one element tensors can be converted to Python scalars",
     "math works on single numbers: on tensors use torch.exp, torch.tanh, torch.sigmoid"),
    ("'NoneType' object", "a value is None: did a helper function forget its `return`?"),
    ("object has no attribute", "check the attribute's name against the task"),
    ("not subscriptable", "index only tensors and tuples"),
    ("cannot unpack", "return exactly the values the task asks for, in its order"),
    ("too many values to unpack", "return exactly the values the task asks for, in its order"),
]  # fmt: skip
# (phrase of an error's text, what it usually means, a name the function's code uses then)
CHUNK = (
    "chunk(4) splits dim 0, the batch: split the units of the (B, 4H) pre-activation with "
    ".chunk(4, dim=1)"
)
CODE_HINTS = [
    ("cannot be multiplied", "check the axis of each torch.cat: [x, h_prev] joins along dim=1 into "
     "(B, D + H), with its weights [W, U] joined the same way, into (H, D + H); the four gates' "
     "weights stack along dim=0, into (4H, D) and (4H, H)", "cat"),
    ("values to unpack", CHUNK, "chunk"),
    ("must match the size", CHUNK, "chunk"),
]  # fmt: skip
TORCH_NAMES = {"sigmoid", "tanh", "exp", "relu", "softmax", "zeros", "ones", "cat", "matmul"}
DEFAULT_HINT = "compare that line's shapes with the task (x (B, D), h_prev (B, H), W (H, D))"


class Outcome(NamedTuple):
    """What one call gave: its result, or the error it raised (then ``result`` is None)."""

    result: object
    error: BaseException | None


def call(fn: Callable, args: Sequence) -> Outcome:
    """``fn(*args)``, any exception caught (a CheckFailed from a guard is raised at once)."""
    try:
        return Outcome(fn(*args), None)
    except CheckFailed:
        raise
    except Exception as error:  # every bug in a submission must become feedback
        return Outcome(None, error)


def name_error_hint(text: str) -> str | None:
    match = re.search(r"name '(\w+)' is not defined", text)
    if not match:
        return None
    missing = match.group(1)
    if missing in TORCH_NAMES:
        return f"write torch.{missing}, the function lives in torch"
    if missing in ("np", "numpy", "math"):
        return f"{missing} is not imported here: compute with torch (torch.sigmoid, torch.tanh)"
    return "use only the function's arguments and the names the notebook defines"


def elementwise_hint(text: str) -> str | None:
    """(3x4 and 3x4): two tensors of one shape multiplied with @, where ⊙ (*) belongs."""
    if re.search(r"cannot be multiplied \((\d+x\d+) and \1\)", text):
        return "two (B, H) tensors were multiplied with @: ⊙ is the element-wise product, written *"
    return None


def call_hint(name: str, text: str) -> str | None:
    """For "f() got an unexpected keyword argument" and the like: whose call it was."""
    match = re.match(r"([\w.]+)\(\) (?:got|missing|takes)", text)
    if not match and not re.search(r"positional argument|keyword argument", text):
        return None
    parts = match.group(1).split(".") if match else [""]
    called = parts[0] if parts[-1].startswith("__") else parts[-1]  # LSTMStepGrads.__new__
    if called in (name, "", "<lambda>"):
        return "keep the signature given in the task"
    missing = re.search(r"missing \d+ required positional arguments?: (.+)$", text)
    if missing:
        return f"{called} was called without {missing.group(1)}: pass every value it takes"
    return f"{called} was called with the wrong arguments: check that call against its signature"


def column_hint(text: str, B: int, H: int) -> str | None:
    """(3) must match (4): a (H, 1) column or an (H, B) product met a (B, H) tensor."""
    match = re.search(r"tensor a \((\d+)\) must match the size of tensor b \((\d+)\)", text)
    if not match or B == H or sorted(map(int, match.groups())) != sorted((B, H)):
        return None
    return (
        "a column (H, 1) or a product with one example per column (H, B) met a (B, H) tensor: "
        "the bias b (H,) broadcasts over the rows as it is (no b[:, None] or .unsqueeze(1)), and "
        "every term has one example per row, x @ W.T"
    )


def explain(
    name: str,
    error: BaseException,
    hints: Sequence[tuple] = (),
    code: Sequence[str] = (),
    helpers: Sequence[str] = (),
    sizes: tuple[int, int] | None = None,
) -> str:
    """One sentence for an error raised by the student's ``name``, whose code uses the names
    ``code`` (its ``co_names``) and may call the student's (right) ``helpers``, on a case of
    ``sizes`` (B, H) if they are its batch and units. A hint ``(phrase, hint, name)`` applies only
    if the code uses ``name``."""
    if isinstance(error, NotImplementedError) and "not implemented for" not in str(error):
        helper = traceback.extract_tb(error.__traceback__)[-1].name
        if helper not in (name, "<lambda>", "<module>"):
            return f"{name} calls {helper}, which is not written yet: finish {helper} first."
        return (
            f"{name} is not written yet: replace the `raise NotImplementedError(...)` line "
            "with your code and run this cell again."
        )
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = re.split(r"(?<=[a-z)'])\. (?=[A-Z])", text)[0]  # its first sentence
    if isinstance(error, KeyError):
        return (
            f"{name} raised KeyError ({text}): a dictionary was read with a key it does not "
            "hold; use the keys it was built with."
        )
    frames = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
    inside = next((f for f in frames if f in helpers and f != name), None)
    coded = [(h[0], h[1]) for h in [*hints, *CODE_HINTS] if len(h) == 3 and h[2] in code]
    hints = [h for h in hints if len(h) == 2]
    own = [(key, h) for key, h in hints if key and (key, h) not in ERROR_HINTS]  # "": fallback
    called = f"{inside}, which is right on its own: check the arguments {name} passes to it"
    hint = (
        name_error_hint(text)
        or (inside and f"it was raised inside your {called}, in the order of its signature")
        or next((h for key, h in coded if key in text), None)
        or (sizes and column_hint(text, *sizes))
        or next((h for key, h in own if key in text), None)
        or elementwise_hint(text)
        or next((h for key, h in ERROR_HINTS if key in text), None)
        or call_hint(name, text)
        or next((h for key, h in hints if not key), DEFAULT_HINT)
    )
    detail = f" ({text})" if text else ""
    return f"{name} raised {type(error).__name__}{detail}: {hint}."


# ---- what it returned


def tensor(
    name: str, value: object, what: str, B: int, H: int, hint: str = "", nan_hint: str = ""
) -> torch.Tensor:
    """``value`` if it is a float64 tensor of shape (B, H); else CheckFailed naming the fault."""
    if value is None:
        fail(f"{name} returned None: end it with `return {what}`.")
    if isinstance(value, tuple | list) and any(isinstance(v, torch.Tensor) for v in value):
        fail(
            f"{name} must return {what} alone, as a torch.Tensor of shape (B, H), got a "
            f"{type(value).__name__} of {len(value)}: write `return {what}` (no comma, no "
            "second value)."
        )
    if type(value).__module__ == "numpy":
        fail(
            f"{name} must return {what} as a torch.Tensor of shape (B, H), got a numpy "
            f"{type(value).__name__}: compute with torch (torch.sigmoid, torch.tanh, @), not numpy."
        )
    if not isinstance(value, torch.Tensor):
        fail(
            f"{name} must return {what} as a torch.Tensor of shape (B, H), "
            f"got {type(value).__name__}."
        )
    if value.dtype != torch.float64:
        fail(
            f"{name} returned {what} with dtype {value.dtype}, expected torch.float64: do not "
            "create tensors with another dtype (or call .float()) inside the function."
        )
    shape = tuple(value.shape)
    if shape != (B, H):
        expected = f"expected (B, H) = {sizes(B, H)}, got {sizes(*shape)}"
        if shape == (H, B):
            hint = (
                "the result is transposed, one example per column: keep one per row "
                "(x @ W.T rather than W @ x.T, and no .T on the result)"
            )
        elif shape == (B, 2 * H):
            hint = "torch.cat put two terms side by side; add them with + instead"
        elif shape in ((H,), (B,), ()):
            hint = (
                "a dimension was lost (.squeeze() drops every one of size 1, B = 1 "
                "included; a sum or an index can too): keep one row per example and one "
                "column per unit"
            )
        elif len(shape) == 3 or shape in ((B, B), (H, H)):
            hint = hint or "⊙ is the element-wise product *, and only weights are multiplied with @"
        elif value.numel() == B * H and len(shape) <= 2:
            hint = (
                f"its B·H = {B * H} values were joined along the wrong dimension or "
                "flattened: torch.stack(rows) or torch.cat(rows, dim=0) keeps one row per "
                "example"
            )
        elif len(shape) == 2 and 1 in shape:
            hint = "a sum or reduction collapsed a dimension: keep every unit's value separate"
        hint = hint or "keep one row per example (B) and one column per hidden unit (H)"
        fail(f"{name} returned {what} with the wrong shape ({expected}): {hint}.")
    if not torch.isfinite(value).all():
        fail(
            f"{name} returned {what} containing NaN or inf values: "
            + (nan_hint or "a log of a number ≤ 0, a division by 0 or an exp that overflowed")
            + "."
        )
    return value


def tensors(name: str, result: object, outputs, B: int, H: int, hint="", nan_hint=""):
    """The result as a tuple of ``len(outputs)`` tensors of shape (B, H), or CheckFailed."""
    if len(outputs) == 1:
        return (tensor(name, result, outputs[0], B, H, hint, nan_hint),)
    pair = ("the pair " if len(outputs) == 2 else "the tuple ") + "(" + ", ".join(outputs) + ")"
    if result is None:
        fail(f"{name} returned None: end it with `return {', '.join(outputs)}`.")
    if isinstance(result, torch.Tensor):
        fail(f"{name} must return {pair}, got a single tensor.")
    if not isinstance(result, tuple | list) or len(result) != len(outputs):
        n = len(result) if isinstance(result, tuple | list) else 0
        got = f"{n} value" + "s" * (n != 1) if n else type(result).__name__
        fail(f"{name} must return {pair}, got {got}.")
    for value, what in zip(result, outputs):
        if value is None:
            fail(f"{name} returned None as {what}: return {pair} of tensors.")
    return tuple(tensor(name, v, what, B, H, hint, nan_hint) for v, what in zip(result, outputs))
