"""``nnreport``: run experiments, prepare datasets, draw figures, render the report, benchmark.

Snakemake's rules call these subcommands; people can call them directly from the project
folder. Errors the user can fix are printed as one paragraph with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from nnreport import UserError, __version__

log = logging.getLogger("nnreport")


def cmd_datasets(args) -> None:
    from nnreport import data
    from nnreport.runner import ensure_dataset

    custom = declared_datasets(args)
    names = args.dataset or [*data.BUILTIN_NAMES, *custom]
    rows = []
    for name in names:
        meta = ensure_dataset(
            name, args.cache_dir, args.data_dir, not args.no_download, custom
        ).meta
        rows.append(
            (
                name,
                meta["title"],
                f"{meta['n_train']}/{meta['n_test']}",
                "x".join(map(str, meta["image_shape"] or [meta["n_features"]])),
                ", ".join(meta["class_names"]),
                meta["source"],
            )
        )
    header = ("name", "title", "train/test", "image", "classes", "source")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def declared_datasets(args) -> dict:
    """The config's ``custom_datasets`` (empty when no config file is there)."""
    from nnreport.config import DEFAULT_CONFIGFILE, load_config

    if not (args.configfile or DEFAULT_CONFIGFILE.is_file()):
        return {}
    return load_config(args.configfile)["custom_datasets"]


def cmd_prepare(args) -> None:
    from nnreport import data

    out = Path(args.out)
    declared = json.loads(args.declared) if args.declared else None
    custom = {args.dataset: declared} if declared else None
    data.prepare(
        args.dataset, out, out.with_suffix(".json"), args.data_dir, not args.no_download, custom
    )


def settings_from(args, experiment: str, dataset: str | None) -> dict:
    """``--settings`` merged over the defaults and validated, else the config's settings."""
    from nnreport.config import experiment_settings, load_config, settings_with_defaults

    if args.settings:
        try:
            given = json.loads(args.settings)
        except json.JSONDecodeError as err:
            raise UserError(f"--settings is not valid JSON ({err}). Pass a JSON object.") from None
        return settings_with_defaults(experiment, given)
    return experiment_settings(load_config(args.configfile), dataset, experiment)


def load_dataset(args):
    from nnreport import data, runner

    if args.dataset_cache:
        return data.load_prepared(args.dataset_cache)
    if args.dataset:
        custom = {} if args.dataset in data.BUILTIN_NAMES else declared_datasets(args)
        return runner.ensure_dataset(args.dataset, args.cache_dir, args.data_dir, custom=custom)
    return None


def cmd_run(args) -> None:
    from nnreport import runner

    dataset = load_dataset(args)
    settings = settings_from(args, args.experiment, dataset.name if dataset else None)
    with blas_threads(args.threads):
        record, arrays = runner.run_experiment(
            args.experiment, dataset, settings, args.threads or 1
        )
    out = args.out or Path("results") / (dataset.name if dataset else "general") / (
        f"{args.experiment}.json"
    )
    runner.write_result(out, record, arrays)
    if args.print_log:
        print("\n".join(record.get("log", [])))


def blas_threads(count: int | None):
    """Limit the BLAS thread pool to ``count`` threads (None: leave it as it is).

    Several jobs that each spin up a full BLAS pool on the same cores slow each other down
    by orders of magnitude, so pipeline jobs pass the threads Snakemake gave them.
    """
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    return nullcontext() if count is None else threadpool_limits(limits=count, user_api="blas")


def cmd_figure(args) -> None:
    from nnreport import experiments, plots
    from nnreport.messages import figure_translator
    from nnreport.results import load_record

    plots.use_language(args.lang)
    record, arrays = load_record(args.result)
    experiment = experiments.get(record["experiment"])
    t = figure_translator(args.lang, experiment.folder)
    title = args.title or record.get("dataset_title") or ""
    plots.save(plots.draw(experiment, args.name, record, arrays, title, t), args.out)


def cmd_shard(args) -> None:
    from nnreport import data, runner
    from nnreport.config import settings_with_defaults
    from nnreport.results import load_record

    dataset = data.load_prepared(args.dataset_cache)
    settings = settings_with_defaults(args.experiment, json.loads(args.settings))
    previous = load_record(args.previous) if args.previous else None
    with blas_threads(args.threads):
        record, arrays = runner.run_shard(
            args.experiment, dataset, settings, args.stage, args.shard, previous, args.threads or 1
        )
    runner.write_result(args.out, record, arrays)


def cmd_merge(args) -> None:
    from nnreport import runner
    from nnreport.config import settings_with_defaults
    from nnreport.results import load_json, load_record

    settings = settings_with_defaults(args.experiment, json.loads(args.settings))
    previous = load_record(args.previous) if args.previous else None
    meta = load_json(args.dataset_meta) if args.dataset_meta else None
    shards = [load_record(path) for path in args.shard_results]
    record, arrays = runner.merge_shards(args.experiment, settings, shards, previous, meta)
    runner.write_result(args.out, record, arrays)


def cmd_defaults(args) -> None:
    import yaml

    from nnreport import experiments
    from nnreport.config import defaults

    config = defaults()
    if args.experiment:
        experiments.get(args.experiment)
        config = {"experiments": {args.experiment: config["experiments"][args.experiment]}}
    print(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), end="")


def cmd_samples(args) -> None:
    from nnreport import data, plots
    from nnreport.messages import figure_translator

    ds = data.load_prepared(args.dataset_cache)
    shape = ds.meta["image_shape"]
    if shape:
        plots.save(plots.sample_grid(ds.x_train, ds.y_train, shape), args.out)
    else:
        plots.save(plots.feature_profiles(ds.x_train, ds.y_train, ds.meta["class_names"]), args.out)
    if args.balance_out:
        plots.use_language(args.lang)
        plots.save(plots.class_balance(ds.meta, figure_translator(args.lang)), args.balance_out)


def cmd_render(args) -> None:
    from nnreport.report.assets import Paths
    from nnreport.report.render import render

    config = json.loads(args.config)
    paths = Paths(Path(args.results_dir), Path(args.resources_dir), Path(args.benchmarks_dir))
    render(config, Path(args.html), Path(args.pdf), paths, Path(args.templates), args.rebuild)


def cmd_bench(args) -> None:
    from nnreport.bench import benchmark

    settings = settings_from(args, args.experiment, args.dataset)
    dataset = load_dataset(args)
    with blas_threads(args.threads):
        print(json.dumps(benchmark(args.experiment, dataset, settings, args.threads)))


def add_dataset_options(parser, required: bool = False) -> None:
    parser.add_argument("--dataset", required=required, help="dataset name")
    parser.add_argument("--dataset-cache", help="prepared dataset npz (skips --dataset lookup)")
    parser.add_argument("--cache-dir", default="resources/datasets", help="prepared datasets")
    parser.add_argument("--data-dir", help="folder with mnist/ and fashion-mnist/ IDX files")


def add_settings_options(parser) -> None:
    parser.add_argument("--experiment", required=True, help="experiment key, e.g. optimizers")
    parser.add_argument(
        "--configfile", action="append", help="config YAML (repeatable; default config/config.yaml)"
    )
    parser.add_argument("--settings", help="experiment settings as JSON (overrides the config)")
    parser.add_argument("--threads", type=int, help="BLAS threads (default: all cores)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnreport", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="prepare (if needed) and list the datasets")
    p.add_argument("--dataset", action="append", help="only this dataset (repeatable)")
    p.add_argument("--configfile", action="append", help="config declaring custom_datasets")
    p.add_argument("--cache-dir", default="resources/datasets")
    p.add_argument("--data-dir")
    p.add_argument("--no-download", action="store_true", help="never try keras.datasets")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("prepare", help="write one dataset's canonical cache (npz + json)")
    p.add_argument("--dataset", required=True)
    p.add_argument("--out", required=True, help="npz path; metadata goes next to it as .json")
    p.add_argument("--data-dir")
    p.add_argument("--no-download", action="store_true")
    p.add_argument("--declared", help="its custom_datasets entry as JSON (null: built in)")
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("run", help="run one experiment and write its result record")
    add_settings_options(p)
    add_dataset_options(p)
    p.add_argument("--out", help="result JSON (default results/<dataset>/<experiment>.json)")
    p.add_argument("--print-log", action="store_true", help="print the experiment's log")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("figure", help="draw one figure from an experiment's result")
    p.add_argument("--name", required=True, help="figure name, e.g. optimizers")
    p.add_argument("--result", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--title")
    p.add_argument("--lang", default="en", help="label language (en, ko)")
    p.set_defaults(func=cmd_figure)

    p = sub.add_parser("shard", help="train one shard of one stage of a sharded experiment")
    p.add_argument("--experiment", required=True, help="a sharded experiment, e.g. tf_mlp")
    p.add_argument("--dataset-cache", required=True)
    p.add_argument("--settings", required=True, help="the experiment's settings as JSON")
    p.add_argument("--stage", type=int, default=0, help="stage, counted from 0")
    p.add_argument("--shard", type=int, required=True, help="shard, counted from 0")
    p.add_argument("--previous", help="merged result of the stage before")
    p.add_argument("--threads", type=int, help="threads (tf_mlp: models side by side)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_shard)

    p = sub.add_parser("merge", help="merge one stage's shards (with the stages before it)")
    p.add_argument("--experiment", required=True)
    p.add_argument("--settings", required=True)
    p.add_argument("--previous", help="merged result of the stage before")
    p.add_argument("--dataset-meta", help="dataset metadata JSON: the last stage (stamps it)")
    p.add_argument("--out", required=True)
    p.add_argument("shard_results", nargs="+")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("defaults", help="print every setting with its default (YAML)")
    p.add_argument("--experiment", help="only this experiment")
    p.set_defaults(func=cmd_defaults)

    p = sub.add_parser("samples", help="draw a dataset's sample grid (and class balance)")
    p.add_argument("--dataset-cache", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--balance-out", help="also draw the class-balance bar chart here")
    p.add_argument("--lang", default="en", help="label language (en, ko)")
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("render", help="render reports/report.html and reports/report.pdf")
    p.add_argument("--config", required=True, help="the validated config, as a JSON string")
    p.add_argument("--results-dir", default="results")
    p.add_argument("--resources-dir", default="resources")
    p.add_argument("--benchmarks-dir", default="benchmarks", help="Snakemake benchmark files")
    p.add_argument("--rebuild", default="snakemake --cores 4", help="command shown as rebuild")
    p.add_argument("--templates", default="templates")
    p.add_argument("--html", default="reports/report.html")
    p.add_argument("--pdf", default="reports/report.pdf")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("bench", help="time an experiment at the configured scale (JSON line)")
    add_settings_options(p)
    add_dataset_options(p)
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    try:
        args.func(args)
    except UserError as err:
        print(f"nnreport: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnreport: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
