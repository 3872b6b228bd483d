#!/usr/bin/env bash
# stairway preflight (dump + restore + apply the pending revision, drift off) against doing the
# same by hand: pg_dump -Fc, createdb + pg_restore --jobs 2, psql applying the pending SQL in one
# transaction. One generated database of ROWS rows (default 2,000,000: about 300 MB on disk; the
# issue's 1 GB is ROWS=7000000), REPEAT interleaved runs, medians and their ratio.
# Usage: bench/preflight/run.sh [ROWS] [REPEAT] [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-2000000}
repeat=${2:-3}
build=${3:-$root/build}
stairway=$build/stairway
# shellcheck source=../cluster.sh
source "$root/bench/cluster.sh"
start_bench_cluster stairway-bench-preflight
chmod 0755 "$work"
url="postgresql:///prod?host=$work&user=bench"
server="postgresql:///postgres?host=$work&user=bench"
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

migrations=$work/migrations
mkdir -p "$migrations"
cat >"$migrations/0001_create_orders.sql" <<'SQL'
-- migrate:up
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    amount integer NOT NULL,
    note text
);
-- migrate:down
DROP TABLE orders;
DROP TABLE customers;
SQL
cat >"$migrations/0002_orders_amount_numeric.sql" <<'SQL'
-- migrate:up
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
-- migrate:down
DROP INDEX orders_customer_id_idx;
ALTER TABLE orders ALTER COLUMN amount TYPE integer;
SQL
pending=$work/pending.sql
{
  echo "BEGIN;"
  sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$migrations/0002_orders_amount_numeric.sql" |
    grep -v '^-- migrate:'
  echo "COMMIT;"
} >"$pending"

"$bindir/createdb" -h "$work" -U bench prod
"$stairway" upgrade 0001 -d "$migrations" --database-url "$url" >/dev/null
"${psql[@]}" -d "$url" <<SQL
INSERT INTO customers SELECT g, 'customer ' || g, 'c' || g || '@example.com'
FROM generate_series(1, $rows / 10) g;
INSERT INTO orders SELECT g, 1 + g % ($rows / 10), g % 100000, md5(g::text)
FROM generate_series(1, $rows) g;
VACUUM ANALYZE;
SQL
size=$("${psql[@]}" -d "$url" -At -c "SELECT pg_size_pretty(pg_database_size('prod'))")
echo "database prod: $rows orders, $size; pending: 0002 (a rewrite and an index build)"

by_hand=""
preflight=""
for i in $(seq 1 "$repeat"); do
  rm -rf "$work/hand" "$work/backups"
  mkdir -p "$work/hand" "$work/backups"
  start=$(now_ms)
  "$bindir/pg_dump" -Fc -f "$work/hand/prod.dump" -d "$url"
  "$bindir/createdb" -h "$work" -U bench "copy$i"
  "$bindir/pg_restore" --no-owner --no-acl --jobs 2 -d "postgresql:///copy$i?host=$work&user=bench" \
    "$work/hand/prod.dump"
  "${psql[@]}" -d "postgresql:///copy$i?host=$work&user=bench" -f "$pending"
  by_hand+=" $(($(now_ms) - start))"
  "$bindir/dropdb" -h "$work" -U bench "copy$i"

  start=$(now_ms)
  "$stairway" preflight --against "$url" "$migrations" --backup-dir "$work/backups" \
    --server-url "$server" --no-drift >"$work/preflight.txt" 2>/dev/null
  preflight+=" $(($(now_ms) - start))"
done
hand_ms=$(median "$by_hand")
preflight_ms=$(median "$preflight")
echo "by hand (pg_dump -Fc, pg_restore --jobs 2, psql): median $hand_ms ms (runs:$by_hand)"
echo "stairway preflight --no-drift:                    median $preflight_ms ms (runs:$preflight)"
echo "ratio preflight / by hand: $(ratio "$preflight_ms" "$hand_ms") (goal: at most 1.3)"
grep -E "ACCESS EXCLUSIVE on public.orders|OK:|FINDINGS:" "$work/preflight.txt" | head -3
