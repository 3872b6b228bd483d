#!/usr/bin/env bash
# Writes a ~1 MB migration file of 20,000 statements (a realistic DDL mix) to $1 (default stdout).
# Used by bench/lint_bench.cpp and bench/lint/compare.sh.
set -euo pipefail
out="${1:-/dev/stdout}"
count="${2:-20000}"
awk -v n="$count" 'BEGIN {
  for (i = 0; i < n; i++) {
    t = int(i / 5);
    k = i % 5;
    if (k == 0) printf "CREATE TABLE t%d (id bigint PRIMARY KEY, oid bigint NOT NULL, n int);\n", t;
    else if (k == 1) printf "ALTER TABLE t%d ADD COLUMN ts timestamptz DEFAULT now();\n", t;
    else if (k == 2) printf "CREATE INDEX t%d_o_idx ON t%d (oid);\n", t, t;
    else if (k == 3) printf "ALTER TABLE t%d ADD FOREIGN KEY (oid) REFERENCES users (id) ON DELETE CASCADE;\n", t;
    else printf "UPDATE t%d SET n = 1 WHERE n IS NULL;\n", t;
  }
}' > "$out"
