"""The code the report reviews is printed as valid code."""

from __future__ import annotations

from nnreport import experiments
from nnreport.report.code import extract


def test_every_reviewed_excerpt_is_valid_python():
    """Methods keep their bodies' indentation: each excerpt compiles as printed."""
    for experiment in experiments.registry().values():
        for spec in experiment.reviewed:
            source = extract(spec)["source"]
            compile(source, spec, "exec")
            assert source.startswith(("def ", "@")), spec
