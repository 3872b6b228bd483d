// Joining shard reports (see merge.h).
#include "verifier/report/merge.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

namespace stairway::report {

namespace {

Error Refuse(std::string message) {
  return Error::Input(std::move(message));
}

bool SameSet(const SetInfo& a, const SetInfo& b) {
  return a.directory == b.directory && a.format == b.format && a.revisions == b.revisions &&
         a.fingerprint == b.fingerprint;
}

std::string Describe(const SetInfo& s) {
  return fmt::format("{} ({}, {} revisions, fingerprint {})", s.directory, s.format, s.revisions,
                     s.fingerprint.substr(0, 12));
}

// Checks that the reports can be joined; orders sharded ones by shard index.
Status CheckJoinable(std::vector<NamedReport>& reports, std::string_view tool_version) {
  const NamedReport& first = reports.front();
  for (const NamedReport& r : reports) {
    if (r.report.written_by.empty()) {
      return Refuse(fmt::format(
          "{}: the report does not say which stairway wrote it (no stairway_version); rerun the "
          "check with this stairway ({})",
          r.origin, tool_version));
    }
    if (r.report.written_by != tool_version) {
      return Refuse(fmt::format(
          "{}: written by stairway {}, and this is stairway {}: merge with the stairway that "
          "wrote the reports, and let every shard use the same one",
          r.origin, r.report.written_by, tool_version));
    }
    if (r.report.command != first.report.command) {
      return Refuse(
          fmt::format("{} is a `{}` report and {} a `{}` one: merge reports of one command",
                      first.origin, first.report.command, r.origin, r.report.command));
    }
    if (r.report.set.has_value() != first.report.set.has_value() ||
        (r.report.set && !SameSet(*r.report.set, *first.report.set))) {
      return Refuse(fmt::format(
          "{} and {} are about different migration sets: {} and {}; merge the shards of one "
          "history, checked out at one commit",
          first.origin, r.origin, first.report.set ? Describe(*first.report.set) : "(none)",
          r.report.set ? Describe(*r.report.set) : "(none)"));
    }
    if (r.report.shard.has_value() != first.report.shard.has_value()) {
      const NamedReport& sharded = r.report.shard ? r : first;
      const NamedReport& whole = r.report.shard ? first : r;
      return Refuse(fmt::format(
          "{} is shard {}/{} and {} is a run without --shard: merge only the N shards of one run",
          sharded.origin, sharded.report.shard->index, sharded.report.shard->count, whole.origin));
    }
    if (r.report.shard && r.report.shard->checks != first.report.shard->checks) {
      return Refuse(fmt::format("{} ran {} and {} ran {}: run every shard with the same options",
                                first.origin, fmt::join(first.report.shard->checks, ", "), r.origin,
                                fmt::join(r.report.shard->checks, ", ")));
    }
    if (r.report.shard && r.report.shard->count != first.report.shard->count) {
      return Refuse(
          fmt::format("{} is shard {}/{} and {} shard {}/{}: merge the shards of one run (one N)",
                      first.origin, first.report.shard->index, first.report.shard->count, r.origin,
                      r.report.shard->index, r.report.shard->count));
    }
  }
  if (!first.report.shard) return {};
  std::stable_sort(reports.begin(), reports.end(), [](const NamedReport& a, const NamedReport& b) {
    return a.report.shard->index < b.report.shard->index;
  });
  const int count = reports.front().report.shard->count;
  const int revisions = reports.front().report.set ? reports.front().report.set->revisions : -1;
  int expected = 1;
  int next_begin = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const ShardInfo& s = *reports[i].report.shard;
    if (i > 0 && s.index == reports[i - 1].report.shard->index) {
      return Refuse(fmt::format("{} and {} are both shard {}/{}: give each shard's report once",
                                reports[i - 1].origin, reports[i].origin, s.index, count));
    }
    if (s.index != expected) {
      return Refuse(fmt::format(
          "shard {}/{} is missing (given: {} report{}): merge the reports of all {} shards, or "
          "the merged report would miss that shard's findings",
          expected, count, reports.size(), reports.size() == 1 ? "" : "s", count));
    }
    if (s.begin != next_begin || s.end < s.begin) {
      return Refuse(fmt::format(
          "{}: shard {}/{} covers revisions [{}, {}), but the shards before it end at {}: the "
          "shards were cut differently (another history or stairway?); rerun them together",
          reports[i].origin, s.index, count, s.begin, s.end, next_begin));
    }
    next_begin = s.end;
    ++expected;
  }
  if (expected <= count) {
    return Refuse(fmt::format(
        "shard {}/{} is missing (given: {} report{}): merge the reports of all {} shards, or the "
        "merged report would miss that shard's findings",
        expected, count, reports.size(), reports.size() == 1 ? "" : "s", count));
  }
  if (revisions >= 0 && next_begin != revisions) {
    return Refuse(fmt::format(
        "the shards cover revisions [0, {}) of {}: the shards were cut differently; rerun them "
        "together",
        next_begin, revisions));
  }
  return {};
}

// The order of the checks in one run: every report lists its steps, and its findings, check
// after check in the order they ran, but a shard may lack a check's findings (or steps). So
// each report's two orders are constraints ("lint before roundtrip"), and the checks come out
// in an order that keeps all of them, earliest seen first among the free ones.
std::vector<std::string> CheckOrder(const std::vector<NamedReport>& reports) {
  std::vector<std::string> checks;  // in order of first appearance
  std::vector<std::pair<std::string, std::string>> before;
  const auto walk = [&](const auto& items) {
    std::vector<std::string> seen;
    for (const auto& item : items) {
      if (!seen.empty() && seen.back() == item.check) continue;
      if (std::find(seen.begin(), seen.end(), item.check) != seen.end()) continue;
      for (const std::string& earlier : seen) before.emplace_back(earlier, item.check);
      seen.push_back(item.check);
      if (std::find(checks.begin(), checks.end(), item.check) == checks.end()) {
        checks.push_back(item.check);
      }
    }
  };
  for (const NamedReport& r : reports) {
    walk(r.report.steps);
    walk(r.report.findings);
  }
  std::vector<std::string> out;
  while (out.size() < checks.size()) {
    const auto placed = [&](const std::string& c) {
      return std::find(out.begin(), out.end(), c) != out.end();
    };
    const std::string* next = nullptr;
    for (const std::string& c : checks) {
      if (placed(c)) continue;
      const bool free = std::none_of(before.begin(), before.end(), [&](const auto& edge) {
        return edge.second == c && !placed(edge.first);
      });
      if (free) {
        next = &c;
        break;
      }
    }
    // Orders that contradict each other (not written by one verify): first appearance.
    if (next == nullptr) {
      for (const std::string& c : checks) {
        if (!placed(c)) {
          next = &c;
          break;
        }
      }
    }
    out.push_back(*next);
  }
  return out;
}

// Items of every report grouped by check in `checks` order, each check's in report order.
template <typename T>
std::vector<T> ByCheck(std::vector<NamedReport>& reports, const std::vector<std::string>& checks,
                       std::vector<T> Report::*member) {
  std::vector<T> out;
  for (const std::string& check : checks) {
    for (NamedReport& r : reports) {
      for (T& item : r.report.*member) {
        if (item.check == check) out.push_back(std::move(item));
      }
    }
  }
  return out;
}

}  // namespace

Expected<Report> MergeReports(std::vector<NamedReport> reports, std::string_view tool_version,
                              const std::optional<std::string>& fail_level) {
  if (reports.empty()) return Refuse("report merge: give the JSON reports to merge");
  if (Status joinable = CheckJoinable(reports, tool_version); !joinable) return joinable.error();
  Report out;
  out.command = reports.front().report.command;
  out.set = reports.front().report.set;
  const bool judged = std::all_of(reports.begin(), reports.end(), [](const NamedReport& r) {
    return r.report.verdict.has_value();
  });
  if (judged || fail_level) {
    Verdict verdict;
    for (const NamedReport& r : reports) {
      if (r.report.verdict) verdict.failed_checks |= r.report.verdict->failed_checks;
    }
    if (fail_level) {
      verdict.fail_level = *fail_level;
    } else {
      verdict.fail_level = reports.front().report.verdict->fail_level;
      for (const NamedReport& r : reports) {
        if (r.report.verdict->fail_level != verdict.fail_level) {
          return Refuse(fmt::format(
              "{} was checked with --fail-level {} and {} with --fail-level {}: pass --fail-level "
              "to `report merge` to judge the merged report",
              reports.front().origin, verdict.fail_level, r.origin, r.report.verdict->fail_level));
        }
      }
    }
    out.verdict = verdict;
  }
  const std::vector<std::string> checks = CheckOrder(reports);
  out.steps = ByCheck(reports, checks, &Report::steps);
  out.findings = ByCheck(reports, checks, &Report::findings);
  for (NamedReport& r : reports) {
    Report rules_only;
    rules_only.rules = std::move(r.report.rules);
    out.Merge(std::move(rules_only));
  }
  return out;
}

}  // namespace stairway::report
