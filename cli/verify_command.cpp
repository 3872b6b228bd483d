// `stairway verify --roundtrip DIR`: up, down, up for every revision on a throwaway database.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/runner_support.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::cli {

namespace {

namespace roundtrip = verifier::roundtrip;

struct VerifyArgs {
  SourceOptions source;
  bool roundtrip = false;
  std::string server_url;
  bool keep = false;
  bool allow_irreversible = false;
};

// A step's time, "FAILED" for the step that failed, "-" for steps that did not run.
std::string StepCell(const roundtrip::RevisionResult& r,
                     const std::optional<std::chrono::milliseconds>& ms, std::string_view step) {
  if (ms) return FormatMs(*ms);
  return r.failure && r.failed_step == step ? "FAILED" : "-";
}

class RoundtripPrinter : public roundtrip::ProgressListener {
 public:
  explicit RoundtripPrinter(std::size_t width) : width_(width) {}
  void RevisionDone(const roundtrip::RevisionResult& r, int index, int total) override {
    std::string verdict = "ok";
    if (r.failure) {
      verdict = fmt::format("FAILED at {}", r.failed_step);
    } else if (!r.findings.empty()) {
      verdict = fmt::format("{} finding{}", r.findings.size(), r.findings.size() == 1 ? "" : "s");
    } else if (r.irreversible) {
      verdict = "irreversible (no down section)";
    }
    fmt::print("  [{:>{}}/{}] {:<{}}  up {:>8}  down {:>8}  up {:>8}  {}\n", index + 1,
               std::to_string(total).size(), total, r.label, width_, StepCell(r, r.up, "up"),
               StepCell(r, r.down, "down"), StepCell(r, r.reup, "re-up"), verdict);
    for (const std::string& finding : r.findings) fmt::print("      {}\n", finding);
    std::fflush(stdout);
    if (r.failure) fmt::print(stderr, "{}\n", *r.failure);
  }

 private:
  std::size_t width_;
};

int RunVerify(const VerifyArgs& args) {
  const source::MigrationSet set = LoadSet(args.source);
  sandbox::Options sandbox_options;
  if (!args.server_url.empty()) sandbox_options.server_url = args.server_url;
  sandbox_options.keep = args.keep;
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<sandbox::Sandbox> box = sandbox::OpenSandbox(sandbox_options);
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box->CreateDatabase();
  const auto ready = std::chrono::steady_clock::now();
  const auto setup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(ready - started);

  fmt::print(
      "Roundtrip of {} ({} format, {} revisions) on {}: up, down, up for each revision\n",
      set.dir.string(), source::FormatName(set.format), set.revisions.size(),
      args.server_url.empty() ? "a private PostgreSQL cluster" : db::MaskPassword(args.server_url));
  std::size_t width = 8;
  for (const source::Revision& rev : set.revisions) width = std::max(width, rev.Label().size());
  RoundtripPrinter printer(width);
  roundtrip::Options options;
  options.irreversible =
      args.allow_irreversible ? roundtrip::Irreversible::kAllow : roundtrip::Irreversible::kFail;
  roundtrip::Result result;
  {
    db::Session session = db::Session::Connect(database->url());
    result = roundtrip::Run(session, set, options, {}, &printer);
  }
  const int reversible = static_cast<int>(result.revisions.size()) - result.irreversible;
  fmt::print("{}: {} of {} revisions checked, {} reversible, {} irreversible{} in {} (setup {})\n",
             result.failed ? "FAILED" : "Total", result.revisions.size(), set.revisions.size(),
             reversible, result.irreversible,
             result.findings > 0 ? fmt::format(", {} findings", result.findings) : "",
             FormatMs(result.total), FormatMs(setup_ms));
  if (result.irreversible > 0 && !args.allow_irreversible && !result.failed) {
    fmt::print(
        "Irreversible revisions fail the check: add a down section, or pass "
        "--allow-irreversible if they are meant to be one-way.\n");
  }
  if (args.keep) {
    fmt::print("Kept database {}:\n{}\n", database->name(), box->ConnectHelp());
  }
  return result.ExitCode(options.irreversible);
}

}  // namespace

RunFn SetupVerify(CLI::App& sub, GlobalOptions&) {
  auto args = std::make_shared<VerifyArgs>();
  sub.add_option("dir,-d,--dir", args->source.dir, "Migrations directory (env STAIRWAY_DIR)")
      ->envname("STAIRWAY_DIR")
      ->capture_default_str();
  sub.add_option("--format", args->source.format,
                 "Migration format: auto, stairway (dbmate), golang-migrate, flyway, goose")
      ->capture_default_str();
  sub.add_flag("--roundtrip", args->roundtrip,
               "Check that each revision goes up, down and up again (the default check today)");
  sub.add_option("--server-url", args->server_url,
                 "Use temporary databases on this server instead of a private cluster");
  sub.add_flag("--keep", args->keep, "Keep the throwaway database and print how to connect");
  sub.add_flag("--allow-irreversible", args->allow_irreversible,
               "Do not fail on revisions without a down section");
  sub.footer(
      "Needs nothing running: starts a private PostgreSQL cluster in a temp directory (initdb,\n"
      "socket only) and removes it on exit, error, Ctrl-C and SIGTERM. For each revision from\n"
      "base: up, down, up; every step must succeed.\n"
      "\n"
      "Examples:\n"
      "  stairway verify --roundtrip migrations\n"
      "  stairway verify --roundtrip db/migrations --format golang-migrate\n"
      "  stairway verify --roundtrip migrations --keep          inspect the result afterwards\n"
      "  stairway verify --roundtrip migrations --server-url "
      "postgresql://postgres@localhost/postgres\n"
      "\n"
      "Exit codes: 0 ok, 1 irreversible revisions (unless --allow-irreversible) or findings,\n"
      "2 bad input, 3 a step failed or the database could not start.");
  return [args] { return RunVerify(*args); };
}

}  // namespace stairway::cli
