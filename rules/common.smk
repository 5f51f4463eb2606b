# Helpers shared by the rule files: config lookups and the source files each job depends on.
import json
import os
from pathlib import Path

from snakemake.exceptions import WorkflowError

from nnreport import UserError
from nnreport.config import check_consistency, experiment_settings
from nnreport.data import source_files
from nnreport.deps import module_files, project_path
from nnreport.experiments import EXPERIMENTS, GENERAL_EXPERIMENTS, SHARDED, module_name
from nnreport.plots import figure_names

try:
    check_consistency(config)
except UserError as err:
    raise WorkflowError(str(err))

DATASETS = config["datasets"]
DATASET_EXPERIMENTS = [e for e in EXPERIMENTS if e in config["experiments"]]
GENERAL = [e for e in GENERAL_EXPERIMENTS if e in config["experiments"]]
SEARCH = config["experiments"].get("hparam_search")
SCOPES = DATASETS + ["general"] if GENERAL else DATASETS


def figures_of(experiment):
    return figure_names(experiment, config["experiments"][experiment])


DATASET_FIGURES = [f for e in DATASET_EXPERIMENTS for f in figures_of(e)]
GENERAL_FIGURES = [f for e in GENERAL for f in figures_of(e)]


wildcard_constraints:
    dataset="|".join(DATASETS),
    scope="|".join(SCOPES),
    experiment="|".join(DATASET_EXPERIMENTS + GENERAL),
    figure="|".join(DATASET_FIGURES + GENERAL_FIGURES),
    stage=r"\d+",
    shard=r"\d+",


def settings_json(wildcards):
    """The experiment's settings for this dataset; a change reruns just this job."""
    dataset = getattr(wildcards, "dataset", None)
    settings = experiment_settings(config, dataset, wildcards.experiment)
    return json.dumps(settings, sort_keys=True)


def search_of(dataset):
    return experiment_settings(config, dataset, "hparam_search")


def search_settings(wildcards):
    return json.dumps(search_of(wildcards.dataset), sort_keys=True)


def tf_mlp_of(dataset):
    return experiment_settings(config, dataset, "tf_mlp")


def tf_mlp_settings(wildcards):
    return json.dumps(tf_mlp_of(wildcards.dataset), sort_keys=True)


def stage_inputs(dataset, stage):
    """A search stage's shard results and the merged result of the stage before it."""
    folder = f"results/{dataset}/hparam_search"
    return {
        "shards": [
            f"{folder}/stage{stage}-shard{shard}.json"
            for shard in range(search_of(dataset)["shards"])
        ],
        "previous": [f"{folder}/stage{stage - 1}.json"] if stage > 0 else [],
    }


def previous_flag(wildcards, input):
    return f"--previous {input.previous[0]}" if input.previous else ""


def experiment_code(wildcards):
    return module_files("nnreport.runner") + module_files(module_name(wildcards.experiment))


def dataset_sources(wildcards):
    """The local IDX files a dataset is read from, so that replacing one reruns it."""
    return [project_path(p) for p in source_files(wildcards.dataset, config["data_dir"])]


def rebuild_command():
    """The command that rebuilds this report (config files as given on the command line)."""
    files = [os.path.relpath(f) for f in workflow.overwrite_configfiles]
    return " ".join(["snakemake --cores 4", *(f"--configfile {f}" for f in files)])


def template_files():
    return sorted(str(p) for p in Path("templates").rglob("*") if p.is_file())


def figure_result(wildcards):
    """The result file a figure is drawn from."""
    experiment = wildcards.figure.split("-")[0]
    return {
        "json": f"results/{wildcards.scope}/{experiment}.json",
        "npz": f"results/{wildcards.scope}/{experiment}.npz",
    }
