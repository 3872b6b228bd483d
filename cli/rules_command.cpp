// `stairway rules`: lists the lint rules (id, severity, profile, summary); --write-docs
// regenerates docs/rules/ from the text embedded in the rules.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/command.h"
#include "cli/output.h"
#include "runner/common/error.h"
#include "verifier/lint/registry.h"

namespace stairway::cli {

RunFn SetupRules(CLI::App& sub, GlobalOptions&) {
  auto docs_dir = std::make_shared<std::string>();
  sub.add_option("--write-docs", *docs_dir,
                 "Write docs/rules/<id>.md for every rule into this folder");
  return [docs_dir] {
    if (!docs_dir->empty()) {
      std::filesystem::create_directories(*docs_dir);
      for (const lint::Rule* r : lint::AllRules()) {
        const auto path = std::filesystem::path(*docs_dir) / (std::string(r->id) + ".md");
        WriteFileChecked(path.string(), lint::RuleDoc(*r), "rule page");
      }
      return 0;
    }
    fmt::print("{:<32} {:<8} {:<8} {}\n", "RULE", "SEVERITY", "PROFILE", "FLAGS");
    for (const lint::Rule* r : lint::AllRules()) {
      fmt::print("{:<32} {:<8} {:<8} {}\n", r->id, SeverityName(r->severity),
                 r->profile == lint::Profile::kStyle ? "style" : "default", r->summary);
    }
    fmt::print(
        "\nstairway lint --explain <rule> prints a rule's page; style rules are off unless "
        "enabled.\n");
    return 0;
  };
}

}  // namespace stairway::cli
