"""An experiment's settings as the reader sees them: display names (``setting_<key>`` in the
message catalog), values with significant digits, one row per setting with its value per
dataset (one cell where all datasets agree), and the textbook's (or homework's) value where
ours differs.

A unit's section module may declare ``REFERENCE_SETTINGS`` (the reference's values of the
settings it has, as raw config values), ``REFERENCE`` ("textbook", the default, or
"homework"), ``HIDDEN_SETTINGS`` (settings shown through what they produce, or copies of
others) and ``RANGE_SETTINGS`` ([low, high] pairs), see ``nnreport.experiments.spec``.
"""

from __future__ import annotations

from nnreport.names import display
from nnreport.nn.optimizers import DISPLAY_NAMES

# Never shown, for any experiment: what the shared helpers record beside the settings
# (n_train / n_test = the dataset table, layer_sizes = the dataset's features, hidden_sizes
# and its classes, iterations_per_epoch = the batch and the samples) and the job count of a
# sharded experiment, which changes no number.
# hidden everywhere; the seed is stated once, in the appendix
HIDDEN = frozenset({"n_train", "n_test", "layer_sizes", "iterations_per_epoch", "shards", "seed"})


def number(value) -> str:
    """Integers with thousands separators, other numbers with 4 significant digits."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.4g}"
    return str(value)


def arm_text(arm: dict, t, ranges=()) -> str:
    """``{"name": "adam", "learning_rate": 0.001}`` -> "Adam (learning rate 0.001)"; an arm
    with its own ``optimizer`` (the TF study) -> "<arm's name>: Adam (…), keep probability …"."""
    name = arm["name"]
    params = {k: v for k, v in arm.items() if k not in ("name", "optimizer", "label")}
    inner = ", ".join(f"{label(k, t)} {value_text(k, v, t, ranges)}" for k, v in params.items())
    if isinstance(arm.get("optimizer"), dict):
        shown = t(f"arm_{name}") if t.has(f"arm_{name}") else name
        return f"{shown}: {arm_text(arm['optimizer'], t, ranges)}" + (f", {inner}" if inner else "")
    name = arm.get("label") or DISPLAY_NAMES.get(name, name)
    return f"{name} ({inner})" if inner else name


def label(key: str, t) -> str:
    """The reader's name of setting ``key`` (``setting_<key>``); an added experiment's own
    setting without one shows as its key, underscores as spaces."""
    return t(f"setting_{key}") if t.has(f"setting_{key}") else key.replace("_", " ")


def value_text(key: str, value, t, ranges=()) -> str:
    """A setting's value as the table shows it; ``ranges``: the unit's [low, high] settings."""
    if key in ranges and isinstance(value, list) and len(value) == 2:
        return t("range", low=number(value[0]), high=number(value[1]))
    if isinstance(value, dict):
        if "name" in value:
            return arm_text(value, t, ranges)
        return ", ".join(f"{label(k, t)} {value_text(k, v, t, ranges)}" for k, v in value.items())
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return "; ".join(arm_text(v, t, ranges) for v in value)
        return ", ".join(value_text(key, v, t, ranges) for v in value)
    if isinstance(value, str):
        return display(value, t)
    return number(value)


def shown_keys(settings: dict, hidden=()) -> list[str]:
    return [k for k in settings if k not in HIDDEN and k not in hidden]


def merged_table(sections: list[tuple[str, dict]], experiment, t) -> dict:
    """One row per setting of an experiment run on several datasets.

    ``sections`` holds (dataset title, settings_used); a row has the label, one value for
    all datasets or one per dataset, and the reference's value where it differs. Where every
    row has one value, the table has one value column. A setting that needs a word on how it
    counts has a ``setting_note_<key>`` message, added to the caption.
    """
    hidden = experiment.hook("section", "HIDDEN_SETTINGS")
    reference = experiment.hook("section", "REFERENCE_SETTINGS")
    ranges = experiment.hook("section", "RANGE_SETTINGS")
    keys: list[str] = []
    for _, settings in sections:
        keys += [k for k in shown_keys(settings, hidden) if k not in keys]
    rows = []
    for key in keys:
        values = [value_text(key, s[key], t, ranges) if key in s else "—" for _, s in sections]
        raw = [s.get(key) for _, s in sections]
        differs = key in reference and any(v != reference[key] for v in raw)
        rows.append(
            {
                "label": label(key, t),
                "values": values[:1] if len(set(values)) == 1 else values,
                "reference": value_text(key, reference[key], t, ranges) if differs else "",
            }
        )
    same = all(len(row["values"]) == 1 for row in rows)
    return {
        "notes": [t(f"setting_note_{key}") for key in keys if t.has(f"setting_note_{key}")],
        "columns": [t("value")] if same else [title for title, _ in sections],
        "rows": rows,
        "reference": t(f"reference_{experiment.hook('section', 'REFERENCE')}"),
        "has_reference": any(row["reference"] for row in rows),
        "base": None,  # the earlier section whose settings these repeat (layout.settings_once)
    }
