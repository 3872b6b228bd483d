// libFuzzer target over the whole lint path: scanner split, per-statement parse into typed
// views, facts, every rule (style profile included) and suppressions. Must not crash or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "verifier/lint/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stairway::lint::LintGroup group;
  stairway::lint::LintUnit unit;
  unit.path = "fuzz.sql";
  unit.sql.assign(reinterpret_cast<const char*>(data), size);
  unit.role = stairway::lint::LintUnit::Role::kUp;
  unit.wrapped = size % 2 == 0;  // exercise both transaction modes
  group.units.push_back(unit);
  // A second revision over the same text exercises the schema replay across revisions.
  unit.role = stairway::lint::LintUnit::Role::kDown;
  group.units.push_back(unit);
  stairway::lint::LintOptions options;
  options.enable.push_back("all");
  auto report = stairway::lint::Lint({group}, options);
  (void)report;
  return 0;
}
