# Stage 2: one job per (dataset, experiment); its JSON + npz are the cache.
# One BLAS thread per job: `--cores N` then runs N jobs side by side without the thread
# pools of concurrent jobs fighting over the same cores (profiles may raise it).


rule run_experiment:
    input:
        data="resources/datasets/{dataset}.npz",
        meta="resources/datasets/{dataset}.json",
        code=experiment_code,
    output:
        json="results/{dataset}/{experiment}.json",
        npz="results/{dataset}/{experiment}.npz",
    params:
        settings=settings_json,
    threads: 1
    resources:
        mem_mb=1500,
    log:
        "logs/{dataset}/{experiment}.log",
    benchmark:
        "benchmarks/{dataset}/{experiment}.tsv"
    shell:
        "nnreport run --experiment {wildcards.experiment} --dataset-cache {input.data} "
        "--settings {params.settings:q} --threads {threads} --out {output.json} 2> {log}"
