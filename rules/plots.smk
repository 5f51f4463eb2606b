# Stage 3: figures drawn from the cached results; each experiment's unit says which.


rule experiment_figure:
    input:
        unpack(figure_result),
        catalog=f"templates/i18n/{config['report']['lang']}.yaml",
        code=figure_code,
    output:
        report(
            "results/{scope}/figures/{figure}.svg",
            category="{scope}",
            subcategory="{figure}",
        ),
    log:
        "logs/{scope}/figures/{figure}.log",
    benchmark:
        "benchmarks/{scope}/figures/{figure}.tsv"
    shell:
        "nnreport figure --name {wildcards.figure} --result {input.json} --out {output} "
        f"--lang {config['report']['lang']} 2> {{log}}"


rule dataset_figures:
    input:
        data="resources/datasets/{dataset}.npz",
        catalog=f"templates/i18n/{config['report']['lang']}.yaml",
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
    log:
        "logs/{dataset}/figures/samples.log",
    benchmark:
        "benchmarks/{dataset}/figures/samples.tsv"
    shell:
        "nnreport samples --dataset-cache {input.data} --out {output.samples} "
        f"--balance-out {{output.balance}} --lang {config['report']['lang']} 2> {{log}}"
