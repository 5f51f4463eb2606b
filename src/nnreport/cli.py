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

    names = args.dataset or list(data.DATASET_NAMES)
    rows = []
    for name in names:
        meta = ensure_dataset(name, args.cache_dir, args.data_dir, not args.no_download).meta
        rows.append(
            (
                name,
                meta["title"],
                f"{meta['n_train']}/{meta['n_test']}",
                "x".join(map(str, meta["image_shape"])),
                ", ".join(meta["class_names"]),
                meta["source"],
            )
        )
    header = ("name", "title", "train/test", "image", "classes", "source")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def cmd_prepare(args) -> None:
    from nnreport import data

    out = Path(args.out)
    data.prepare(args.dataset, out, out.with_suffix(".json"), args.data_dir, not args.no_download)


def settings_from(args, experiment: str, dataset: str | None) -> dict:
    from nnreport.config import experiment_settings, load_config

    if args.settings:
        return json.loads(args.settings)
    return experiment_settings(load_config(args.configfile), dataset, experiment)


def load_dataset(args):
    from nnreport import data, runner

    if args.dataset_cache:
        return data.load_prepared(args.dataset_cache)
    if args.dataset:
        return runner.ensure_dataset(args.dataset, args.cache_dir, args.data_dir)
    return None


def cmd_run(args) -> None:
    from nnreport import runner

    dataset = load_dataset(args)
    settings = settings_from(args, args.experiment, dataset.name if dataset else None)
    with blas_threads(args.threads):
        record, arrays = runner.run_experiment(args.experiment, dataset, settings)
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
    from nnreport import plots
    from nnreport.messages import load_messages
    from nnreport.results import load_record

    t = load_messages(args.templates, args.lang)
    plots.use_language(args.lang)
    record, arrays = load_record(args.result)
    title = args.title or record.get("dataset_title") or t("general")
    plots.save(plots.draw(args.name, record, arrays, title, t), args.out)


def cmd_hparam_shard(args) -> None:
    from nnreport import data, runner
    from nnreport.experiments import hparam_search
    from nnreport.results import load_record

    dataset = data.load_prepared(args.dataset_cache)
    settings = json.loads(args.settings)
    previous = load_record(args.previous) if args.previous else None
    box = hparam_search.next_box(settings, args.stage, previous)
    with blas_threads(args.threads):
        record, arrays = hparam_search.run_shard(
            dataset, settings, args.stage, args.shard, args.shards, box
        )
    runner.write_result(args.out, record, arrays)


def cmd_hparam_merge(args) -> None:
    from nnreport import runner
    from nnreport.experiments import hparam_search
    from nnreport.results import load_json, load_record

    settings = json.loads(args.settings)
    previous = load_record(args.previous) if args.previous else None
    record, arrays = hparam_search.merge_stage(
        settings, [load_record(path) for path in args.shard_results], previous
    )
    if args.final:
        meta = load_json(args.dataset_meta)
        record.update(
            experiment="hparam_search",
            dataset=meta["name"],
            dataset_title=meta["title"],
            settings_used={**settings, **record["split"]},
        )
    runner.write_result(args.out, record, arrays)


def cmd_tf_mlp_shard(args) -> None:
    from nnreport import data, runner
    from nnreport.experiments import tf_mlp

    dataset = data.load_prepared(args.dataset_cache)
    settings = json.loads(args.settings)
    total = len(tf_mlp.shard_runs(settings, args.shard)) * settings["epochs"]
    update, close = runner.progress_reporter(total, f"tf_mlp/{dataset.name} shard {args.shard}")
    try:
        record, arrays = tf_mlp.run_shard(dataset, settings, args.shard, args.threads or 1, update)
    finally:
        close()
    runner.write_result(args.out, record, arrays)


def cmd_tf_mlp_merge(args) -> None:
    from nnreport import runner
    from nnreport.experiments import tf_mlp
    from nnreport.results import load_json, load_record

    settings = json.loads(args.settings)
    record, arrays = tf_mlp.merge([load_record(path) for path in args.shard_results], settings)
    meta = load_json(args.dataset_meta)
    record.update(
        experiment="tf_mlp",
        dataset=meta["name"],
        dataset_title=meta["title"],
        settings_used={**settings, "split": record["split"]},
        seconds=record["run_seconds"],
    )
    runner.write_result(args.out, record, arrays)


def cmd_samples(args) -> None:
    from nnreport import data, plots
    from nnreport.messages import load_messages

    ds = data.load_prepared(args.dataset_cache)
    plots.save(plots.sample_grid(ds.x_train, ds.y_train, ds.meta["image_shape"]), args.out)
    if args.balance_out:
        plots.use_language(args.lang)
        t = load_messages(args.templates, args.lang)
        plots.save(plots.class_balance(ds.meta, t), args.balance_out)


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
    p.add_argument("--cache-dir", default="resources/datasets")
    p.add_argument("--data-dir")
    p.add_argument("--no-download", action="store_true", help="never try keras.datasets")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("prepare", help="write one dataset's canonical cache (npz + json)")
    p.add_argument("--dataset", required=True)
    p.add_argument("--out", required=True, help="npz path; metadata goes next to it as .json")
    p.add_argument("--data-dir")
    p.add_argument("--no-download", action="store_true")
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
    p.add_argument("--lang", default="en", help="label language (a catalog in templates/i18n)")
    p.add_argument("--templates", default="templates")
    p.set_defaults(func=cmd_figure)

    p = sub.add_parser("hparam-shard", help="train one shard of one search stage")
    p.add_argument("--dataset-cache", required=True)
    p.add_argument("--settings", required=True, help="hparam_search settings as JSON")
    p.add_argument("--stage", type=int, required=True)
    p.add_argument("--shard", type=int, required=True)
    p.add_argument("--shards", type=int, required=True)
    p.add_argument("--previous", help="merged result of the previous stage")
    p.add_argument("--threads", type=int)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_hparam_shard)

    p = sub.add_parser("hparam-merge", help="merge one stage's shards (with earlier stages)")
    p.add_argument("--settings", required=True)
    p.add_argument("--previous", help="merged result of the previous stage")
    p.add_argument("--final", action="store_true", help="this is the last stage")
    p.add_argument("--dataset-meta", help="dataset metadata JSON (with --final)")
    p.add_argument("--out", required=True)
    p.add_argument("shard_results", nargs="+")
    p.set_defaults(func=cmd_hparam_merge)

    p = sub.add_parser("tf-mlp-shard", help="train one shard of the TensorFlow study's runs")
    p.add_argument("--dataset-cache", required=True)
    p.add_argument("--settings", required=True, help="tf_mlp settings as JSON")
    p.add_argument("--shard", type=int, required=True)
    p.add_argument("--threads", type=int, help="TensorFlow threads = models trained side by side")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_tf_mlp_shard)

    p = sub.add_parser("tf-mlp-merge", help="merge the TensorFlow study's shards")
    p.add_argument("--settings", required=True)
    p.add_argument("--dataset-meta", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("shard_results", nargs="+")
    p.set_defaults(func=cmd_tf_mlp_merge)

    p = sub.add_parser("samples", help="draw a dataset's sample grid (and class balance)")
    p.add_argument("--dataset-cache", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--balance-out", help="also draw the class-balance bar chart here")
    p.add_argument("--lang", default="en")
    p.add_argument("--templates", default="templates")
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
