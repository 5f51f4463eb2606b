"""Small helpers shared by unit tests."""

from __future__ import annotations

import numpy as np

from nnreport.experiments.spec import SectionContext


def section_ctx(t, record, key="overfit", load=None, arrays=None, scope="digits"):
    """What a unit's section receives, for a hand-made record."""
    return SectionContext(
        key=key,
        scope=scope,
        title="Digits",
        t=t,
        record=record,
        arrays=arrays or {},
        figures=[],
        load=load or (lambda name: None),
    )


def regularized(gap, test_acc, epochs=3) -> tuple[dict, dict]:
    """A result whose last epoch has these gaps and test accuracies (one per seed)."""
    test = np.array(test_acc, float)
    train = test + np.array(gap, float)
    record = {"gap": list(gap), "final_test_acc": list(test), "final_train_acc": list(train)}
    arrays = {
        "train_acc": np.repeat(train[:, None], epochs, axis=1),
        "test_acc": np.repeat(test[:, None], epochs, axis=1),
    }
    return record, arrays
