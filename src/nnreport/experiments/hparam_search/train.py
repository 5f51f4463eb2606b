"""Chapter 6.5: random search for the learning rate and weight decay, then narrowing.

Runs as shards (see :mod:`nnreport.runner`). Stage 0 samples ``trials`` pairs
log-uniformly from the configured ranges (the textbook's box); each later stage samples
inside the range of the previous stage's top-k trials (ties with the k-th kept), as the
textbook recommends doing by hand. Where that range touches an edge of the box it was found
in (within ``EDGE`` of the box's width, in log10 units), the optimum may lie outside: the
next box reaches ten times past the range's end there, never beyond the hard limits
``lr_limit`` / ``weight_decay_limit``, instead of narrowing into it.

**When the search stops.** After at least ``stages`` stages, the search goes on while the
best learning rates touch an edge that can still move (one not at its hard limit), or the
best weight decays do and weight decay has a detectable effect there (:func:`decay_effect`),
up to ``max_stages``; a range that still touches a movable edge at the end is open on that
side. Then ``final_repeats`` more samplings of the last stage's box, with their own seeds,
show how far the range's ends move from one sampling to the next (which a bootstrap of the
observed ends could not: it never reaches past them). The Snakemake DAG is static: a stage
the search did not need runs as shards that train nothing.

**Scoring.** Trials are ranked by their accuracy after the last epoch on ``score_samples``
held-out images — the training images after the first ``train_samples`` (all that remain
when there are fewer): with 100 validation images, as in the textbook, accuracies move in
steps of 0.01 and a dozen trials tie. The textbook's validation accuracy (100 images, every
epoch) is kept beside it, so the first stage is the textbook's protocol, number for number.

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

SPLIT_KEY, TRIAL_KEY, BATCH_KEY = 0, 1, 2
KEYS = ("lr", "weight_decay")
EDGE = 0.05  # share of a box's log10 width within which a range end "touches" its edge
ALPHA = 0.05


def stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def split(data, settings: dict):
    """The first ``train_samples`` samples, shuffled with the seed, minus a validation part;
    then the held-out images that score the trials: (x, y, x_val, y_val, x_score, y_score)."""
    n = capped(settings["train_samples"], len(data.x_train))
    order = stream(settings["seed"], SPLIT_KEY).permutation(n)
    n_val = max(1, int(round(n * settings["validation_fraction"])))
    val, tr = order[:n_val], order[n_val:]
    end = min(len(data.x_train), n + settings["score_samples"])
    return (
        data.x_train[tr],
        data.y_train[tr],
        data.x_train[val],
        data.y_train[val],
        data.x_train[n:end],
        data.y_train[n:end],
    )


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
    if settings["stages"] > settings["max_stages"]:
        problems.append(
            f"stages is {settings['stages']} but max_stages is {settings['max_stages']}: "
            "the search must be allowed the stages it always runs"
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
    """Stage jobs: the search's stages (as many as it may need) and the final repeats."""
    return settings["max_stages"] + settings["final_repeats"]


def is_repeat(settings: dict, stage: int) -> bool:
    return stage >= settings["max_stages"]


def shard_steps(settings: dict, data, stage: int, shard: int) -> int:
    """Training steps of one shard: its trials train in lockstep, once per repeat."""
    return epoch_schedule(len(split(data, settings)[0]), settings)[2] * settings["repeats"]


def run_shard(
    data, settings: dict, stage: int, shard: int, previous=None, threads=1, progress=None
):
    """Train shard ``shard`` of ``stage`` in the box the stages before it chose; a stage the
    search does not need trains nothing."""
    box = next_box(settings, stage, previous)
    if box is None:
        return {"stage": stage, "shard": shard, "shards": settings["shards"], "skipped": True}, {}
    return train_shard(data, settings, stage, shard, settings["shards"], box, progress)


def train_shard(
    data, settings: dict, stage: int, shard: int, shards: int, box: dict, progress=None
):
    """Train this shard's trials of ``stage``; return (record, arrays)."""
    seed = settings["seed"]
    indices = list(shard_range(settings["trials"], shards, shard))
    x, y, x_val, y_val, x_score, y_score = split(data, settings)
    batch, per_epoch, iterations = epoch_schedule(len(x), settings)
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    trial_rngs = [stream(seed, TRIAL_KEY, stage, i) for i in indices]
    draws = np.array([sample(box, r) for r in trial_rngs]).reshape(-1, 2)
    val_acc, train_acc, score, status = [], [], [], []
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
            eval_sets=[(x_val, y_val)],
            on_step=offset_progress(progress, repeat * iterations),
        )
        val_acc.append(history.train_acc.T)  # the one evaluation set: validation, (trials, ep)
        train_acc.append(net.accuracy(x, y))
        score.append(net.accuracy(x_score, y_score) if len(x_score) else val_acc[-1][:, -1])
        status.append(history.diverged_at)
    trials = []
    for k, index in enumerate(indices):
        steps = [s[k] for s in status]
        ok = all(s is None for s in steps)
        trials.append(
            {
                "index": index,
                "lr": draws[k, 0],
                "weight_decay": draws[k, 1],
                "status": "ok" if ok else "diverged",
                "diverged_at": next((s for s in steps if s is not None), None),
                "score": float(np.mean([s[k] for s in score])) if ok else None,
                "train_acc": float(np.mean([a[k] for a in train_acc])) if ok else None,
            }
        )
    record = {
        "stage": stage,
        "shard": shard,
        "shards": shards,
        "box": box,
        "trials": trials,
        "split": {"train": len(x), "validation": len(x_val), "score": len(x_score)},
        "work": work(
            sizes,
            len(indices),
            iterations,
            batch,
            len(x_val) * settings["epochs"] + len(x) + len(x_score),
            settings["repeats"],
        ),
    }
    return record, {"val_acc": np.stack(val_acc)}  # (repeats, trials, epochs)


def top_trials(ranked: list[dict], top_k: int) -> list[dict]:
    """The ``top_k`` best finished trials, and every further one tied with the k-th."""
    ok = [t for t in ranked if t["status"] == "ok"]
    if len(ok) <= top_k:
        return ok
    cut = ok[top_k - 1]["score"]
    return [t for t in ok if t["score"] >= cut]


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


def movable(edges: dict, box: dict, settings: dict) -> dict:
    """The touched edges that are not at their hard limit: the search could still go there."""
    found = {}
    for key in KEYS:
        floor, ceiling = settings[f"{key}_limit"]
        found[key] = [
            side
            for side in edges[key]
            if (side == "low" and box[key][0] > floor) or (side == "high" and box[key][1] < ceiling)
        ]
    return found


def extended_box(found: dict, edges: dict, settings: dict) -> dict:
    """The next stage's box: the found range, reaching ten times past its end at each touched
    edge, clipped to the hard limits."""
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


def decay_effect(trials: list[dict]) -> dict:
    """Does weight decay change the held-out score inside the box? An F-test of a quadratic
    in log10 weight decay added to a quadratic in log10 learning rate (least squares over the
    finished trials): p-value and the share of the score's variance it adds."""
    ok = [t for t in trials if t["status"] == "ok"]
    if len(ok) < 8:
        return {"p": None, "gain": None}
    x, w = (np.log10([t[key] for t in ok]) for key in KEYS)
    score = np.array([t["score"] for t in ok])
    base = np.column_stack([np.ones_like(x), x, x**2])
    full = np.column_stack([base, w, w**2])
    residual = [
        np.sum((score - m @ np.linalg.lstsq(m, score, rcond=None)[0]) ** 2) for m in (base, full)
    ]
    dof = len(ok) - full.shape[1]
    if residual[1] <= 0 or dof <= 0:
        return {"p": None, "gain": None}
    from scipy import stats  # here: the workflow imports this module to check settings

    f = (residual[0] - residual[1]) / 2 / (residual[1] / dof)
    total = np.sum((score - score.mean()) ** 2)
    return {"p": float(stats.f.sf(f, 2, dof)), "gain": float((residual[0] - residual[1]) / total)}


def goes_on(entry: dict) -> bool:
    """Whether the search needs another stage after this one: the best learning rates touch
    an edge it can move, or the best weight decays do and weight decay matters there."""
    edges, effect = entry["movable"], entry["decay_effect"]
    decays = edges["weight_decay"] and effect["p"] is not None and effect["p"] < ALPHA
    return bool(edges["lr"] or decays)


def rank(trials: list[dict]) -> list[dict]:
    """Trials by held-out score, best first; diverged ones last."""
    return sorted(trials, key=lambda t: (t["status"] != "ok", -(t["score"] or 0), t["index"]))


def best_lines(ranked: list[dict], count: int) -> list[str]:
    """The textbook's ``Best-1(val acc:0.73) | lr:…, weight decay:…`` lines, here with the
    held-out score the trials are ranked by."""
    return [
        f"Best-{n}(val acc:{t['val_acc']}, score:{t['score']:.4f}) | lr:{t['lr']:.4g}, "
        f"weight decay:{t['weight_decay']:.4g}"
        for n, t in enumerate([t for t in ranked if t["status"] == "ok"][:count], start=1)
    ]


def merge(settings: dict, shard_results: list, previous=None):
    """Combine a stage's shards with the record of the stages before it."""
    shard_results = sorted(shard_results, key=lambda r: r[0]["shard"])
    stage = shard_results[0][0]["stage"]
    record, arrays = previous if previous else ({"stages": [], "repeats": [], "work": None}, {})
    if shard_results[0][0].get("skipped"):
        return {**record, "skipped": [*record.get("skipped", []), stage]}, arrays
    trials = [t for result, _ in shard_results for t in result["trials"]]
    val = np.concatenate([a["val_acc"] for _, a in shard_results], axis=1)
    if [t["index"] for t in trials] != list(range(settings["trials"])):
        raise UserError(
            f"The shards of stage {stage} do not cover trials 0..{settings['trials'] - 1}."
        )
    for k, t in enumerate(trials):
        t["val_acc"] = float(val[:, k, -1].mean()) if t["status"] == "ok" else None
    entry = stage_entry(settings, stage, trials, shard_results[0][0]["box"])
    key = "repeats" if is_repeat(settings, stage) else "stages"
    record = {**record, key: [*record[key], entry]}
    search = record["stages"][-1]
    record["recommendation"] = search["best_range"]
    record["open"] = search["movable"] if not goes_on_possible(settings, record) else {}
    record["spread"] = range_spread([search, *record["repeats"]])
    record["split"] = shard_results[0][0]["split"]
    record["work"] = combine_work([r["work"] for r, _ in shard_results], record["work"])
    record["settings_used"] = {**settings, **record["split"]}
    record["log"] = [
        line
        for s in [*record["stages"], *record["repeats"]]
        for line in [f"=========== {stage_title(settings, s['stage'])} ===========", *s["best"]]
    ]
    return record, {**arrays, f"stage{stage}_val_acc": val}


def stage_entry(settings: dict, stage: int, trials: list[dict], box: dict) -> dict:
    """A stage as the record keeps it: its trials ranked, the range of the best and whether
    the search needs another stage."""
    ranked = rank(trials)
    found = best_range(ranked, settings["top_k"])
    edges = touched_edges(found, box) if found else {key: [] for key in KEYS}
    ok = [t for t in trials if t["status"] == "ok"]
    entry = {
        "stage": stage,
        "box": box,
        "trials": trials,
        "ranking": [t["index"] for t in ranked],
        "top": [t["index"] for t in top_trials(ranked, settings["top_k"])],
        "best_range": found or box,
        "best_range_found": found is not None,
        "edges": edges,
        "movable": movable(edges, box, settings),
        "decay_effect": decay_effect(trials),
        "next_box": extended_box(found, edges, settings) if found else box,
        "best_val": max((t["val_acc"] for t in ok), default=None),  # the textbook's Best-1
        "diverged": sum(t["status"] == "diverged" for t in trials),
        "best": best_lines(ranked, settings["best_shown"]),
    }
    entry["goes_on"] = goes_on(entry)
    return entry


def goes_on_possible(settings: dict, record: dict) -> bool:
    """Whether a later search stage may still run (the last one asks for it and there is
    room): then no range end is final yet."""
    return record["stages"][-1]["goes_on"] and len(record["stages"]) < settings["max_stages"]


def range_spread(entries: list[dict]) -> dict:
    """Per key, the lowest and highest value each end of the best range took over the last
    stage and its repeats: [[low end min, low end max], [high end min, high end max]]."""
    ranges = [e["best_range"] for e in entries if e["best_range_found"]]
    if len(ranges) < 2:
        return {}
    return {
        key: [
            [min(r[key][end] for r in ranges), max(r[key][end] for r in ranges)] for end in (0, 1)
        ]
        for key in KEYS
    }


def stage_title(settings: dict, stage: int) -> str:
    if is_repeat(settings, stage):
        return f"repeat {stage - settings['max_stages'] + 1} of the last stage"
    return f"stage {stage + 1}"


def combine_work(parts: list[dict], before: dict | None) -> dict:
    total = dict(parts[0])
    total["models"] = sum(p["models"] for p in parts) + (before["models"] if before else 0)
    return total


def next_box(settings: dict, stage: int, previous) -> dict | None:
    """Where ``stage`` samples: stage 0 the configured ranges; a later search stage the
    previous best range, extended past the edges it touched, if the search goes on (else
    None: not needed); a final repeat the last search stage's own box."""
    if stage == 0:
        return initial_box(settings)
    record = previous[0]
    last = record["stages"][-1]
    if is_repeat(settings, stage):
        return last["box"]
    if last["stage"] != stage - 1:  # the search stopped before the stage before this one
        return None
    return last["next_box"] if stage < settings["stages"] or last["goes_on"] else None


def total_steps(settings: dict, data) -> int:
    """The most steps the search may take (a stage it does not need takes none)."""
    return shard_steps(settings, data, 0, 0) * settings["shards"] * stages(settings)
