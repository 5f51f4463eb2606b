"""One context builder per report section: result record in, template variables out."""

from __future__ import annotations

from nnreport.report.assets import Paths, figure_uri, load_result


def log_excerpt(lines: list[str], head: int = 14, tail: int = 14, gap: str = "(…)") -> str:
    """The first ``head`` and last ``tail`` lines with ``gap`` between, as in a pasted log."""
    if len(lines) <= head + tail:
        return "\n".join(lines)
    return "\n".join([*lines[:head], gap, *lines[-tail:]])


def settings_rows(settings: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in settings.items():
        if key == "arms":
            continue
        if key == "optimizer_configs":
            for config in value:
                params = ", ".join(f"{k}={v}" for k, v in config.items() if k != "name")
                rows.append((f"optimizer {config['name']}", params))
            continue
        rows.append((key, str(value)))
    return rows


def fmt(value, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def optimizers(dataset: str, paths: Paths, t) -> dict:
    record, _ = load_result(paths.result(dataset, "optimizers"))
    rows = [
        {
            "label": label,
            "final_loss": fmt(loss),
            "test_acc": fmt(acc),
            "status": status,
            "status_text": status if step is None else t("diverged_at", step=step),
        }
        for label, loss, acc, status, step in zip(
            record["arms"],
            record["final_loss"],
            record["test_acc"],
            record["status"],
            record["diverged_at"],
            strict=True,
        )
    ]
    return {
        "key": "optimizers",
        "title": t("optimizers_title"),
        "settings": settings_rows(record["settings_used"]),
        "log_excerpt": log_excerpt(
            record["log"], head=1 + 2 * (len(rows) + 1), tail=len(rows) + 1, gap=t("omitted")
        ),
        "figure": figure_uri(paths.figure(dataset, "optimizers")),
        "rows": rows,
    }


BUILDERS = {"optimizers": optimizers}
