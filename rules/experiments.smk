# Stage 2: one job per (dataset, experiment) and per dataset-free experiment; its JSON + npz
# are the cache. A sharded experiment (the registry says which) runs as shard jobs per stage,
# merged stage by stage: one protocol for all of them (nnreport shard / nnreport merge).
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
    wildcard_constraints:
        experiment="|".join(SINGLE_JOB),
    params:
        settings=settings_json,
    priority: job_priority
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


rule run_general:
    input:
        code=experiment_code,
    output:
        json="results/general/{experiment}.json",
        npz="results/general/{experiment}.npz",
    wildcard_constraints:
        experiment="|".join(GENERAL),
    params:
        settings=settings_json,
    threads: 1
    log:
        "logs/general/{experiment}.log",
    benchmark:
        "benchmarks/general/{experiment}.tsv"
    shell:
        "nnreport run --experiment {wildcards.experiment} --settings {params.settings:q} "
        "--threads {threads} --out {output.json} 2> {log}"


rule run_shard:
    input:
        data="resources/datasets/{dataset}.npz",
        previous=lambda wildcards: stage_inputs(wildcards)["previous"],
        code=experiment_code,
    output:
        json="results/{dataset}/{experiment}/stage{stage}-shard{shard}.json",
        npz="results/{dataset}/{experiment}/stage{stage}-shard{shard}.npz",
    wildcard_constraints:
        experiment="|".join(SHARDED),
    params:
        settings=settings_json,
        previous=previous_flag,
    priority: job_priority
    threads: 1
    resources:
        mem_mb=3000,
    log:
        "logs/{dataset}/{experiment}/stage{stage}-shard{shard}.log",
    benchmark:
        "benchmarks/{dataset}/{experiment}/stage{stage}-shard{shard}.tsv"
    shell:
        "nnreport shard --experiment {wildcards.experiment} --dataset-cache {input.data} "
        "--settings {params.settings:q} --stage {wildcards.stage} --shard {wildcards.shard} "
        "{params.previous} --threads {threads} --out {output.json} 2> {log}"


rule merge_stage:
    input:
        unpack(stage_inputs),
        code=experiment_code,
    output:
        json="results/{dataset}/{experiment}/stage{stage}.json",
        npz="results/{dataset}/{experiment}/stage{stage}.npz",
    wildcard_constraints:
        experiment="|".join(SHARDED),
    params:
        settings=settings_json,
        previous=previous_flag,
    log:
        "logs/{dataset}/{experiment}/stage{stage}.log",
    benchmark:
        "benchmarks/{dataset}/{experiment}/stage{stage}.tsv"
    shell:
        "nnreport merge --experiment {wildcards.experiment} --settings {params.settings:q} "
        "{params.previous} --out {output.json} {input.shards} 2> {log}"


rule merge_result:
    input:
        unpack(last_stage_inputs),
        meta="resources/datasets/{dataset}.json",
        code=experiment_code,
    output:
        json="results/{dataset}/{experiment}.json",
        npz="results/{dataset}/{experiment}.npz",
    wildcard_constraints:
        experiment="|".join(SHARDED),
    params:
        settings=settings_json,
        previous=previous_flag,
    log:
        "logs/{dataset}/{experiment}.log",
    benchmark:
        "benchmarks/{dataset}/{experiment}.tsv"
    shell:
        "nnreport merge --experiment {wildcards.experiment} --dataset-meta {input.meta} "
        "--settings {params.settings:q} {params.previous} --out {output.json} "
        "{input.shards} 2> {log}"
