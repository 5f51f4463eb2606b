#!/bin/sh
# A stand-in batch scheduler for snakemake-executor-plugin-cluster-generic: start the job
# script as a separate, detached local process (its own session, nothing shared with
# Snakemake but the files) and print its id, as sbatch or qsub would.
setsid sh "$1" > "$1.out" 2>&1 < /dev/null &
echo $!
