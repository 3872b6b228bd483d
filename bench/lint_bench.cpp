// Linter benchmarks on a generated 20,000-statement (~1 MB) migration file: the raw
// pg_query_parse of the whole file is the floor; the scan and the full lint are compared to it.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

#include "runner/sql/parse.h"
#include "runner/sql/script.h"
#include "verifier/lint/linter.h"

namespace {

// The same mix as bench/lint/generate.sh (keep the two in step).
const std::string& BigFile() {
  static const std::string kText = [] {
    std::string out;
    for (int i = 0; i < 20000; ++i) {
      const int t = i / 5;
      const std::string n = std::to_string(t);
      switch (i % 5) {
        case 0:
          out += "CREATE TABLE t" + n + " (id bigint PRIMARY KEY, oid bigint NOT NULL, n int);\n";
          break;
        case 1:
          out += "ALTER TABLE t" + n + " ADD COLUMN ts timestamptz DEFAULT now();\n";
          break;
        case 2:
          out += "CREATE INDEX t" + n + "_o_idx ON t" + n + " (oid);\n";
          break;
        case 3:
          out += "ALTER TABLE t" + n +
                 " ADD FOREIGN KEY (oid) REFERENCES users (id) ON DELETE CASCADE;\n";
          break;
        default:
          out += "UPDATE t" + n + " SET n = 1 WHERE n IS NULL;\n";
          break;
      }
    }
    return out;
  }();
  return kText;
}

void BM_RawParseWholeFile(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(stairway::sql::RawParse(BigFile()));
  state.SetBytesProcessed(state.iterations() * BigFile().size());
}
BENCHMARK(BM_RawParseWholeFile)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ScanScript(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(stairway::sql::ScanScript(BigFile()));
  state.SetBytesProcessed(state.iterations() * BigFile().size());
}
BENCHMARK(BM_ScanScript)->Unit(benchmark::kMillisecond)->UseRealTime();

// The linter's parse: chunks of the file, one pg_query_parse each, on every core.
void BM_ParseScript(benchmark::State& state) {
  stairway::sql::ParseOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  options.chunk_bytes = std::max<std::size_t>(64 * 1024, BigFile().size() / (4 * options.threads));
  for (auto _ : state) benchmark::DoNotOptimize(stairway::sql::ParseScript(BigFile(), options));
  state.SetBytesProcessed(state.iterations() * BigFile().size());
}
BENCHMARK(BM_ParseScript)->Unit(benchmark::kMillisecond)->UseRealTime();

// The statement-by-statement path (used after a syntax error and by the applier).
void BM_ScanAndParse(benchmark::State& state) {
  for (auto _ : state) {
    auto scan = stairway::sql::ScanScript(BigFile());
    benchmark::DoNotOptimize(stairway::sql::ParseStatements(BigFile(), scan.statements));
  }
  state.SetBytesProcessed(state.iterations() * BigFile().size());
}
BENCHMARK(BM_ScanAndParse)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Lint(benchmark::State& state) {
  stairway::lint::LintGroup g;
  stairway::lint::LintUnit u;
  u.path = "big.sql";
  u.sql = BigFile();
  g.units.push_back(u);
  for (auto _ : state) benchmark::DoNotOptimize(stairway::lint::Lint({g}, {}));
  state.SetBytesProcessed(state.iterations() * BigFile().size());
}
BENCHMARK(BM_Lint)->Unit(benchmark::kMillisecond)->UseRealTime();

// Many small files (a 400-revision migration set) linted together.
void BM_LintManyFiles(benchmark::State& state) {
  stairway::lint::LintGroup g;
  for (int r = 0; r < 400; ++r) {
    stairway::lint::LintUnit u;
    u.path = "m" + std::to_string(r) + ".sql";
    u.sql = BigFile().substr(static_cast<std::size_t>(r) * 2500, 2500);
    u.sql = u.sql.substr(0, u.sql.rfind('\n') + 1);
    u.role = stairway::lint::LintUnit::Role::kUp;
    u.wrapped = true;
    g.units.push_back(u);
  }
  for (auto _ : state) benchmark::DoNotOptimize(stairway::lint::Lint({g}, {}));
}
BENCHMARK(BM_LintManyFiles)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// `lint_bench --raw-parse FILE` reads FILE and calls pg_query_parse once: the whole-process
// floor bench/lint/compare.sh times next to `stairway lint`. Otherwise the benchmarks run.
int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--raw-parse") {
    std::ifstream in(argv[2], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return stairway::sql::RawParse(text.str()) > 0 ? 0 : 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
