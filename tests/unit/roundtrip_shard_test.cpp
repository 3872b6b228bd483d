// verify --shard I/N: how the revisions are cut into slices (RevisionCosts, SliceForShard,
// SplitPoint within a share), on in-memory sets; no database.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <numeric>

#include "verifier/roundtrip/roundtrip.h"

namespace stairway::verifier::roundtrip {
namespace {

source::MigrationSet MakeSet(int count, int irreversible_at = -1) {
  source::MigrationSet set;
  set.dir = "migrations";
  for (int i = 0; i < count; ++i) {
    source::Revision rev;
    rev.version = std::to_string(1000 + i);
    rev.name = "step";
    if (i > 0) rev.parents = {set.revisions.back().version};
    rev.up.sql = "SELECT " + std::to_string(i) + ";";
    rev.up.path = "migrations/" + rev.Label() + ".sql";
    if (i != irreversible_at) {
      rev.down = rev.up;
      rev.down->sql = "SELECT -" + std::to_string(i) + ";";
    }
    set.revisions.push_back(std::move(rev));
  }
  return set;
}

// A shard's load as SliceForShard defines it: the ups before its slice, then the slice's cost.
long long Load(const std::vector<int>& costs, ShardSlice s, bool first, int first_extra) {
  long long load = first ? first_extra : 0;
  if (s.begin == s.end) return load;
  load += s.begin;
  for (int i = s.begin; i < s.end; ++i) load += costs[i];
  return load;
}

std::vector<ShardSlice> AllSlices(const std::vector<int>& costs, int count, int first_extra = 0) {
  std::vector<ShardSlice> out;
  for (int i = 1; i <= count; ++i) out.push_back(SliceForShard(costs, i, count, first_extra));
  return out;
}

// The smallest heaviest load over every way to cut `costs` into `count` ordered slices.
long long BestByBruteForce(const std::vector<int>& costs, int count, int first_extra) {
  const int n = static_cast<int>(costs.size());
  long long best = LLONG_MAX;
  std::vector<int> cuts(count + 1, 0);
  cuts[count] = n;
  std::function<void(int)> choose = [&](int k) {
    if (k == count) {
      long long worst = 0;
      for (int s = 0; s < count; ++s) {
        worst = std::max(worst, Load(costs, {cuts[s], cuts[s + 1]}, s == 0, first_extra));
      }
      best = std::min(best, worst);
      return;
    }
    for (int c = cuts[k - 1]; c <= n; ++c) {
      cuts[k] = c;
      choose(k + 1);
    }
  };
  choose(1);
  return best;
}

TEST(RoundtripShard, CostsCountUpOnlyRevisionsAsOneUp) {
  Options options;
  options.skip = {"1001"};
  EXPECT_EQ(RevisionCosts(MakeSet(4, 3), options), (std::vector<int>{4, 1, 4, 1}));
}

TEST(RoundtripShard, SlicesCoverTheSetInOrder) {
  const std::vector<int> costs(12, 4);
  for (int count = 1; count <= 14; ++count) {
    const std::vector<ShardSlice> slices = AllSlices(costs, count);
    int next = 0;
    for (const ShardSlice& s : slices) {
      EXPECT_EQ(s.begin, next) << count << " shards";
      EXPECT_LE(s.begin, s.end);
      next = s.end;
    }
    EXPECT_EQ(next, 12) << count << " shards";
  }
}

TEST(RoundtripShard, OneShardTakesEverything) {
  const ShardSlice s = SliceForShard(std::vector<int>(7, 4), 1, 1);
  EXPECT_EQ(s.begin, 0);
  EXPECT_EQ(s.end, 7);
}

TEST(RoundtripShard, LaterShardsTakeFewerRevisions) {
  // 30 round trips on 3 shards: shard 3 also applies everything before its slice.
  const std::vector<ShardSlice> slices = AllSlices(std::vector<int>(30, 4), 3);
  const auto size = [](ShardSlice s) { return s.end - s.begin; };
  EXPECT_GE(size(slices[0]), size(slices[1]));
  EXPECT_GT(size(slices[1]), size(slices[2]));
  EXPECT_GT(size(slices[2]), 0);
}

TEST(RoundtripShard, HeaviestShardIsAsLightAsAnyCutAllows) {
  // Every small history of round trips (4) and up-only revisions (1), 1 to 4 shards, with and
  // without drift on the first shard.
  for (int n = 0; n <= 7; ++n) {
    for (int mask = 0; mask < (1 << n); ++mask) {
      std::vector<int> costs(n);
      for (int i = 0; i < n; ++i) costs[i] = (mask >> i) & 1 ? 1 : 4;
      for (int count = 1; count <= 4; ++count) {
        for (int extra : {0, n}) {
          const std::vector<ShardSlice> slices = AllSlices(costs, count, extra);
          long long worst = 0;
          for (int s = 0; s < count; ++s) {
            worst = std::max(worst, Load(costs, slices[s], s == 0, extra));
          }
          EXPECT_EQ(worst, BestByBruteForce(costs, count, extra))
              << "n=" << n << " mask=" << mask << " shards=" << count << " extra=" << extra;
        }
      }
    }
  }
}

TEST(RoundtripShard, OutOfRangeShardIsEmpty) {
  const ShardSlice s = SliceForShard(std::vector<int>(5, 4), 4, 3);
  EXPECT_EQ(s.begin, s.end);
}

TEST(RoundtripShard, SplitPointStaysInsideTheShare) {
  const source::MigrationSet set = MakeSet(100);
  Options options;
  options.share_begin = 40;
  options.share_end = 80;
  const int cut = SplitPoint(set, options);
  EXPECT_GT(cut, 40);
  EXPECT_LT(cut, 80);
  // Too few round trips in the share for a second database.
  options.share_begin = 70;
  EXPECT_EQ(SplitPoint(set, options), 0);
  // Without a share, as before: the whole set.
  EXPECT_GT(SplitPoint(set, Options{}), 0);
}

}  // namespace
}  // namespace stairway::verifier::roundtrip
