"""The TensorFlow study: dropout + Adam against plain gradient descent over repeated runs.

A published homework trained an MLP (784-256-128-256-10, sigmoid, 15 epochs, batch 100, on
55,000 MNIST images) with (a) plain gradient descent and (b) dropout (keep 0.7) + Adam with
lr 0.9, beta_1 0.6, beta_2 0.8, epsilon 0.1, and concluded that Adam converges worse. The
default arms make that a factorial, {gradient descent, the homework's Adam} x {dropout, none},
plus a control (the same dropout with Adam's usual settings) and, on MNIST, an ablation: the
homework's arm with one of its four Adam settings reverted to Keras's default at a time. An
arm may name the ``datasets`` it runs on. The homework does not state (a)'s learning rate;
``gd_sweep`` trains one run per candidate rate and the report shows it next to the rate the
``gd`` arm uses. :func:`step_times` measures the seconds per optimizer step of each kind of
model (optimizer x dropout) in one process, on the same minibatches.

Every run has its own seed, drawn from ``SeedSequence(seed, spawn_key=(stream, run))`` and
recorded: arm ``a`` (its place in ``arms``) draws from stream ``a``, except that stream 3
belongs to the sweep (which followed the first three arms before more were added), so the
fourth arm and later ones draw from ``a + 1``: adding an arm changes no other run's seed. A
seed fixes the initial weights, the dropout masks and the minibatch order, so the same seed
gives the same numbers whichever shard or lane trains it. The runs (arms in order, then the
sweep) are cut into ``shards`` contiguous shards, one Snakemake job each; :func:`merge`
joins them per dataset (the protocol of :mod:`nnreport.runner`).

Training uses the first ``train_samples`` training images (or ``train_fraction`` of them
when the split has no more than ``train_samples``, as for digits); up to
``holdout_samples`` of the images after them are held out to pick the sweep's best rate.
Accuracy is measured on the test split.

Training length: every run takes the homework's number of optimizer steps, ``steps`` = 8,250
(55,000 images / batch 100 x 15 epochs), whatever the dataset size: a run trains
``ceil(steps / (n_train // batch))`` epochs (15 on MNIST and Fashion-MNIST, 750 on the 1,149
digits training images). Counting epochs instead would give digits 165 updates, too few for
plain gradient descent to leave chance.
"""

from __future__ import annotations

import time

import numpy as np

from nnreport import UserError
from nnreport.experiments.common import LEARNED_MARGIN, layer_sizes, shard_range
from nnreport.nn.network import weight_count

SWEEP_STREAM = 3  # the sweep's seed stream: it followed the study's first three arms


def collapse_level(n_classes: int, best: float) -> float:
    """Below this a run has collapsed: it ends nearer to chance (1 / classes) than to the best
    run of the study on its dataset (the homework's line, 0.9, meant nothing on datasets where
    no arm reaches it)."""
    return (1 / n_classes + best) / 2


def split(data, settings: dict):
    """(x_train, y_train, x_holdout, y_holdout): the first training images, then the next."""
    n, n_train = len(data.x_train), train_size(data, settings)
    end = min(n, n_train + settings["holdout_samples"])
    return (
        data.x_train[:n_train],
        data.y_train[:n_train],
        data.x_train[n_train:end],
        data.y_train[n_train:end],
    )


def epochs(settings: dict, n_train: int) -> int:
    """Epochs that give ``settings["steps"]`` optimizer steps (rounded up to a whole epoch)."""
    per_epoch = max(n_train // min(settings["batch_size"], n_train), 1)
    return -(-settings["steps"] // per_epoch)


def train_size(data, settings: dict) -> int:
    n, wanted = len(data.x_train), settings["train_samples"]
    return wanted if wanted < n else max(1, int(n * settings["train_fraction"]))


def run_seed(seed: int, stream: int, run: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=(stream, run)).generate_state(1)[0])


def arm_stream(index: int) -> int:
    """The seed stream of the arm at ``index`` of ``arms`` (stream 3 is the sweep's)."""
    return index if index < SWEEP_STREAM else index + 1


def runs_on(arm: dict, dataset: str | None) -> bool:
    """Whether ``arm`` runs on ``dataset`` (an arm without ``datasets`` runs on every one)."""
    return dataset is None or arm.get("datasets") is None or dataset in arm["datasets"]


def arms_on(settings: dict, dataset: str | None) -> list[dict]:
    return [arm for arm in settings["arms"] if runs_on(arm, dataset)]


def plan(settings: dict, dataset: str | None = None) -> list[dict]:
    """Every run of the study on ``dataset`` in order: each arm's runs, then one run per
    sweep rate."""
    runs = []
    for a, arm in enumerate(settings["arms"]):
        if not runs_on(arm, dataset):
            continue
        for r in range(arm["runs"]):
            runs.append(
                {
                    "arm": arm["name"],
                    "run": r + 1,
                    "seed": run_seed(settings["seed"], arm_stream(a), r),
                    "optimizer": arm["optimizer"],
                    "keep_prob": arm["keep_prob"],
                }
            )
    sweep = settings["gd_sweep"]
    if sweep["learning_rates"]:
        base = arm_named(settings, sweep["arm"])
        for i, lr in enumerate(sweep["learning_rates"]):
            runs.append(
                {
                    "arm": "sweep",
                    "run": i + 1,
                    "seed": run_seed(settings["seed"], SWEEP_STREAM, i),
                    "optimizer": {**base["optimizer"], "learning_rate": lr},
                    "keep_prob": base["keep_prob"],
                }
            )
    return runs


def arm_named(settings: dict, name: str) -> dict:
    for arm in settings["arms"]:
        if arm["name"] == name:
            return arm
    raise UserError(
        f"experiments.tf_mlp.gd_sweep.arm is {name!r}, but no arm has that name "
        f"(arms: {', '.join(a['name'] for a in settings['arms'])}). Name one of the arms."
    )


def shard_runs(settings: dict, shard: int, dataset: str | None) -> list[dict]:
    runs = plan(settings, dataset)
    return [runs[i] for i in shard_range(len(runs), settings["shards"], shard)]


def model_key(run: dict) -> tuple[str, float]:
    """Runs with equal keys differ at most in seed and optimizer hyperparameters, which one
    trainer (one compiled graph) serves side by side."""
    return run["optimizer"]["name"], run["keep_prob"]


def groups(runs: list[dict], lanes: int):
    """Consecutive runs of one kind (see :func:`model_key`), at most ``lanes`` at once."""
    group: list[dict] = []
    for run in runs:
        if group and (model_key(run) != model_key(group[0]) or len(group) == lanes):
            yield group
            group = []
        group.append(run)
    if group:
        yield group


def stages(settings: dict) -> int:
    return 1


def shard_steps(settings: dict, data, stage: int, shard: int) -> int:
    runs = len(shard_runs(settings, shard, data.name))
    return runs * epochs(settings, train_size(data, settings))


def run_shard(
    data, settings: dict, stage: int, shard: int, previous=None, lanes: int = 1, progress=None
):
    """Train this shard's runs, ``lanes`` models side by side; return (record, arrays)."""
    from nnreport import tfnet

    tfnet.configure(lanes, settings["seed"])
    x, y, x_hold, y_hold = split(data, settings)
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    test, holdout = (data.x_test, data.y_test), ((x_hold, y_hold) if len(x_hold) else None)
    n_epochs, done = epochs(settings, len(x)), 0
    batch = min(settings["batch_size"], len(x))
    trainers: dict[tuple, tfnet.MLPTrainer] = {}
    rows, costs, log = [], [], []
    timed = step_times(data, settings) if shard == 0 else None
    for group in groups(shard_runs(settings, shard, data.name), lanes):
        key = model_key(group[0])
        if key not in trainers:
            trainers[key] = tfnet.MLPTrainer(
                sizes, settings["activation"], *key, batch, x, y, lanes=lanes
            )
        width = len(group)
        on_epoch = None if progress is None else (lambda e, d=done, w=width: progress(d + e * w))
        results = trainers[key].run(
            [r["seed"] for r in group],
            [r["optimizer"] for r in group],
            n_epochs,
            test,
            holdout,
            on_epoch,
        )
        done += n_epochs * len(group)
        for run, result in zip(group, results, strict=True):
            rows.append(
                {
                    "arm": run["arm"],
                    "run": run["run"],
                    "seed": result.seed,
                    "learning_rate": run["optimizer"]["learning_rate"],
                    "status": result.status,
                    "diverged_epoch": result.diverged_epoch,
                    "test_acc": result.test_acc,
                    "holdout_acc": result.val_acc,
                    "seconds": result.seconds,
                }
            )
            costs.append(result.cost + [np.nan] * (n_epochs - len(result.cost)))
            log.extend(run_log(run, result))
    record = {
        "shard": shard,
        "shards": settings["shards"],
        "dataset": data.name,
        "runs": rows,
        "split": {"train": len(x), "holdout": len(x_hold), "test": len(data.x_test)},
        "sizes": sizes,
        "log": log,
        "work": {
            "weights": weight_count(sizes),
            "train_samples": len(x) // batch * batch * n_epochs,
            "eval_samples": len(data.x_test) + len(x_hold),
            "runs": len(rows),
        },
    }
    record["epochs"] = n_epochs
    if timed is not None:
        record["step_seconds"] = timed
    return record, {"cost": np.array(costs, dtype=np.float64).reshape(len(rows), n_epochs)}


def step_times(data, settings: dict) -> dict[str, list[float]]:
    """Seconds per optimizer step of each kind of model of the study (optimizer x dropout,
    named by its first arm), measured in this process on the same training images: after a
    warm-up, each of ``timing.rounds`` rounds times ``timing.steps`` steps of every kind, in
    a new order each round (so that a slow moment of the machine hits the kinds alike)."""
    from nnreport import tfnet

    timing = settings["timing"]
    if not timing["rounds"]:
        return {}
    x, y, _, _ = split(data, settings)
    batch = min(settings["batch_size"], len(x))
    x, y = x[: timing["steps"] * batch], y[: timing["steps"] * batch]
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    kinds: dict[tuple, dict] = {}
    for arm in arms_on(settings, data.name):
        kinds.setdefault(model_key(arm), arm)
    trainers = {}
    for key, arm in kinds.items():
        trainer = tfnet.MLPTrainer(sizes, settings["activation"], *key, batch, x, y)
        trainer.lanes[0].reset(trainer.tf, trainer.sizes, settings["seed"], arm["optimizer"])
        trainers[arm["name"]] = trainer
    rng = np.random.default_rng(settings["seed"])
    seconds: dict[str, list[float]] = {name: [] for name in trainers}
    for round_ in range(timing["rounds"] + 1):  # round 0 warms up (traces the graphs)
        for name in rng.permutation(list(trainers)):
            trainer = trainers[name]
            steps = 0
            start = time.perf_counter()
            while steps < timing["steps"]:
                trainer.train_epoch(rng)
                steps += trainer.steps
            if round_:
                seconds[name].append((time.perf_counter() - start) / steps)
    return seconds


def run_log(run: dict, result) -> list[str]:
    """The homework's console lines (``Epoch: 0001 cost = …``, ``Accuracy: …``) per run."""
    tag = f"[{run['arm']} ({run['run']}) seed {result.seed}]"
    lines = [f"{tag} Epoch: {e:04d} cost = {c:.9f}" for e, c in enumerate(result.cost, 1)]
    if result.status == "diverged":
        return [*lines, f"{tag} diverged in epoch {result.diverged_epoch}"]
    return [*lines, f"{tag} Accuracy: {result.test_acc}"]


def arm_stats(accuracies, statuses, collapse: float) -> dict:
    """Mean, std (n - 1), min, max of the finished runs; collapsed runs (below ``collapse``,
    diverged ones included) and diverged ones."""
    pairs = zip(accuracies, statuses, strict=True)
    acc = np.array([a for a, s in pairs if s == "ok"], dtype=np.float64)
    diverged = sum(s != "ok" for s in statuses)
    stats = {
        "runs": len(statuses),
        "diverged": diverged,
        "collapsed": int((acc < collapse).sum()) + diverged,
    }
    if acc.size:
        stats.update(
            mean=float(acc.mean()),
            min=float(acc.min()),
            max=float(acc.max()),
            std=float(acc.std(ddof=1)) if acc.size > 1 else None,
        )
    else:
        stats.update(mean=None, min=None, max=None, std=None)
    return stats


def merge(settings: dict, shards: list[tuple[dict, dict]], previous=None) -> tuple[dict, dict]:
    """Join the shard results into the study's record, in plan order."""
    dataset = shards[0][0]["dataset"]
    expected = [(r["arm"], r["run"], r["seed"]) for r in plan(settings, dataset)]
    by_key = {}
    for shard, arrays in shards:
        for row, cost in zip(shard["runs"], arrays["cost"], strict=True):
            by_key[(row["arm"], row["run"], row["seed"])] = (row, cost)
    missing = [k for k in expected if k not in by_key]
    if missing or len(by_key) != len(expected):
        raise UserError(
            f"The tf_mlp shard results do not match the settings ({len(by_key)} runs found, "
            f"{len(expected)} expected; missing e.g. {missing[:3]}). Rerun the shards with the "
            "current config (snakemake reruns them when the settings changed)."
        )
    rows = [by_key[k][0] for k in expected]
    first = shards[0][0]
    arms = arms_on(settings, dataset)
    finished = [r["test_acc"] for r in rows if r["status"] == "ok"]
    collapse = collapse_level(first["sizes"][-1], max(finished, default=1.0))
    record = {
        "runs": rows,
        "arms": [a["name"] for a in arms],
        "collapse_level": collapse,
        "stats": {
            arm["name"]: arm_stats(
                [r["test_acc"] for r in rows if r["arm"] == arm["name"]],
                [r["status"] for r in rows if r["arm"] == arm["name"]],
                collapse,
            )
            for arm in arms
        },
        "step_seconds": next((s["step_seconds"] for s, _ in shards if "step_seconds" in s), {}),
        "sweep": sweep_summary(rows, settings, first["sizes"][-1]),
        "epochs": first["epochs"],
        "split": first["split"],
        "sizes": first["sizes"],
        "log": [line for record, _ in shards for line in record["log"]],
        "work": {**first["work"], "runs": len(rows)},
        "run_seconds": round(sum(r["seconds"] for r in rows), 3),
        "settings_used": {**settings, "split": first["split"]},
    }
    return record, {"cost": np.stack([by_key[k][1] for k in expected])}


def sweep_summary(rows: list[dict], settings: dict, n_classes: int) -> dict | None:
    """The sweep's runs and the rate with the best held-out accuracy, among the runs that
    learned (``LEARNED_MARGIN`` above chance): a rate at chance is never "best"."""
    runs = [r for r in rows if r["arm"] == "sweep"]
    if not runs:
        return None
    scored = [r for r in runs if r["status"] == "ok"]
    key = "holdout_acc" if all(r["holdout_acc"] is not None for r in scored) else "test_acc"
    floor = 1 / n_classes + LEARNED_MARGIN
    best = max((r for r in scored if r[key] >= floor), key=lambda r: r[key], default=None)
    return {
        "arm": settings["gd_sweep"]["arm"],
        "chosen": arm_named(settings, settings["gd_sweep"]["arm"])["optimizer"]["learning_rate"],
        "best": best["learning_rate"] if best else None,
        "scored_on": key,
    }


def total_steps(settings: dict, data) -> int:
    return len(plan(settings, data.name)) * epochs(settings, train_size(data, settings))


def nominal_flops(record: dict) -> float:
    """6 x weights per trained sample + 2 x weights per evaluated sample, per run."""
    w = record["work"]
    return (6 * w["train_samples"] + 2 * w["eval_samples"]) * w["weights"] * w["runs"]
