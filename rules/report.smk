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
        figures=expand(
            "results/{dataset}/figures/{name}.png",
            dataset=DATASETS,
            name=DATASET_FIGURES + ["samples", "balance"],
        )
        + expand("results/general/figures/{name}.png", name=GENERAL_FIGURES),
        metas=expand("resources/datasets/{dataset}.json", dataset=DATASETS),
        templates=template_files(),
        code=module_files("nnreport.report.render"),
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
