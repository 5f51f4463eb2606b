"""The cross-check section: our optimizers and gradients against TensorFlow's."""

from __future__ import annotations

from markupsafe import Markup

from nnreport.report.sections import base, table


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx, head=20, tail=20)
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
                    f"{r['max_abs_diff']:.2e}",
                    f"{r['moved']:.3g}",
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
                [r["param"], "×".join(map(str, r["shape"])), f"{r['max_rel_diff']:.2e}"]
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
            diff=f"{worst['max_abs_diff']:.1e}",
            optimizer=worst["optimizer"],
            grad=f"{grad:.1e}",
        )
    ]
