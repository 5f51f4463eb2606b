# Helpers shared by the rule files: config lookups, from the experiment registry, and the
# source files each job depends on.
import json
import os
from pathlib import Path

from nnreport import experiments
from nnreport.config import experiment_settings
from nnreport.data import source_files
from nnreport.deps import module_files, project_path
from nnreport.messages import catalog_files, figure_messages
from nnreport.plots import figure_names

DATASETS = config["datasets"]
CUSTOM = config["custom_datasets"]
CONFIGURED = [name for name in experiments.names() if name in config["experiments"]]
DATASET_EXPERIMENTS = [e for e in CONFIGURED if experiments.get(e).needs_dataset]
GENERAL = [e for e in CONFIGURED if not experiments.get(e).needs_dataset]
SHARDED = [e for e in DATASET_EXPERIMENTS if experiments.get(e).sharded]
SINGLE_JOB = [e for e in DATASET_EXPERIMENTS if e not in SHARDED]
SCOPES = DATASETS + ["general"] if GENERAL else DATASETS
LANG = config["report"]["lang"]


def settings_of(scope, experiment):
    """The experiment's settings for this dataset (None for "general")."""
    return experiment_settings(config, None if scope == "general" else scope, experiment)


def figures_of(scope, experiment):
    return figure_names(experiments.get(experiment), settings_of(scope, experiment))


# Figure name -> the experiment it is drawn from, per scope (figure names are unique).
FIGURE_OWNER = {
    scope: {
        figure: experiment
        for experiment in (GENERAL if scope == "general" else DATASET_EXPERIMENTS)
        for figure in figures_of(scope, experiment)
    }
    for scope in SCOPES
}


wildcard_constraints:
    dataset="|".join(DATASETS),
    scope="|".join(SCOPES),
    experiment="|".join(DATASET_EXPERIMENTS + GENERAL),
    figure="|".join(sorted({f for owned in FIGURE_OWNER.values() for f in owned})),
    stage=r"\d+",
    shard=r"\d+",


def job_priority(wildcards):
    """Long experiments first (their unit's ``priority``), so short jobs fill the gaps."""
    return experiments.get(wildcards.experiment).priority


def settings_json(wildcards):
    """The experiment's settings for this dataset; a change reruns just this job."""
    scope = getattr(wildcards, "dataset", "general")
    return json.dumps(settings_of(scope, wildcards.experiment), sort_keys=True)


def unit_files(experiment, role):
    """Source files of one role (train, figures, section) of an experiment's unit."""
    return module_files(experiments.get(experiment).module_name(role))


def experiment_code(wildcards):
    return module_files("nnreport.runner") + unit_files(wildcards.experiment, "train")


def stage_inputs(wildcards, stage=None):
    """A stage's shard results and the merged result of the stage before it."""
    settings = settings_of(wildcards.dataset, wildcards.experiment)
    stage = int(wildcards.stage) if stage is None else stage
    folder = f"results/{wildcards.dataset}/{wildcards.experiment}"
    return {
        "shards": [
            f"{folder}/stage{stage}-shard{shard}.json" for shard in range(settings["shards"])
        ],
        "previous": [f"{folder}/stage{stage - 1}.json"] if stage > 0 else [],
    }


def last_stage_inputs(wildcards):
    train = experiments.get(wildcards.experiment).train
    stages = train.stages(settings_of(wildcards.dataset, wildcards.experiment))
    return stage_inputs(wildcards, stages - 1)


def previous_flag(wildcards, input):
    return f"--previous {input.previous[0]}" if input.previous else ""


def dataset_sources(wildcards):
    """The local files a dataset is read from, so that replacing one reruns it."""
    return [
        project_path(p) for p in source_files(wildcards.dataset, config["data_dir"], CUSTOM)
    ]


def figure_result(wildcards):
    """The result file a figure is drawn from."""
    experiment = FIGURE_OWNER[wildcards.scope][wildcards.figure]
    return {
        "json": f"results/{wildcards.scope}/{experiment}.json",
        "npz": f"results/{wildcards.scope}/{experiment}.npz",
    }


def figure_code(wildcards):
    experiment = FIGURE_OWNER[wildcards.scope][wildcards.figure]
    return module_files("nnreport.plots") + unit_files(experiment, "figures")


def figure_labels(wildcards=None):
    """The labels a figure may draw (the shared ``figures:`` messages and its unit's), as a
    parameter: editing one redraws the figures that may use it, and a report sentence none."""
    folder = None
    if wildcards is not None:
        folder = experiments.get(FIGURE_OWNER[wildcards.scope][wildcards.figure]).folder
    return json.dumps(figure_messages(LANG, folder), sort_keys=True, ensure_ascii=False)


def message_files():
    """Every message catalog of the report's language (the shared one and each unit's)."""
    return [project_path(path) for path in catalog_files(LANG)]


def report_code():
    """The render's code: the report package and every experiment's section."""
    files = set(module_files("nnreport.report.render"))
    for experiment in DATASET_EXPERIMENTS + GENERAL:
        files.update(unit_files(experiment, "section"))
    return sorted(files)


def rebuild_command():
    """The command that rebuilds this report (config files as given on the command line)."""
    files = [os.path.relpath(f) for f in workflow.overwrite_configfiles]
    return " ".join(["snakemake --cores 4", *(f"--configfile {f}" for f in files)])


def template_files():
    return sorted(str(p) for p in Path("templates").rglob("*") if p.is_file())
