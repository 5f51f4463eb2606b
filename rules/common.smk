# Helpers shared by the rule files: config lookups and the source files each job depends on.
import json
from pathlib import Path

from nnreport.config import experiment_settings
from nnreport.data import source_files
from nnreport.deps import module_files
from nnreport.experiments import EXPERIMENTS

DATASETS = config["datasets"]
DATASET_EXPERIMENTS = [name for name in EXPERIMENTS if name in config["experiments"]]


wildcard_constraints:
    dataset="|".join(DATASETS),
    experiment="|".join(DATASET_EXPERIMENTS),


def settings_json(wildcards):
    """The experiment's settings for this dataset; a change reruns just this job."""
    settings = experiment_settings(config, wildcards.dataset, wildcards.experiment)
    return json.dumps(settings, sort_keys=True)


def experiment_code(wildcards):
    return module_files("nnreport.runner") + module_files(
        f"nnreport.experiments.{wildcards.experiment}"
    )


def dataset_sources(wildcards):
    """The local IDX files a dataset is read from, so that replacing one reruns it."""
    return source_files(wildcards.dataset, config["data_dir"])


def template_files():
    return sorted(str(p) for p in Path("templates").rglob("*") if p.is_file())
