# Stage 4: the report, rendered from results and figures (HTML, then the same HTML as PDF).


rule render_report:
    input:
        results=expand(
            "results/{dataset}/{experiment}.{ext}",
            dataset=DATASETS,
            experiment=DATASET_EXPERIMENTS,
            ext=["json", "npz"],
        )
        + expand("results/general/{experiment}.{ext}", experiment=GENERAL, ext=["json", "npz"]),
        figures=[
            f"results/{scope}/figures/{figure}.svg"
            for scope, owned in FIGURE_OWNER.items()
            for figure in owned
        ]
        + expand("results/{dataset}/figures/{name}", dataset=DATASETS, name=["samples.png", "balance.svg"]),
        metas=expand("resources/datasets/{dataset}.json", dataset=DATASETS),
        templates=template_files(),
        messages=message_files(),
        code=report_code(),
    output:
        html=report("reports/report.html", category="report"),
        pdf=report("reports/report.pdf", category="report"),
    params:
        config=json.dumps(config, sort_keys=True),
        rebuild=rebuild_command(),
    log:
        "logs/report.log",
    benchmark:
        "benchmarks/report.tsv"
    shell:
        "nnreport render --config {params.config:q} --rebuild {params.rebuild:q} "
        "--html {output.html} --pdf {output.pdf} 2> {log}"
