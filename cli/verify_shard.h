// verify --shard I/N: which revisions one CI job round-trips and lints, and the report fields
// (`set`, `shard`) that let `stairway report merge` join the jobs' JSON reports into one.
#pragma once

#include <optional>
#include <string>

#include "runner/source/migration.h"
#include "verifier/report/report.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::cli {

struct ShardArg {
  int index = 1;  // 1-based
  int count = 1;
};

// "2/3" -> {2, 3}; empty -> nullopt. StopError(kInput) for anything but I/N with 1 <= I <= N.
std::optional<ShardArg> ParseShard(const std::string& text);

// The set's identity for the report: directory, format, revision count, fingerprint.
report::SetInfo DescribeSet(const source::MigrationSet& set);

// Keeps the steps and findings of shard `shard` of `report`: those of the revision files in
// `slice`; those of no revision file (whole-set findings, drift's model) only in shard 1. A
// revision before the slice that failed its up (the shard applies those) is the business of
// the shard that round-trips it, so merged shards report it once, as one run does.
void KeepShard(report::Report& report, const source::MigrationSet& set,
               verifier::roundtrip::ShardSlice slice, const ShardArg& shard);

}  // namespace stairway::cli
