"""The weight-initialisation section: losses per initialisation, and which one learns."""

from __future__ import annotations

import math

import numpy as np

from nnreport.experiments.optimizers import section as optimizers
from nnreport.experiments.optimizers.section import loss_comparison, ranking
from nnreport.report.findings import Claim, Finding, level, make, mean, paired

LN10 = math.log(10)
CLAIMS = (Claim("small_std_stalls"), Claim("he_faster"))
HIDDEN_SETTINGS = ("optimizer_configs", "log_every")  # the optimizer's config; log spacing
# HW5's logs of this experiment are read as the optimizers' are (losses at iteration 1900).
WRITEUP, homework, discuss = optimizers.WRITEUP, optimizers.homework, optimizers.discuss


def build(ctx) -> dict:
    """The loss table; the intro says so where the He arm repeats the optimizer experiment's
    SGD arm run for run (same draws, minibatches and update rule: equal final losses)."""
    section = loss_comparison(ctx)
    other = ctx.load("optimizers")
    if other and "he" in ctx.record["arms"] and "sgd" in other[0]["arms"]:
        he = np.array(ctx.record["final_loss"])[:, ctx.record["arms"].index("he")]
        sgd = np.array(other[0]["final_loss"])[:, other[0]["arms"].index("sgd")]
        if he.shape == sgd.shape and np.array_equal(he, sgd):
            section["intro"] += " " + ctx.t("weight_init_same_as_sgd")
    return section


def findings(ctx) -> list[Finding]:
    """std=0.01 stalls at ln 10; He's loss is below Xavier's around iteration 100 (a window
    of 21 iterations, paired by seed). By registry name."""
    record, arrays, t = ctx.record, ctx.arrays, ctx.t
    arms, loss = record["arms"], arrays["loss"]  # (repeats, iterations, arms)
    final = np.array(record["final_loss"], dtype=np.float64)
    found = []
    if "std=0.01" in arms:
        small = final[:, arms.index("std=0.01")]
        found.append(make(t, "small_std_stalls", level(small, LN10 - 0.05), loss=mean(small)))
    step = min(100, loss.shape[1] - 1)
    if {"he", "xavier"} <= set(arms):
        first, last = max(0, step - 10), min(loss.shape[1] - 1, step + 10)
        window = slice(first, last + 1)
        he = np.nanmean(loss[:, window, arms.index("he")], axis=1)
        xavier = np.nanmean(loss[:, window, arms.index("xavier")], axis=1)
        found.append(
            make(
                t,
                "he_faster",
                paired(he, xavier),
                first=first,
                last=last,
                he=mean(he),
                xavier=mean(xavier),
                n=len(he),
            )
        )
    return found


def summary(record: dict, t) -> list[tuple[str, str]]:
    return [(t("summary_best_init"), ranking(record).split(" < ")[0])]
