"""What every report section shares, and :func:`build`, which assembles one section from its
experiment's unit: the unit's ``section.build(ctx)`` gives the body, ``section.findings(ctx)``
the checked claims (each declared in ``section.CLAIMS`` with where it applies), and the
registry the reviewed code. ``ctx`` is a :class:`nnreport.experiments.spec.SectionContext`.
"""

from __future__ import annotations

import re

from nnreport import UserError, experiments
from nnreport.experiments.spec import SectionContext
from nnreport.plots import SMOOTH_WINDOW, figure_names
from nnreport.report.assets import Paths, figure_uri, load_result
from nnreport.report.code import reviewed_code
from nnreport.report.findings import Finding


def log_excerpt(lines: list[str], head: int = 10, tail: int = 10, gap: str = "(…)") -> str:
    """The first ``head`` and last ``tail`` lines with ``gap`` between, as in a pasted log."""
    lines = [tidy_log_line(line) for line in lines]
    if len(lines) <= head + tail:
        return "\n".join(lines)
    return "\n".join([*lines[:head], gap, *lines[-tail:]])


LONG_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:e[-+]?\d+)?")


def tidy_log_line(line: str) -> str:
    """Long decimals in a log line cut to 4 significant digits (0.11333333 -> 0.1133)."""
    return LONG_DECIMAL.sub(lambda m: f"{float(m.group()):.4g}", line)


def table(caption: str, header: list[str], rows: list[list], note: str | None = None) -> dict:
    """A table; ``note``: what holds for this dataset's table only (e.g. its collapse
    level), shown with the dataset's name where the datasets' tables are one."""
    return {"caption": caption, "header": header, "rows": rows, "note": note}


def base(ctx: SectionContext, head=5, tail=4) -> dict:
    """Fields every section has: title, intro, settings, log excerpt and its figures."""
    t, key = ctx.t, ctx.key
    return {
        "key": key,
        "title": t(f"{key}_title"),
        "intro": t(f"{key}_intro"),
        "settings_used": ctx.record["settings_used"],
        "log": log_excerpt(ctx.record.get("log", []), head, tail, t("omitted")),
        "figures": ctx.figures,
        "tables": [],
    }


def figure_views(names: list[str], scope: str, title: str, record: dict, paths: Paths, t):
    """Each figure as the report shows it: its data URI, width and caption."""
    views = []
    for name in names:
        path = paths.figure(scope, name)
        caption = t(
            f"caption_{name.replace('-', '_')}",
            title=title,
            window=SMOOTH_WINDOW,
            seeds=record["settings_used"].get("repeats", 1),
        )
        views.append(
            {"name": name, "uri": figure_uri(path), "wide": is_wide(path), "caption": caption}
        )
    return views


SVG_WIDTH = re.compile(rb'<svg[^>]*?width="([0-9.]+)pt"')


def is_wide(path, limit_pt: float = 6 * 72) -> bool:
    """Whether a figure is wider than 6 inches (a grid of panels): it then gets the full
    page width, the datasets' one above the other; single plots stand side by side."""
    if path.suffix != ".svg":
        return True
    with open(path, "rb") as handle:  # the <svg> element's size is in the first lines
        found = SVG_WIDTH.search(handle.read(2000))
    return found is None or float(found.group(1)) > limit_pt


def status_text(t, statuses, steps) -> str:
    bad = [(r, s) for r, (st, s) in enumerate(zip(statuses, steps, strict=True)) if st != "ok"]
    return t("ok") if not bad else "; ".join(t("diverged_at", step=s) for _, s in bad)


def build(key: str, scope: str, title: str, paths: Paths, t) -> dict:
    """The section of experiment ``key`` for ``scope``, with its findings and reviewed code."""
    experiment = experiments.get(key)
    record, arrays = load_result(paths.result(scope, key))

    def load(name: str):
        path = paths.result(scope, name)
        return load_result(path) if path.is_file() else None

    names = figure_names(experiment, record["settings_used"])
    ctx = SectionContext(
        key=key,
        scope=scope,
        title=title,
        t=t,
        record=record,
        arrays=arrays,
        load=load,
        figures=figure_views(names, scope, title, record, paths, t),
    )
    section = experiment.section.build(ctx)
    section["findings"] = applicable_findings(experiment, ctx) if scope != "general" else []
    section["code"] = reviewed_code(experiment.reviewed)
    section["record"], section["arrays"] = record, arrays
    return section


def title_of(name: str) -> str:
    """The reader's name of a built-in dataset (a claim's scope is given by config name)."""
    from nnreport.data import BUILTIN

    return BUILTIN[name].title if name in BUILTIN else name


def applicable_findings(experiment, ctx) -> list[Finding]:
    """The unit's findings, each with its claim's source; a claim declared for other datasets
    becomes "not applicable" here (shown, not counted). An undeclared claim is an error, not
    a silent extra."""
    module = experiment.section
    claims = {claim.key: claim for claim in module.CLAIMS}
    found = []
    for finding in module.findings(ctx):
        if finding.claim not in claims:
            raise UserError(
                f"{module.__name__} reports the claim {finding.claim!r}, which its CLAIMS "
                "do not declare. Declare it (with where it applies)."
            )
        claim = claims[finding.claim]
        if not claim.applies_to(ctx.scope):
            t = ctx.t
            finding = Finding(
                claim.key,
                "not_applicable",
                t("basis_other_datasets"),
                t("not_applicable_elsewhere", datasets=", ".join(map(title_of, claim.datasets))),
                hypothesis=t(f"hypothesis_{claim.key}"),
                rule=t("rule_not_applicable"),
            )
        finding.source = claim.source
        found.append(finding)
    return found
