"""Small helpers shared by unit tests."""

from __future__ import annotations

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
