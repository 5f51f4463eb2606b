#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for tests/test_slurm.py (run as root):
#   tests/slurm/start_cluster.sh DIR    writes DIR/slurm.conf, links it as
#                                       /etc/slurm/slurm.conf, starts munged, slurmctld and
#                                       slurmd, waits until the node is idle
#   tests/slurm/stop_cluster.sh DIR     stops exactly the daemons listed in DIR/pids and
#                                       removes the link
# The link is where every SLURM command looks, as on a real cluster (the job steps' srun
# ignores SLURM_CONF); a machine with a slurm.conf of its own is refused (exit status 3).
# Debian's slurm-wlm and munge are installed with apt-get when missing. Everything else stays
# in DIR: the munge key and socket, state, spool and logs. Accounting is off; two partitions
# over the one node: `debug` (the default) and `nnreport`, with the node's CPUs and memory.
set -euo pipefail
dir=$(realpath "$1")
mkdir -p "$dir"/state "$dir"/spool "$dir"/log
chmod 700 "$dir"

if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  apt-get update -q > "$dir/log/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    slurm-wlm munge >> "$dir/log/apt.log" 2>&1
fi

# "CPUs=2 ... RealMemory=24105" as slurmd finds them on this machine.
read -r cpus memory < <(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*RealMemory=\([0-9]*\).*/\1 \2/p')

system_conf=/etc/slurm/slurm.conf
marker="# one-node test cluster of tests/slurm/start_cluster.sh"
if [ -e "$system_conf" ] && ! grep -qxF "$marker" "$system_conf"; then
  echo "start_cluster.sh: $system_conf exists: this machine has a SLURM of its own" >&2
  exit 3
fi

cat > "$dir/slurm.conf" <<CONF
$marker
ClusterName=nnreport-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=nnreport Nodes=localhost MaxTime=INFINITE State=UP
CONF
mkdir -p "$(dirname "$system_conf")"
ln -sfn "$dir/slurm.conf" "$system_conf"

# Each daemon runs in the foreground of a background job, so $! is its own pid.
start() {
  local name=$1
  shift
  "$@" > "$dir/log/$name.out" 2>&1 < /dev/null &
  echo "$! $name" >> "$dir/pids"
}

wait_for() {
  local what=$1
  shift
  for _ in $(seq 600); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  echo "start_cluster.sh: timed out waiting for $what; logs in $dir/log" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  return 1
}

node_idle() { [ "$(sinfo -h -N -n localhost -o %t 2> /dev/null | head -n 1)" = idle ]; }

mungekey --create --keyfile="$dir/munge.key"
start munged munged --foreground --force --socket="$dir/munge.socket" \
  --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munged.seed"
wait_for munged test -S "$dir/munge.socket"
start slurmctld slurmctld -D
start slurmd slurmd -D -N localhost
wait_for "an idle node" node_idle
