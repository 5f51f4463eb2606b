# Stage 2: one job per (dataset, experiment) and per dataset-free experiment; its JSON + npz
# are the cache. The hyperparameter search runs as shards per stage, merged stage by stage;
# the TensorFlow study's runs as shards, merged per dataset.
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
        experiment="|".join(e for e in DATASET_EXPERIMENTS if e not in SHARDED),
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


rule hparam_shard:
    input:
        data="resources/datasets/{dataset}.npz",
        previous=lambda wildcards: stage_inputs(wildcards.dataset, int(wildcards.stage))[
            "previous"
        ],
        code=module_files("nnreport.experiments.hparam_search"),
    output:
        json="results/{dataset}/hparam_search/stage{stage}-shard{shard}.json",
        npz="results/{dataset}/hparam_search/stage{stage}-shard{shard}.npz",
    params:
        settings=search_settings,
        previous=previous_flag,
        shards=lambda wildcards: search_of(wildcards.dataset)["shards"],
    threads: 1
    resources:
        mem_mb=1500,
    log:
        "logs/{dataset}/hparam_search/stage{stage}-shard{shard}.log",
    benchmark:
        "benchmarks/{dataset}/hparam_search/stage{stage}-shard{shard}.tsv"
    shell:
        "nnreport hparam-shard --dataset-cache {input.data} --settings {params.settings:q} "
        "--stage {wildcards.stage} --shard {wildcards.shard} --shards {params.shards} "
        "{params.previous} --threads {threads} --out {output.json} 2> {log}"


rule hparam_stage:
    input:
        unpack(lambda wildcards: stage_inputs(wildcards.dataset, int(wildcards.stage))),
        code=module_files("nnreport.experiments.hparam_search"),
    output:
        json="results/{dataset}/hparam_search/stage{stage}.json",
        npz="results/{dataset}/hparam_search/stage{stage}.npz",
    params:
        settings=search_settings,
        previous=previous_flag,
    log:
        "logs/{dataset}/hparam_search/stage{stage}.log",
    benchmark:
        "benchmarks/{dataset}/hparam_search/stage{stage}.tsv"
    shell:
        "nnreport hparam-merge --settings {params.settings:q} {params.previous} "
        "--out {output.json} {input.shards} 2> {log}"


rule hparam_result:
    input:
        unpack(
            lambda wildcards: stage_inputs(
                wildcards.dataset, search_of(wildcards.dataset)["stages"] - 1
            )
        ),
        meta="resources/datasets/{dataset}.json",
        code=module_files("nnreport.experiments.hparam_search"),
    output:
        json="results/{dataset}/hparam_search.json",
        npz="results/{dataset}/hparam_search.npz",
    params:
        settings=search_settings,
        previous=previous_flag,
    log:
        "logs/{dataset}/hparam_search.log",
    benchmark:
        "benchmarks/{dataset}/hparam_search.tsv"
    shell:
        "nnreport hparam-merge --final --dataset-meta {input.meta} "
        "--settings {params.settings:q} {params.previous} --out {output.json} "
        "{input.shards} 2> {log}"


rule tf_mlp_shard:
    input:
        data="resources/datasets/{dataset}.npz",
        code=module_files("nnreport.experiments.tf_mlp"),
    output:
        json="results/{dataset}/tf_mlp/shard{shard}.json",
        npz="results/{dataset}/tf_mlp/shard{shard}.npz",
    params:
        settings=tf_mlp_settings,
    threads: 1
    resources:
        mem_mb=3000,
    log:
        "logs/{dataset}/tf_mlp/shard{shard}.log",
    benchmark:
        "benchmarks/{dataset}/tf_mlp/shard{shard}.tsv"
    shell:
        "nnreport tf-mlp-shard --dataset-cache {input.data} --settings {params.settings:q} "
        "--shard {wildcards.shard} --threads {threads} --out {output.json} 2> {log}"


rule tf_mlp_result:
    input:
        shards=lambda wildcards: [
            f"results/{wildcards.dataset}/tf_mlp/shard{shard}.json"
            for shard in range(tf_mlp_of(wildcards.dataset)["shards"])
        ],
        meta="resources/datasets/{dataset}.json",
        code=module_files("nnreport.experiments.tf_mlp"),
    output:
        json="results/{dataset}/tf_mlp.json",
        npz="results/{dataset}/tf_mlp.npz",
    params:
        settings=tf_mlp_settings,
    log:
        "logs/{dataset}/tf_mlp.log",
    benchmark:
        "benchmarks/{dataset}/tf_mlp.tsv"
    shell:
        "nnreport tf-mlp-merge --dataset-meta {input.meta} --settings {params.settings:q} "
        "--out {output.json} {input.shards} 2> {log}"
