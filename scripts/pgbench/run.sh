#!/bin/bash
# docs/scaling.md §2: a pgbench run with WAL bytes (pg_current_wal_lsn delta), commits and WAL flushes around it.
# e.g. scripts/pgbench/run.sh life-B10 20 8 -f scripts/pgbench/life.sql   |   scripts/pgbench/run.sh simple 20 8 -N (after pgbench -i -s 10)
# usage: run.sh label seconds clients pgbench-args...
label=$1; secs=$2; c=$3; shift 3
P="psql -h 127.0.0.1 -U postgres -At growth_bench"
$P -c "CHECKPOINT" >/dev/null
l0=$($P -c "select pg_current_wal_lsn()"); w0=$($P -c "select wal_records||' '||wal_fpi||' '||wal_bytes||' '||wal_sync from pg_stat_wal")
x0=$($P -c "select xact_commit from pg_stat_database where datname='growth_bench'")
out=$(pgbench -h 127.0.0.1 -U postgres -n -T $secs -c $c -j 2 "$@" growth_bench 2>&1)
l1=$($P -c "select pg_current_wal_lsn()"); w1=$($P -c "select wal_records||' '||wal_fpi||' '||wal_bytes||' '||wal_sync from pg_stat_wal")
x1=$($P -c "select xact_commit from pg_stat_database where datname='growth_bench'")
wal=$($P -c "select pg_wal_lsn_diff('$l1','$l0')::bigint")
tx=$(echo "$out" | grep -E '^number of transactions actually processed' | awk -F': ' '{print $2}' | cut -d/ -f1)
tps=$(echo "$out" | grep -E '^tps' | awk '{print $3}')
lat=$(echo "$out" | grep -E '^latency average' | awk '{print $4}')
echo "$label c=$c T=$secs tx=$tx tps=$tps lat_ms=$lat wal_bytes=$wal commits=$((x1-x0)) stat_wal_before=[$w0] after=[$w1]"
