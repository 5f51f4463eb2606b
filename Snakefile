# nnreport: every chapter-6 experiment on every configured dataset -> reports/report.{html,pdf}
#   snakemake --cores 4                                   book scale (config/config.yaml)
#   snakemake --cores 4 --configfile config/smoke.yaml    two-minute preview
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

import sys

from nnreport import UserError
from nnreport.config import title_page_warning, validate_config

min_version("9.0")


configfile: "config/config.yaml"


# The schema (nnreport/schema.yaml + each experiment's settings.yaml) fills in every default.
try:
    validate_config(config)
except UserError as err:
    raise WorkflowError(str(err))


if warning := title_page_warning(config):
    print(warning, file=sys.stderr)


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/experiments.smk"
include: "rules/plots.smk"
include: "rules/report.smk"


# Merges and the final target take under a second: never worth a cluster job.
localrules:
    all,
    merge_stage,
    merge_result,


# Every result and figure is a target too, not only an intermediate: one that is missing
# (deleted, or moved aside as corrupted) is made again even though the report exists.
rule all:
    input:
        "reports/report.html",
        "reports/report.pdf",
        rules.render_report.input.results,
        rules.render_report.input.figures,
    default_target: True
