#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (controller and compute node on the same host), to
# try examples/cluster/submit-slurm.sh on a laptop or a workstation. Debian/Ubuntu, as root:
#   apt-get install -y slurm-wlm munge
#   examples/cluster/start-local-slurm.sh          # writes /etc/slurm/slurm.conf, starts munged, slurmctld, slurmd
#   examples/cluster/start-local-slurm.sh stop     # stops the three daemons
# It overwrites /etc/slurm/slurm.conf (the old one is kept as slurm.conf.before-modej): use it on a
# machine that is not part of a real cluster. No systemd needed (it also works in a container).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "start-local-slurm: run as root (it writes /etc/slurm and starts daemons)" >&2; exit 1
fi
for tool in munged slurmctld slurmd; do
  command -v "$tool" >/dev/null 2>&1 || { echo "start-local-slurm: $tool is missing; apt-get install -y slurm-wlm munge" >&2; exit 1; }
done

stop_daemons() { # the pid files of the daemons to stop
  for pidfile in "$@"; do
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill "$(cat "$pidfile")"
    fi
  done
}
if [ "${1:-}" = stop ]; then
  stop_daemons /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid
  echo "start-local-slurm: stopped"
  exit 0
fi

host=$(hostname -s)
# munge: a shared key authenticates the daemons and the commands to each other
mkdir -p /etc/munge /run/munge /var/log/munge /var/lib/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
chmod 0400 /etc/munge/munge.key
chmod 0700 /etc/munge /var/log/munge /var/lib/munge
chmod 0755 /run/munge
if ! munge -n </dev/null >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
fi
munge -n </dev/null | unmunge >/dev/null   # fails loudly when munge does not work

# slurm.conf: this host is the controller and the one node; its CPUs and memory as slurmd sees them
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
chown slurm:slurm /var/spool/slurmctld /var/log/slurm
node=$(slurmd -C | head -1)            # NodeName=<host> CPUs=... RealMemory=...
if [ -f /etc/slurm/slurm.conf ] && [ ! -f /etc/slurm/slurm.conf.before-modej ]; then
  cp /etc/slurm/slurm.conf /etc/slurm/slurm.conf.before-modej
fi
cat > /etc/slurm/slurm.conf <<CONF
# one-node cluster written by MoDE-J's examples/cluster/start-local-slurm.sh
ClusterName=local
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# no cgroups: works in containers and on any init system
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
# several array tasks share the node, one core each
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
$node NodeAddr=$(getent hosts "$host" | awk '{print $1; exit}') State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

stop_daemons /run/slurmd.pid /run/slurmctld.pid   # a restart reads the new slurm.conf
sleep 1
slurmctld
slurmd
for _ in $(seq 1 30); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    sinfo
    echo "start-local-slurm: Slurm is up on $host (stop it with: $0 stop)"
    exit 0
  fi
  sleep 1
done
echo "start-local-slurm: the node did not come up; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
sinfo >&2 || true
exit 1
