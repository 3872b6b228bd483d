// Catalog snapshot cost on a generated 1,000-table schema (bench/snapshot/generate.sh) next to
// pg_dump --schema-only of the same database, in the same run: TakeSnapshot on a warm session
// (what verify --roundtrip does after each step; its companion connection shares the queries), on
// the warm session alone, on a new session, the tracked catalog's full re-read, JSON writing and
// Compare.
// STAIRWAY_BENCH_TABLES changes the size.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "runner/db/session.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/schema/diff.h"
#include "verifier/schema/snapshot.h"
#include "verifier/schema/snapshot_json.h"
#include "verifier/schema/tracked.h"

#ifndef STAIRWAY_SOURCE_DIR
#define STAIRWAY_SOURCE_DIR "."
#endif

namespace {

using namespace stairway;

struct Fixture {
  std::unique_ptr<sandbox::Sandbox> box;
  std::unique_ptr<sandbox::ThrowawayDatabase> database;
  int tables = 1000;
};

std::string GeneratedDdl(int tables) {
  const std::string command =
      std::string(STAIRWAY_SOURCE_DIR) + "/bench/snapshot/generate.sh " + std::to_string(tables);
  std::string ddl;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) std::abort();
  char buffer[1 << 16];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) ddl.append(buffer, n);
  if (pclose(pipe) != 0 || ddl.empty()) {
    std::fprintf(stderr, "could not run %s\n", command.c_str());
    std::abort();
  }
  return ddl;
}

Fixture& Shared() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    if (const char* n = std::getenv("STAIRWAY_BENCH_TABLES")) f->tables = std::atoi(n);
    f->box = sandbox::OpenSandbox({});
    f->database = f->box->CreateDatabase();
    db::Session session = db::Session::Connect(f->database->url());
    session.Exec("BEGIN; " + GeneratedDdl(f->tables) + "; COMMIT; ");
    session.Exec("VACUUM ANALYZE");
    return f;
  }();
  return *fixture;
}

void BM_TakeSnapshotWarmSession(benchmark::State& state) {
  db::Session session = db::Session::Connect(Shared().database->url());
  schema::TakeSnapshot(session);
  std::size_t objects = 0;
  for (auto _ : state) objects = schema::TakeSnapshot(session).objects.size();
  state.counters["objects"] = static_cast<double>(objects);
  state.counters["tables"] = Shared().tables;
}
BENCHMARK(BM_TakeSnapshotWarmSession)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The same on the caller's session alone (no companion connection): the single-core figure.
void BM_TakeSnapshotWarmOneSession(benchmark::State& state) {
  db::Session session = db::Session::Connect(Shared().database->url());
  schema::SnapshotOptions options;
  options.sessions = schema::Sessions::kOneSession;
  schema::TakeSnapshot(session, options);
  for (auto _ : state) benchmark::DoNotOptimize(schema::TakeSnapshot(session, options));
}
BENCHMARK(BM_TakeSnapshotWarmOneSession)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The end-of-roundtrip check's read: the tracked catalog's own queries, prepared and planned
// when it started, on the one session.
void BM_TrackedCatalogReadAll(benchmark::State& state) {
  db::Session session = db::Session::Connect(Shared().database->url());
  std::optional<schema::TrackedCatalog> tracked = schema::TrackedCatalog::Start(session);
  if (!tracked) {
    state.SkipWithError("the watch needs a superuser");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(tracked->ReadAll(session));
  tracked->Stop(session);
}
BENCHMARK(BM_TrackedCatalogReadAll)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_TakeSnapshotNewSession(benchmark::State& state) {
  for (auto _ : state) {
    db::Session session = db::Session::Connect(Shared().database->url());
    benchmark::DoNotOptimize(schema::TakeSnapshot(session));
  }
}
BENCHMARK(BM_TakeSnapshotNewSession)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_SnapshotToJson(benchmark::State& state) {
  db::Session session = db::Session::Connect(Shared().database->url());
  const schema::Snapshot snapshot = schema::TakeSnapshot(session);
  for (auto _ : state) benchmark::DoNotOptimize(schema::SnapshotToJson(snapshot));
}
BENCHMARK(BM_SnapshotToJson)->Unit(benchmark::kMillisecond);

void BM_CompareEqual(benchmark::State& state) {
  db::Session session = db::Session::Connect(Shared().database->url());
  const schema::Snapshot a = schema::TakeSnapshot(session);
  const schema::Snapshot b = schema::TakeSnapshot(session);
  for (auto _ : state) benchmark::DoNotOptimize(schema::Compare(a, b));
}
BENCHMARK(BM_CompareEqual)->Unit(benchmark::kMillisecond);

// The baseline: pg_dump --schema-only of the same database, process start included.
void BM_PgDumpSchemaOnly(benchmark::State& state) {
  const std::string command =
      "pg_dump --schema-only --dbname='" + Shared().database->url() + "' > /dev/null";
  for (auto _ : state) {
    if (std::system(command.c_str()) != 0) state.SkipWithError("pg_dump failed");
  }
}
BENCHMARK(BM_PgDumpSchemaOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
