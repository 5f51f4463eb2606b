# Stage 3: figures drawn from the cached results; each experiment's unit says which. A figure
# job's inputs are its result and its figure code; the labels it may draw are a parameter.


rule experiment_figure:
    input:
        unpack(figure_result),
        code=figure_code,
    output:
        report(
            "results/{scope}/figures/{figure}.svg",
            category="{scope}",
            subcategory="{figure}",
        ),
    params:
        labels=figure_labels,
    log:
        "logs/{scope}/figures/{figure}.log",
    benchmark:
        "benchmarks/{scope}/figures/{figure}.tsv"
    shell:
        "nnreport figure --name {wildcards.figure} --result {input.json} --out {output} "
        f"--lang {LANG} 2> {{log}}"


rule dataset_figures:
    input:
        data="resources/datasets/{dataset}.npz",
        code=module_files("nnreport.plots"),
    output:
        samples=report(
            "results/{dataset}/figures/samples.png",
            category="{dataset}",
            subcategory="dataset",
        ),
        balance=report(
            "results/{dataset}/figures/balance.svg",
            category="{dataset}",
            subcategory="dataset",
        ),
    params:
        labels=figure_labels(),
    log:
        "logs/{dataset}/figures/samples.log",
    benchmark:
        "benchmarks/{dataset}/figures/samples.tsv"
    shell:
        "nnreport samples --dataset-cache {input.data} --out {output.samples} "
        f"--balance-out {{output.balance}} --lang {LANG} 2> {{log}}"
