# Stage 1: read each dataset once into its canonical cache (npz + metadata JSON); a dataset
# declared under custom_datasets passes its declaration along.


rule prepare_dataset:
    input:
        sources=dataset_sources,
        code=module_files("nnreport.data"),
    output:
        npz="resources/datasets/{dataset}.npz",
        meta="resources/datasets/{dataset}.json",
    params:
        data_dir=f"--data-dir {config['data_dir']}" if config["data_dir"] else "",
        download="" if config["allow_download"] else "--no-download",
        declared=lambda wildcards: json.dumps(CUSTOM.get(wildcards.dataset), sort_keys=True),
    log:
        "logs/prepare/{dataset}.log",
    benchmark:
        "benchmarks/prepare/{dataset}.tsv"
    shell:
        "nnreport prepare --dataset {wildcards.dataset} --out {output.npz} "
        "{params.data_dir} {params.download} --declared {params.declared:q} 2> {log}"
