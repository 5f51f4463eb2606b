"""The weight-initialisation section: losses per initialisation, and which one learns."""

from __future__ import annotations

import math

import numpy as np

from nnreport.experiments.optimizers.section import loss_comparison, ranking
from nnreport.report.findings import Claim, Finding, above, less, make, mean

LN10 = math.log(10)
CLAIMS = (Claim("small_std_stalls"), Claim("he_faster"))


def build(ctx) -> dict:
    return loss_comparison(ctx)


def findings(ctx) -> list[Finding]:
    """std=0.01 stalls at ln 10; He beats Xavier in the first iterations (by registry name)."""
    record, arrays, t = ctx["record"], ctx["arrays"], ctx["t"]
    arms, loss = record["arms"], arrays["loss"]  # (repeats, iterations, arms)
    found = []
    if "std=0.01" in arms:
        small = np.array(record["final_loss"], dtype=np.float64)[:, arms.index("std=0.01")]
        found.append(make(t, "small_std_stalls", above(small, LN10 - 0.05), loss=mean(small)))
    step = min(100, loss.shape[1] - 1)
    if {"he", "xavier"} <= set(arms):
        window = slice(max(0, step - 10), step + 11)  # the loss around that iteration
        he = np.nanmean(loss[:, window, arms.index("he")], axis=1)
        xavier = np.nanmean(loss[:, window, arms.index("xavier")], axis=1)
        found.append(make(t, "he_faster", less(he, xavier), step=step, he=mean(he),
                          xavier=mean(xavier)))  # fmt: skip
    return found


def summary(record: dict, t) -> list[tuple[str, str]]:
    return [(t("summary_best_init"), ranking(record).split(" < ")[0])]
