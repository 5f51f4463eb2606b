"""The cross-check section: our optimizers and gradients against TensorFlow's."""

from __future__ import annotations

from markupsafe import Markup

from nnreport.report.numbers import sig
from nnreport.report.sections import base, table


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx, head=3, tail=2)
    section["tables"].append(
        table(
            t(
                "tf_optimizer_table",
                steps=record["settings_used"]["steps"],
                version=record["tensorflow"],
            ),
            [t("arm"), t("reference"), t("max_abs_diff"), t("moved")],
            [
                [
                    r["optimizer"],
                    Markup("<code>%s</code>") % r["keras"],
                    sig(r["max_abs_diff"]),
                    sig(r["moved"]),
                ]
                for r in record["optimizers"]
            ],
        )
    )
    section["tables"].append(
        table(
            t("tf_gradient_table"),
            [t("parameter"), t("shape"), t("max_rel_diff")],
            [
                [r["param"], "×".join(map(str, r["shape"])), sig(r["max_rel_diff"])]
                for r in record["gradients"]
            ],
        )
    )
    return section


def discuss(parts: list[dict], t) -> list[str]:
    """The largest differences from Keras and from tf.GradientTape, then what they mean."""
    record = parts[0]["record"]
    worst = max(record["optimizers"], key=lambda r: r["max_abs_diff"])
    grad = max(r["max_rel_diff"] for r in record["gradients"])
    return [
        t(
            "discussion_tf_crosscheck",
            steps=record["settings_used"]["steps"],
            diff=sig(worst["max_abs_diff"]),
            optimizer=worst["optimizer"],
            grad=sig(grad),
        )
    ]
