// verify --shard I/N (see verify_shard.h and docs/roundtrip.md).
#include "cli/verify_shard.h"

#include <fmt/format.h>

#include <charconv>
#include <unordered_map>

#include "runner/common/checksum.h"
#include "runner/common/error.h"

namespace stairway::cli {

namespace {

std::optional<int> Number(std::string_view text) {
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

}  // namespace

std::optional<ShardArg> ParseShard(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const std::size_t slash = text.find('/');
  const std::optional<int> index =
      slash == std::string::npos ? std::nullopt : Number(std::string_view(text).substr(0, slash));
  const std::optional<int> count =
      slash == std::string::npos ? std::nullopt : Number(std::string_view(text).substr(slash + 1));
  if (!index || !count) {
    throw StopError(Error::Input(fmt::format(
        "--shard {}: give I/N, this job's number and the number of jobs (--shard 2/3)", text)));
  }
  if (*count < 1) {
    throw StopError(
        Error::Input(fmt::format("--shard {}: N, the number of jobs, must be 1 or more", text)));
  }
  if (*index < 1 || *index > *count) {
    throw StopError(Error::Input(fmt::format(
        "--shard {}: I counts from 1 to N ({}): the jobs are --shard 1/{} to --shard {}/{}", text,
        *count, *count, *count, *count)));
  }
  return ShardArg{*index, *count};
}

report::SetInfo DescribeSet(const source::MigrationSet& set) {
  // Labels, ups and downs: shards of one history checked out at two commits differ here.
  std::string identity;
  for (const source::Revision& rev : set.revisions) {
    identity +=
        fmt::format("{}\n{}\n{}\n{}\n", rev.Label(), rev.checksum, MigrationChecksum(rev.up.sql),
                    rev.down ? MigrationChecksum(rev.down->sql) : std::string("-"));
  }
  return {set.dir.string(), std::string(source::FormatName(set.format)),
          static_cast<int>(set.revisions.size()), Sha256Hex(identity)};
}

void KeepShard(report::Report& report, const source::MigrationSet& set,
               verifier::roundtrip::ShardSlice slice, const ShardArg& shard) {
  // Files by their normal form: the roundtrip names an Alembic file "./alembic/versions/a1.py",
  // its lint "alembic/versions/a1.py".
  const auto key = [](const std::filesystem::path& p) { return p.lexically_normal().string(); };
  std::unordered_map<std::string, int> revision_of;  // file -> index of its revision
  for (int i = 0; i < static_cast<int>(set.revisions.size()); ++i) {
    const source::Revision& rev = set.revisions[i];
    revision_of.emplace(key(rev.up.path), i);
    if (rev.down) revision_of.emplace(key(rev.down->path), i);
  }
  const auto mine = [&](const std::string& path) {
    const auto it = revision_of.find(key(path));
    if (it == revision_of.end()) return shard.index == 1;
    return it->second >= slice.begin && it->second < slice.end;
  };
  std::erase_if(report.steps, [&](const report::Step& s) { return !mine(s.path); });
  std::erase_if(report.findings, [&](const report::Finding& f) { return !mine(f.path); });
}

}  // namespace stairway::cli
