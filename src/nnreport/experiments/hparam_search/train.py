"""Chapter 6.5: random search for the learning rate and weight decay, then narrowing.

Runs as shards (see :mod:`nnreport.runner`). Stage 0 samples ``trials`` pairs
log-uniformly from the configured ranges; each later stage samples inside the box spanned by
the previous stage's top-k trials (by final validation accuracy; trials tied with the k-th
are kept), as the textbook recommends doing by hand. Where that range touches an edge of the
box it was found in (within ``EDGE`` of the box's width, in log10 units), the optimum may lie
outside: the next stage's box reaches one decade past that edge, never beyond the hard
limits ``lr_limit`` / ``weight_decay_limit``, instead of narrowing into it. The last stage's
range is the recommendation; a bootstrap over its trials gives the uncertainty of its ends.

A stage's trials train in lockstep as one model stack on a common minibatch sequence (a
fairer comparison, and fast). Every random draw of a trial (its lr, weight decay and initial
weights) comes from its own stream keyed by (seed, stage, trial index), and the minibatch
order from (seed, stage, repeat), so splitting a stage into shards changes no number.
"""

from __future__ import annotations

import numpy as np

from nnreport import UserError
from nnreport.experiments.common import (
    capped,
    epoch_schedule,
    layer_sizes,
    offset_progress,
    shard_range,
    work,
)
from nnreport.experiments.common import nominal_flops as nominal_flops
from nnreport.nn.network import MultiLayerNet
from nnreport.nn.optimizers import SGD
from nnreport.nn.trainer import train

SPLIT_KEY, TRIAL_KEY, BATCH_KEY, BOOTSTRAP_KEY = 0, 1, 2, 3
KEYS = ("lr", "weight_decay")
EDGE = 0.05  # share of a box's log10 width within which a range end "touches" its edge
BOOTSTRAP = 1000


def stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def split(data, settings: dict):
    """The first ``train_samples`` samples, shuffled with the seed, minus a validation part."""
    n = capped(settings["train_samples"], len(data.x_train))
    order = stream(settings["seed"], SPLIT_KEY).permutation(n)
    n_val = max(1, int(round(n * settings["validation_fraction"])))
    val, tr = order[:n_val], order[n_val:]
    return data.x_train[tr], data.y_train[tr], data.x_train[val], data.y_train[val]


def check_settings(settings: dict) -> list[str]:
    """Problems with relations between keys (JSON Schema checks each key alone)."""
    problems = []
    for key in ("lr", "weight_decay"):
        low, high = settings[f"{key}_range"]
        if not low < high:
            problems.append(
                f"{key}_range is [{low}, {high}]: the low end must be below the high end"
            )
        floor, ceiling = settings[f"{key}_limit"]
        if not floor <= low < high <= ceiling:
            problems.append(
                f"{key}_range [{low}, {high}] is not inside {key}_limit [{floor}, {ceiling}]"
            )
    if settings["shards"] > settings["trials"]:
        problems.append(
            f"shards is {settings['shards']} but trials is {settings['trials']}: "
            "a shard would have no trial"
        )
    return problems


def initial_box(settings: dict) -> dict:
    return {"lr": list(settings["lr_range"]), "weight_decay": list(settings["weight_decay_range"])}


def sample(box: dict, rng: np.random.Generator) -> tuple[float, float]:
    """Log-uniform draws inside ``box``: (learning rate, weight decay)."""
    lr = 10 ** rng.uniform(*np.log10(box["lr"]))
    decay = 10 ** rng.uniform(*np.log10(box["weight_decay"]))
    return float(lr), float(decay)


def stages(settings: dict) -> int:
    return settings["stages"]


def shard_steps(settings: dict, data, stage: int, shard: int) -> int:
    """Training steps of one shard: its trials train in lockstep, once per repeat."""
    return epoch_schedule(len(split(data, settings)[0]), settings)[2] * settings["repeats"]


def run_shard(
    data, settings: dict, stage: int, shard: int, previous=None, threads=1, progress=None
):
    """Train shard ``shard`` of ``stage`` inside the box the stage before it found."""
    box = next_box(settings, stage, previous)
    return train_shard(data, settings, stage, shard, settings["shards"], box, progress)


def train_shard(
    data, settings: dict, stage: int, shard: int, shards: int, box: dict, progress=None
):
    """Train this shard's trials of ``stage``; return (record, arrays)."""
    seed = settings["seed"]
    indices = list(shard_range(settings["trials"], shards, shard))
    x, y, x_val, y_val = split(data, settings)
    batch, per_epoch, iterations = epoch_schedule(len(x), settings)
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    trial_rngs = [stream(seed, TRIAL_KEY, stage, i) for i in indices]
    draws = np.array([sample(box, r) for r in trial_rngs]).reshape(-1, 2)
    val_acc, train_acc, status = [], [], []
    for repeat in range(settings["repeats"]):
        rngs = [np.random.default_rng(r.bit_generator.seed_seq.spawn(1)[0]) for r in trial_rngs]
        net = MultiLayerNet(
            sizes[0],
            sizes[1:-1],
            sizes[-1],
            rng=rngs,
            n_models=len(indices),
            activation=settings["activation"],
            weight_init=settings["weight_init"],
            weight_decay=draws[:, 1],
        )
        history = train(
            net,
            SGD(draws[:, 0]),
            x,
            y,
            rng=stream(seed, BATCH_KEY, stage, repeat),
            batch_size=batch,
            iterations=iterations,
            eval_every=per_epoch,
            eval_sets=[(x, y), (x_val, y_val)],
            on_step=offset_progress(progress, repeat * iterations),
        )
        train_acc.append(history.train_acc.T)  # (trials, epochs)
        val_acc.append(history.test_acc.T)  # the second evaluation set: validation
        status.append(history.diverged_at)
    trials = []
    for k, index in enumerate(indices):
        steps = [s[k] for s in status]
        trials.append(
            {
                "index": index,
                "lr": draws[k, 0],
                "weight_decay": draws[k, 1],
                "status": "ok" if all(s is None for s in steps) else "diverged",
                "diverged_at": next((s for s in steps if s is not None), None),
            }
        )
    record = {
        "stage": stage,
        "shard": shard,
        "shards": shards,
        "box": box,
        "trials": trials,
        "split": {"train": len(x), "validation": len(x_val)},
        "work": work(
            sizes,
            len(indices),
            iterations,
            batch,
            (len(x) + len(x_val)) * settings["epochs"],
            settings["repeats"],
        ),
    }
    arrays = {"val_acc": np.stack(val_acc), "train_acc": np.stack(train_acc)}  # (rep, trials, ep)
    return record, arrays


def top_trials(ranked: list[dict], top_k: int) -> list[dict]:
    """The ``top_k`` best finished trials, and every further one tied with the k-th."""
    ok = [t for t in ranked if t["status"] == "ok"]
    if len(ok) <= top_k:
        return ok
    cut = ok[top_k - 1]["val_acc"]
    return [t for t in ok if t["val_acc"] >= cut]


def best_range(trials: list[dict], top_k: int) -> dict | None:
    """[min, max] of lr and weight decay over the top trials (ties at the cut kept) of
    ``trials`` (ranked best first)."""
    top = top_trials(trials, top_k)
    if not top:
        return None
    return {key: [min(t[key] for t in top), max(t[key] for t in top)] for key in KEYS}


def touched_edges(found: dict, box: dict) -> dict:
    """Per key, the box edges ("low", "high") the found range reaches (within ``EDGE``)."""
    edges = {}
    for key in KEYS:
        low, high = np.log10(box[key])
        margin = EDGE * (high - low)
        ends = np.log10(found[key])
        hits = (("low", ends[0] <= low + margin), ("high", ends[1] >= high - margin))
        edges[key] = [side for side, hit in hits if hit]
    return edges


def extended_box(found: dict, edges: dict, settings: dict) -> dict:
    """The next stage's box: the found range, reaching one decade past each touched edge,
    clipped to the hard limits."""
    box = {}
    for key in KEYS:
        low, high = found[key]
        floor, ceiling = settings[f"{key}_limit"]
        if "low" in edges[key]:
            low = low / 10
        if "high" in edges[key]:
            high = high * 10
        box[key] = [max(low, floor), min(high, ceiling)]
        if box[key][0] == box[key][1]:  # one trial: a range of zero width searches nothing
            box[key] = [max(low / 10**0.5, floor), min(high * 10**0.5, ceiling)]
    return box


def range_uncertainty(trials: list[dict], top_k: int, seed: int, stage: int) -> dict:
    """Bootstrap over the stage's trials: 95 % intervals of each end of the best range."""
    ok = [t for t in trials if t["status"] == "ok"]
    rng = stream(seed, BOOTSTRAP_KEY, stage)
    ends = {key: [] for key in KEYS}
    for _ in range(BOOTSTRAP if ok else 0):
        sample = [ok[i] for i in rng.integers(0, len(ok), len(ok))]
        found = best_range(rank(sample), top_k)
        for key in KEYS:
            ends[key].append(found[key])
    return {
        key: [np.quantile(np.array(v)[:, end], [0.025, 0.975]).tolist() for end in (0, 1)]
        for key, v in ends.items()
        if v
    }


def rank(trials: list[dict]) -> list[dict]:
    """Trials by final validation accuracy, best first; diverged ones last."""
    return sorted(trials, key=lambda t: (t["status"] != "ok", -(t["val_acc"] or 0), t["index"]))


def best_lines(ranked: list[dict], count: int) -> list[str]:
    """The textbook's ``Best-1(val acc:0.73) | lr:…, weight decay:…`` lines."""
    return [
        f"Best-{n}(val acc:{t['val_acc']}) | lr:{t['lr']}, weight decay:{t['weight_decay']}"
        for n, t in enumerate([t for t in ranked if t["status"] == "ok"][:count], start=1)
    ]


def merge(settings: dict, shard_results: list, previous=None):
    """Combine a stage's shards with the record of the stages before it."""
    shard_results = sorted(shard_results, key=lambda r: r[0]["shard"])
    stage = shard_results[0][0]["stage"]
    trials = [t for record, _ in shard_results for t in record["trials"]]
    val = np.concatenate([a["val_acc"] for _, a in shard_results], axis=1)
    tr = np.concatenate([a["train_acc"] for _, a in shard_results], axis=1)
    if [t["index"] for t in trials] != list(range(settings["trials"])):
        raise UserError(
            f"The shards of stage {stage} do not cover trials 0..{settings['trials'] - 1}."
        )
    for k, t in enumerate(trials):
        ok = t["status"] == "ok"
        t["val_acc"] = float(val[:, k, -1].mean()) if ok else None
        t["train_acc"] = float(tr[:, k, -1].mean()) if ok else None
    ranked = rank(trials)
    found = best_range(ranked, settings["top_k"])
    box = shard_results[0][0]["box"]
    edges = touched_edges(found, box) if found else {key: [] for key in KEYS}
    entry = {
        "stage": stage,
        "box": box,
        "trials": trials,
        "ranking": [t["index"] for t in ranked],
        "top": [t["index"] for t in top_trials(ranked, settings["top_k"])],
        "best_range": found or box,
        "best_range_found": found is not None,
        "edges": edges,
        "next_box": extended_box(found, edges, settings) if found else box,
        "uncertainty": range_uncertainty(trials, settings["top_k"], settings["seed"], stage),
        "diverged": sum(t["status"] == "diverged" for t in trials),
        "best": best_lines(ranked, settings["best_shown"]),
    }
    record, arrays = previous if previous else ({"stages": [], "work": None}, {})
    record = {**record, "stages": [*record["stages"], entry]}
    record["recommendation"] = entry["best_range"]
    record["split"] = shard_results[0][0]["split"]
    record["work"] = combine_work([r["work"] for r, _ in shard_results], record["work"])
    record["settings_used"] = {**settings, **record["split"]}
    record["log"] = [
        line
        for s in record["stages"]
        for line in [f"=========== stage {s['stage'] + 1} ===========", *s["best"]]
    ]
    arrays = {**arrays, f"stage{stage}_val_acc": val, f"stage{stage}_train_acc": tr}
    return record, arrays


def combine_work(parts: list[dict], before: dict | None) -> dict:
    total = dict(parts[0])
    total["models"] = sum(p["models"] for p in parts) + (before["models"] if before else 0)
    return total


def next_box(settings: dict, stage: int, previous) -> dict:
    """Stage 0 searches the configured ranges; later stages the previous best range,
    extended past the edges it touched."""
    return initial_box(settings) if stage == 0 else previous[0]["stages"][-1]["next_box"]


def total_steps(settings: dict, data) -> int:
    return shard_steps(settings, data, 0, 0) * settings["shards"] * settings["stages"]
