// `stairway diff A B`: compares two catalog snapshots, each a database URL, a snapshot file or a
// migration directory at a revision; one line per difference, exit 1 when they differ.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <future>
#include <memory>

#include "cli/runner_support.h"
#include "cli/snapshot_flags.h"
#include "verifier/schema/diff.h"
#include "verifier/schema/sources.h"

namespace stairway::cli {

namespace {

struct DiffArgs {
  std::string a, b;
  bool fail_on_soft = true;
  bool compare_owners = false;
  SnapshotFlags flags;
};

int RunDiff(const GlobalOptions& global, const DiffArgs& args) {
  // Both sources are parsed before anything connects or builds, so a typo costs nothing.
  schema::SnapshotSource a = schema::ParseSnapshotSource(args.a).ValueOrThrow();
  schema::SnapshotSource b = schema::ParseSnapshotSource(args.b).ValueOrThrow();
  const source::Format format = ParseFormatFlag(args.flags);
  // Migration directories are loaded and their revisions checked before either side starts
  // anything: an unknown revision on one side must not cost a cluster for the other.
  schema::PrepareSnapshotSource(a, format);
  schema::PrepareSnapshotSource(b, format);
  if (args.compare_owners && args.flags.ignore_owners) {
    throw StopError(Error::Input(
        "--compare-owners and --ignore-owners contradict each other: owners are left out by "
        "default, so drop --ignore-owners"));
  }
  schema::SnapshotOptions options = MakeSnapshotOptions(args.flags);
  // Owners usually differ between environments (and `drift` leaves them out too): compared only
  // when asked for.
  options.owners = args.compare_owners ? schema::Owners::kCompare : schema::Owners::kIgnore;
  schema::LazySandbox box(MakeSandboxOptions(args.flags));
  // The two sides are loaded side by side (each is mostly server time): two databases read, or
  // two migration directories built on two throwaway databases of one sandbox. The first side
  // that needs the sandbox opens it; the other waits for it.
  // A database URL side is connected with --wait's retry (cli/connect_wait.h).
  std::future<schema::Snapshot> later_a = std::async(std::launch::async, [&] {
    return schema::LoadSnapshot(a, box, options, format, ConnectToUserDatabase);
  });
  const schema::Snapshot snap_b =
      schema::LoadSnapshot(b, box, options, format, ConnectToUserDatabase);
  const schema::Snapshot snap_a = later_a.get();

  schema::CompareOptions compare;
  compare.owners = options.owners;
  const std::vector<schema::Difference> diffs = schema::Compare(snap_a, snap_b, compare);
  if (diffs.empty()) {
    if (!global.quiet) fmt::print(stderr, "no differences between A and B\n");
    return 0;
  }
  fmt::print("A: {}\nB: {}\n", a.label, b.label);
  int soft = 0;
  for (const schema::Difference& d : diffs) {
    // "[soft]" ends the difference's first line (a body's diff follows on the next lines).
    std::string text = schema::Render(d);
    if (d.severity == schema::Severity::kSoft)
      text.insert(std::min(text.find('\n'), text.size()), " [soft]");
    fmt::print("{}\n", text);
    soft += d.severity == schema::Severity::kSoft ? 1 : 0;
  }
  std::fflush(stdout);
  fmt::print(stderr, "{} difference{}{}\n", diffs.size(), diffs.size() == 1 ? "" : "s",
             soft > 0 ? fmt::format(" ({} soft: column order, renamed constraint/index, or a "
                                    "function body's whitespace "
                                    "and comments)",
                                    soft)
                      : "");
  if (soft == static_cast<int>(diffs.size()) && !args.fail_on_soft) return 0;
  return static_cast<int>(ExitCode::kFindings);
}

}  // namespace

RunFn SetupDiff(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<DiffArgs>();
  sub.add_option("a", args->a, "First side: database URL, snapshot .json file, or DIR@REV")
      ->required();
  sub.add_option("b", args->b, "Second side, same forms")->required();
  sub.add_flag("!--allow-soft", args->fail_on_soft,
               "Exit 0 when the only differences are soft (column order, renamed "
               "constraints/indexes)");
  AddSnapshotFlags(sub, args->flags);
  sub.get_option("--ignore-owners")
      ->description("Leave object owners out (the default for diff; kept for scripts)");
  sub.add_flag("--compare-owners", args->compare_owners,
               "Also compare object owners (off by default, as in drift: owners usually differ "
               "between environments)");
  sub.footer(
      "Compares the full catalogs object by object and prints one line per difference, e.g.\n"
      "  type public.message_role (enum 'user','assistant') is only in B\n"
      "  index public.chat_messages_thread_idx: valid in A, INVALID in B\n"
      "  column public.users.bio: type text in A, character varying(200) in B\n"
      "Column order and renamed constraints/indexes (same definition) are marked [soft].\n"
      "Owners are left out unless --compare-owners is given; grants always compare, with each\n"
      "object's owner written as <owner> (as in drift).\n"
      "\n"
      "Examples:\n"
      "  stairway diff postgresql://app@prod/app migrations@head\n"
      "  stairway diff before.json after.json\n"
      "  stairway diff migrations@0003 migrations@0004\n"
      "\n"
      "Exit codes: 0 equal, 1 different, 2 bad input, 3 database error or a migration failed.");
  return [&global, args] { return RunDiff(global, *args); };
}

}  // namespace stairway::cli
