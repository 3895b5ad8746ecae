"""The LSTM variants as data: which options of the one ``LSTMCell`` each sets, and its size.

Every variant is an option of ``LSTMCell`` (STYLE rule 8), never a copy of it:

- peepholes (Gers & Schmidhuber 2000): a gate also reads the cell state through a diagonal
  weight p (H,); i and f read C_{t-1}, o reads the new C_t, e.g.
  f = σ(W_f x + U_f h_prev + p_f ⊙ c_prev + b_f).
- coupled input and forget gates (CIFG), i = 1 − f: write exactly as much as you forget.
- layer normalisation (Ba et al. 2016), layer_norm=True: every learned layer normalises W x and
  U h over its H units, and the output reads the normalised cell state,
  f = σ(LN(W_f x) + LN(U_f h_prev) + b_f), ..., h = o ⊙ tanh(LN(c)), each LN with its own gain
  and shift. Ba et al. normalise the four gates' stacked products together; we normalise each
  gate's own (as TensorFlow's LayerNormBasicLSTMCell does), which keeps the gates separate layers.

The ablations of Greff et al. (2017), "LSTM: A Search Space Odyssey", each change ONE thing in
their "vanilla" LSTM, which is the LSTM with all three peepholes:

    NIG   no input gate            i = 1
    NFG   no forget gate           f = 1
    NOG   no output gate           o = 1
    NIAF  no input activation      g = W_g x + U_g h + b_g          (no tanh)
    NOAF  no output activation     h = o ⊙ c                        (no tanh)
    NP    no peepholes             the plain LSTM of torch.nn
    CIFG  coupled gates            i = 1 − f
    FGR   full gate recurrence     i, f, o also read i_{t-1}, f_{t-1}, o_{t-1} (9 more H×H weights)
"""

from __future__ import annotations

from dataclasses import dataclass, fields

ALL_PEEPHOLES = "ifo"
ACTIVATION_CHOICES = ("tanh", "identity")


@dataclass(frozen=True)
class LSTMOptions:
    """The switches that turn the LSTM into its variants; the defaults are the plain LSTM.

    peepholes: the gates (a subset of "ifo") that read the cell state.
    coupled: i = 1 − f (no input gate of its own).
    input_gate, forget_gate, output_gate: False replaces that gate by 1 (NIG, NFG, NOG).
    input_activation, output_activation: "tanh" or "identity" (NIAF, NOAF).
    gate_recurrence: the gates also read the previous step's gate activations (FGR).
    layer_norm: layer normalisation of every product and of the cell state's output (Ba et al.).
    """

    peepholes: str = ""
    coupled: bool = False
    input_gate: bool = True
    forget_gate: bool = True
    output_gate: bool = True
    input_activation: str = "tanh"
    output_activation: str = "tanh"
    gate_recurrence: bool = False
    layer_norm: bool = False

    def __post_init__(self) -> None:
        chosen = set(self.peepholes)
        if isinstance(self.peepholes, bytes) or not chosen <= set(ALL_PEEPHOLES):
            raise ValueError(
                f"peepholes must be a subset of 'ifo' (e.g. 'ifo', 'fo' or {{'i', 'f'}}), "
                f"got {self.peepholes!r}"
            )
        # a canonical string, so that {"f", "i"}, "fi" and "if" are the same option
        object.__setattr__(self, "peepholes", "".join(k for k in ALL_PEEPHOLES if k in chosen))
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool" and not isinstance(value, bool):
                raise TypeError(f"{f.name} must be True or False, got {value!r}")
        for name in ("input_activation", "output_activation"):
            if getattr(self, name) not in ACTIVATION_CHOICES:
                raise ValueError(
                    f"{name} must be one of {ACTIVATION_CHOICES}, got {getattr(self, name)!r}"
                )
        if self.coupled and not (self.input_gate and self.forget_gate):
            missing = "input_gate=False (NIG)" if not self.input_gate else "forget_gate=False (NFG)"
            raise ValueError(
                f"coupled=True sets i = 1 − f, so it needs a forget gate and an input gate to "
                f"replace; it cannot be combined with {missing}"
            )
        for k in self.peepholes:
            if k not in self.gates:
                why = "coupled=True makes i = 1 − f" if k == "i" and self.coupled else "it is 1"
                raise ValueError(
                    f"peepholes={self.peepholes!r} include gate {k!r}, but this cell has no "
                    f"learned {k} gate ({why}); drop {k!r} from peepholes"
                )
        if self.gate_recurrence and not self.gates:
            raise ValueError("gate_recurrence=True needs at least one of the gates i, f, o")

    def changes(self) -> dict[str, object]:
        """The options that differ from the plain LSTM's, e.g. {"coupled": True}."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) != f.default}

    @property
    def gates(self) -> str:
        """The learned sigmoid gates, in the order i, f, o (e.g. "fo" for CIFG)."""
        learned = {"i": self.input_gate and not self.coupled}
        learned.update(f=self.forget_gate, o=self.output_gate)
        return "".join(k for k in "ifo" if learned[k])


# Greff et al. (2017): each ablation is "vanilla" (all three peepholes) with one change.
VARIANTS: dict[str, LSTMOptions] = {
    "vanilla": LSTMOptions(peepholes="ifo"),
    "NIG": LSTMOptions(peepholes="fo", input_gate=False),
    "NFG": LSTMOptions(peepholes="io", forget_gate=False),
    "NOG": LSTMOptions(peepholes="if", output_gate=False),
    "NIAF": LSTMOptions(peepholes="ifo", input_activation="identity"),
    "NOAF": LSTMOptions(peepholes="ifo", output_activation="identity"),
    "NP": LSTMOptions(),
    "CIFG": LSTMOptions(peepholes="fo", coupled=True),
    "FGR": LSTMOptions(peepholes="ifo", gate_recurrence=True),
}


def resolve_options(variant: str | None = None, **options) -> LSTMOptions:
    """The options of a named variant (``variant="CIFG"``) or of individual switches, not both."""
    if variant is None:
        return LSTMOptions(**options)
    names = {name.lower(): name for name in VARIANTS}
    if not isinstance(variant, str) or variant.lower() not in names:
        raise ValueError(f"variant must be one of {list(VARIANTS)}, got {variant!r}")
    changed = sorted(LSTMOptions(**options).changes())
    if changed:
        raise ValueError(
            f"pass either variant={variant!r} or individual options, not both; got also {changed} "
            f"(variant={variant!r} already means {VARIANTS[names[variant.lower()]].changes()})"
        )
    return VARIANTS[names[variant.lower()]]


def variant_name(options: LSTMOptions) -> str | None:
    """The Greff et al. (2017) name of these options, or None ("NP" is the plain LSTM)."""
    return next((name for name, o in VARIANTS.items() if o == options), None)


def parameter_count(
    options: LSTMOptions | str,
    input_size: int,
    hidden_size: int,
    bias: bool = True,
    proj_size: int = 0,
) -> int:
    """Number of learned numbers in one cell, by formula (the tests compare it with the cell's).

    Each learned layer (the G gates and the candidate g) has W (H, D), U (H, R) and b (H,), with
    R = P or H; each peephole adds p (H,); FGR adds G × G matrices (H, H); a projection W_hr (P, H);
    layer_norm adds a gain and a shift (H,) for both products of each layer and for c.
    """
    o = VARIANTS[options] if isinstance(options, str) else options
    D, H, P = input_size, hidden_size, proj_size
    G = len(o.gates)
    per_layer = H * D + H * (P or H) + (H if bias else 0)
    recurrence = G * G * H * H if o.gate_recurrence else 0
    norms = (G + 1) * 4 * H + 2 * H if o.layer_norm else 0
    return (G + 1) * per_layer + len(o.peepholes) * H + recurrence + P * H + norms


def parameter_table(input_size: int, hidden_size: int) -> dict[str, int]:
    """Parameter count of every Greff et al. (2017) variant for one cell of this size."""
    return {name: parameter_count(o, input_size, hidden_size) for name, o in VARIANTS.items()}
