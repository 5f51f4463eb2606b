#!/usr/bin/env bash
# Undo tests/slurm/start_cluster.sh DIR: stop exactly the daemons in DIR/pids (last started
# first; each only while that pid is still the daemon of that name), then remove the link
# /etc/slurm/slurm.conf -> DIR/slurm.conf.
set -uo pipefail
dir=$(realpath "$1")

running() { [ "$(cat "/proc/$1/comm" 2> /dev/null)" = "$2" ] && ! grep -q '^State:.Z' "/proc/$1/status"; }

if [ -f "$dir/pids" ]; then
  tac "$dir/pids" | while read -r pid name; do
    running "$pid" "$name" || continue
    kill "$pid"
    for _ in $(seq 100); do
      running "$pid" "$name" || break
      sleep 0.1
    done
    if running "$pid" "$name"; then kill -KILL "$pid"; fi
  done
fi
if [ "$(readlink /etc/slurm/slurm.conf)" = "$dir/slurm.conf" ]; then
  rm /etc/slurm/slurm.conf
fi
exit 0
