# Sourced by the bench scripts: starts a private PostgreSQL cluster for one benchmark run in a
# temp dir (unix socket only, no fsync; as root it runs as user postgres) and removes it on exit.
# Sets: bindir, work (temp dir, also the socket dir), run_as; superuser is "bench".
# Usage: source "$root/bench/cluster.sh"; start_bench_cluster PREFIX
bindir=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
run_as=()

stop_bench_cluster() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

# Where stairway puts its own throwaway cluster (docs/sandbox.md): $TMPDIR, else /dev/shm when it
# is a tmpfs with 1 GiB free, else /tmp.
bench_base() {
  if [[ -n ${TMPDIR:-} ]]; then
    echo "$TMPDIR"
  elif [[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs &&
    $(df -k --output=avail /dev/shm 2>/dev/null | tail -1) -ge 1048576 ]]; then
    echo /dev/shm
  else
    echo /tmp
  fi
}

start_bench_cluster() {
  work=$(mktemp -d "$(bench_base)/$1-XXXXXX")
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$work"
    run_as=(runuser -u postgres --)
  fi
  trap stop_bench_cluster EXIT
  "${run_as[@]}" "$bindir/initdb" --no-sync -A trust -U bench -D "$work/data" >/dev/null
  "${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/log" -w \
    -o "-c listen_addresses='' -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
}

now_ms() { date +%s%3N; }
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
