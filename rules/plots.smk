# Stage 3: figures drawn from the cached results.


rule experiment_figure:
    input:
        json="results/{dataset}/{experiment}.json",
        npz="results/{dataset}/{experiment}.npz",
        code=module_files("nnreport.plots"),
    output:
        report(
            "results/{dataset}/figures/{experiment}.png",
            category="{dataset}",
            subcategory="{experiment}",
        ),
    log:
        "logs/{dataset}/{experiment}-figure.log",
    benchmark:
        "benchmarks/{dataset}/{experiment}-figure.tsv"
    shell:
        "nnreport figure --experiment {wildcards.experiment} --result {input.json} "
        "--out {output} 2> {log}"


rule sample_grid:
    input:
        data="resources/datasets/{dataset}.npz",
        code=module_files("nnreport.plots"),
    output:
        report(
            "results/{dataset}/figures/samples.png",
            category="{dataset}",
            subcategory="dataset",
        ),
    log:
        "logs/{dataset}/samples-figure.log",
    benchmark:
        "benchmarks/{dataset}/samples-figure.tsv"
    shell:
        "nnreport samples --dataset-cache {input.data} --out {output} 2> {log}"
