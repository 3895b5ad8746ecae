"""Train the character-level language model on the standard library's source (notebook 14).

    python -m lstm_tutorial.experiments charlm --out results/charlm.json    # writes charlm.pt too

Adam on the cross-entropy of the next character, truncated BPTT over ``Streams`` windows (the
state carried across windows, detached), gradient-norm clipping, the learning rate decayed by a
cosine to a tenth. The model is ``CharLM``, whose recurrent layer is this package's ``LSTM``,
trained as it is (its fast path runs torch's own LSTM kernel), so the checkpoint is the package's
LSTM. Saved: the float32 ``state_dict`` with the
settings and the vocabulary (``.pt``) and the metrics with the validation files' list and their
text's fingerprint (``.json``), so a test can recompute the validation bits per character.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from .charlm import CharLM, bits_per_char
from .corpus import Corpus, Vocab, fingerprint, load_corpus
from .results import command_line, num_threads, parser, write_record
from .streams import Streams, detach


@dataclass(frozen=True)
class Settings:
    """The corpus, the model and how it is trained."""

    budget: int = 2_000_000  # bytes of stdlib source
    every: int = 10  # one file in ten is for validation
    embed_size: int = 32
    hidden_size: int = 192
    batch_size: int = 32
    seq_len: int = 100
    steps: int = 4000
    lr: float = 3e-3
    clip: float = 1.0
    seed: int = 0
    log_every: int = 100
    eval_batch: int = 32
    eval_len: int = 250


def fit(model: CharLM, corpus: Corpus, vocab: Vocab, s: Settings, progress: bool = False):
    """Train ``model`` in place; returns (logged steps, mean training bits/char over each)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=s.lr)
    decay = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: 0.1 + 0.45 * (1 + math.cos(math.pi * k / s.steps))
    )
    windows = Streams(vocab.encode(corpus.train_text), s.batch_size, s.seq_len)
    stream, state, logged, bits, running = windows.forever(), None, [], [], []
    for step in tqdm(range(1, s.steps + 1), desc="charlm", disable=not progress):
        if (step - 1) % len(windows) == 0:
            state = None  # a new pass starts the rows again
        x, y = next(stream)
        logits, state = model(x, state)  # (B, T, V)
        state = detach(state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), s.clip)
        optimizer.step()
        decay.step()
        running.append(loss.item() / math.log(2))
        if step % s.log_every == 0 or step == s.steps:
            logged.append(step)
            bits.append(round(sum(running) / len(running), 4))
            running = []
    return logged, bits


def run(s: Settings, progress: bool = False, threads: int = 1) -> tuple[CharLM, dict]:
    """Train one model; returns it (float32, the package's LSTM) and its metrics."""
    corpus, vocab = load_corpus(s.budget, s.every), Vocab()
    with num_threads(threads):
        torch.manual_seed(s.seed)
        model = CharLM(len(vocab), s.embed_size, s.hidden_size)
        start = time.perf_counter()
        steps, bits = fit(model, corpus, vocab, s, progress)
        seconds = round(time.perf_counter() - start, 1)
        valid = bits_per_char(model, vocab.encode(corpus.valid_text), s.eval_batch, s.eval_len)
    metrics = {
        "seconds": seconds,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_chars": len(corpus.train_text),
        "valid_chars": len(corpus.valid_text),
        "valid_bits_per_char": round(valid, 4),
        "valid_files": corpus.valid_files,
        "valid_fingerprint": fingerprint(corpus.valid_text),
        "step": steps,
        "train_bits_per_char": bits,
    }
    return model, metrics


def save(out: Path, model: CharLM, s: Settings, metrics: dict, command: str) -> Path:
    """Write ``out`` (metrics JSON) and the checkpoint beside it (same name, ``.pt``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = out.with_suffix(".pt")
    state = {k: v.detach().to(torch.float32).clone() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "settings": asdict(s), "chars": Vocab().chars}, checkpoint)
    write_record(
        out,
        experiment="charlm",
        command=command,
        task="next-character prediction on the first stdlib .py files (sorted paths); "
        "validation = every 10th file; bits/char = mean cross-entropy / ln 2",
        settings=asdict(s),
        runs=[metrics],
    )
    return checkpoint


def load(checkpoint: str | Path) -> tuple[CharLM, Vocab, Settings]:
    """A saved model (float32, the package's LSTM), its vocabulary and its settings."""
    saved = torch.load(checkpoint, weights_only=True)
    s = Settings(**saved["settings"])
    vocab = Vocab(saved["chars"])
    model = CharLM(len(vocab), s.embed_size, s.hidden_size)
    model.load_state_dict(saved["state_dict"])
    return model.eval(), vocab, s


QUICK = {"budget": 60_000, "hidden_size": 32, "steps": 40, "seq_len": 50, "log_every": 10}


def main(argv: list[str] | None = None) -> None:
    cli = parser("charlm", out_help="metrics JSON (checkpoint: .pt)")
    cli.add_argument("--steps", type=int, default=Settings.steps)
    args = cli.parse_args(argv)
    line = command_line("charlm", args.out)
    if args.quick:
        line += " --quick"
        settings = replace(Settings(), **QUICK)
    else:
        line += f" --steps {args.steps}"
        settings = Settings(steps=args.steps)
    model, metrics = run(settings, not args.quiet)
    save(args.out, model, settings, metrics, line)
