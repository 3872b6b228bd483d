// Target resolution and step planning.
#include "runner/planner/planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "runner/planner/alembic_plan.h"

namespace stairway::planner {

using source::MigrationSet;
using source::Revision;

// Plain Levenshtein distance; sets are small (hundreds of revisions), so O(n*m) is fine.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

int ParseRelative(std::string_view text, char sign) {
  if (text.size() < 2 || text[0] != sign || !IsDigits(text.substr(1))) return 0;
  int n = 0;
  auto [ptr, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size()) return 0;
  return n;
}

namespace {

std::string CloseMatches(const MigrationSet& set, std::string_view text) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const Revision& rev : set.revisions) {
    const std::string label = rev.Label();
    std::size_t d = std::min(EditDistance(text, rev.version), EditDistance(text, label));
    const bool contains = !text.empty() && label.find(text) != std::string::npos;
    const std::size_t limit = std::max<std::size_t>(1, text.size() / 4);
    if (contains) d = 0;
    if (d <= limit) scored.emplace_back(d, label);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) {
    if (i > 0) out += ", ";
    out += scored[i].second;
  }
  return out;
}

std::string RangeText(const MigrationSet& set) {
  if (set.revisions.empty()) return fmt::format("{} has no revisions", set.dir.string());
  return fmt::format("{} has revisions {} to {}", set.dir.string(), set.revisions.front().Label(),
                     set.revisions.back().Label());
}

std::string LabelOrBase(const Revision* rev) {
  return rev ? rev->Label() : "base";
}

const Revision* NewestApplied(const MigrationSet& set, const AppliedSet& applied) {
  const Revision* newest = nullptr;
  for (const Revision& rev : set.revisions) {
    if (applied.count(rev.version)) newest = &rev;
  }
  return newest;
}

}  // namespace

Expected<const Revision*> ResolveRevision(const MigrationSet& set, std::string_view text) {
  if (set.format == source::Format::kAlembic) return ResolveAlembicRevision(set, text);
  // The SQL formats are linear: head and heads both name the last revision (nullptr, base, for
  // an empty set).
  if (text == "head" || text == "heads") {
    return set.revisions.empty() ? nullptr : &set.revisions.back();
  }
  for (const Revision& rev : set.revisions) {
    if (rev.version == text || rev.Label() == text) return &rev;
  }
  // "3" for "0003": only when the match is unique.
  const Revision* numeric = nullptr;
  int count = 0;
  if (IsDigits(text)) {
    for (const Revision& rev : set.revisions) {
      if (IsDigits(rev.version) && source::CompareVersions(rev.version, text) == 0) {
        numeric = &rev;
        ++count;
      }
    }
  }
  if (count == 1) return numeric;
  // A unique prefix of a version or label ("2024031" for "20240315120000", "0003_cre"):
  // ambiguous prefixes list every candidate rather than picking one.
  std::vector<const Revision*> prefixed;
  if (!text.empty()) {
    for (const Revision& rev : set.revisions) {
      if (rev.version.starts_with(text) || rev.Label().starts_with(text)) prefixed.push_back(&rev);
    }
  }
  if (prefixed.size() == 1) return prefixed.front();
  if (prefixed.size() > 1) {
    constexpr std::size_t kListed = 10;
    std::string names;
    for (std::size_t i = 0; i < prefixed.size() && i < kListed; ++i) {
      if (i > 0) names += ", ";
      names += prefixed[i]->Label();
    }
    if (prefixed.size() > kListed) names += fmt::format(" and {} more", prefixed.size() - kListed);
    return Error::Input(fmt::format(
        "ambiguous revision \"{}\": it is the start of {} revisions ({}); give more of it", text,
        prefixed.size(), names));
  }
  const std::string close = CloseMatches(set, text);
  if (!close.empty()) {
    return Error::Input(
        fmt::format("unknown revision \"{}\": did you mean {}? ({})", text, close, RangeText(set)));
  }
  return Error::Input(fmt::format(
      "unknown revision \"{}\": {} (run `stairway status` to list them)", text, RangeText(set)));
}

AppliedSet AppliedThrough(const MigrationSet& set, const Revision* rev) {
  AppliedSet out;
  if (rev == nullptr) return out;
  if (set.format == source::Format::kAlembic) return AlembicAncestorsInclusive(set, *rev);
  for (const Revision& r : set.revisions) {
    out.insert(r.version);
    if (&r == rev) break;
  }
  return out;
}

Expected<Plan> PlanUpgrade(const MigrationSet& set, const AppliedSet& applied,
                           std::string_view target) {
  if (set.format == source::Format::kAlembic) return PlanAlembicUpgrade(set, applied, target);
  Plan plan;
  plan.direction = Direction::kUp;
  std::vector<const Revision*> pending;
  for (const Revision& rev : set.revisions) {
    if (!applied.count(rev.version)) pending.push_back(&rev);
  }
  std::size_t take = pending.size();
  if (target.empty() || target == "head" || target == "heads") {
    // every pending revision
  } else if (target.starts_with('-')) {
    return Error::Input(fmt::format(
        "upgrade target \"{}\" goes backwards: use `stairway downgrade {}`", target, target));
  } else if (target.starts_with('+')) {
    const int n = ParseRelative(target, '+');
    if (n <= 0) {
      return Error::Input(fmt::format(
          "bad upgrade target \"{}\": expected head, a revision, or +N with N >= 1", target));
    }
    // Nothing pending is not an error: as with head, there is nothing to do (another runner may
    // have applied what was pending while this one waited for the lock).
    if (static_cast<std::size_t>(n) > pending.size() && !pending.empty()) {
      return Error::Input(fmt::format("cannot upgrade {}: only {} revision{} pending", target,
                                      pending.size(), pending.size() == 1 ? " is" : "s are"));
    }
    take = std::min(static_cast<std::size_t>(n), pending.size());
  } else {
    ASSIGN_OR_RETURN(const Revision* rev, ResolveRevision(set, target));
    const int index = set.IndexOf(rev->version);
    take = 0;
    while (take < pending.size() && set.IndexOf(pending[take]->version) <= index) ++take;
  }
  for (std::size_t i = 0; i < take; ++i) plan.steps.push_back({pending[i], Direction::kUp});
  AppliedSet after = applied;
  for (const Step& s : plan.steps) after.insert(s.revision->version);
  plan.target_label = LabelOrBase(NewestApplied(set, after));
  return plan;
}

Expected<Plan> PlanDowngrade(const MigrationSet& set, const AppliedSet& applied,
                             std::string_view target) {
  if (set.format == source::Format::kAlembic) return PlanAlembicDowngrade(set, applied, target);
  Plan plan;
  plan.direction = Direction::kDown;
  std::vector<const Revision*> undo;  // newest first
  for (auto it = set.revisions.rbegin(); it != set.revisions.rend(); ++it) {
    if (applied.count(it->version)) undo.push_back(&*it);
  }
  std::size_t take = 0;
  if (target.empty()) {
    return Error::Input(
        "downgrade needs a target: -1 (undo the newest revision), -N, base, or a "
        "revision to go back to");
  } else if (target == "base") {
    take = undo.size();
  } else if (target.starts_with('+')) {
    return Error::Input(fmt::format(
        "downgrade target \"{}\" goes forwards: use `stairway upgrade {}`", target, target));
  } else if (target.starts_with('-')) {
    const int n = ParseRelative(target, '-');
    if (n <= 0) {
      return Error::Input(fmt::format(
          "bad downgrade target \"{}\": expected -N with N >= 1, base, or a revision", target));
    }
    if (static_cast<std::size_t>(n) > undo.size()) {
      return Error::Input(fmt::format("cannot downgrade {}: only {} revision{} applied", target,
                                      undo.size(), undo.size() == 1 ? " is" : "s are"));
    }
    take = static_cast<std::size_t>(n);
  } else {
    ASSIGN_OR_RETURN(const Revision* rev, ResolveRevision(set, target));
    const int index = rev ? set.IndexOf(rev->version) : -1;
    while (take < undo.size() && set.IndexOf(undo[take]->version) > index) ++take;
  }
  for (std::size_t i = 0; i < take; ++i) {
    const Revision* rev = undo[i];
    if (!rev->down) {
      return Error::Input(fmt::format(
          "{}: cannot downgrade past {}: it has no down section (irreversible); nothing was "
          "undone. Downgrade to {} at most, or undo it by hand and run `stairway stamp {}`",
          rev->up.path.string(), rev->Label(), rev->Label(),
          LabelOrBase(set.IndexOf(rev->version) > 0 ? &set.revisions[set.IndexOf(rev->version) - 1]
                                                    : nullptr)));
    }
    plan.steps.push_back({rev, Direction::kDown});
  }
  AppliedSet after = applied;
  for (const Step& s : plan.steps) after.erase(s.revision->version);
  plan.target_label = LabelOrBase(NewestApplied(set, after));
  return plan;
}

std::vector<const Revision*> Heads(const MigrationSet& set) {
  std::vector<const Revision*> heads;
  for (const std::string& version : set.Heads()) {
    if (const Revision* rev = set.Find(version)) heads.push_back(rev);
  }
  return heads;
}

std::string_view RevisionStateName(RevisionState s) {
  switch (s) {
    case RevisionState::kPending:
      return "pending";
    case RevisionState::kApplied:
      return "applied";
    case RevisionState::kEdited:
      return "edited";
    case RevisionState::kFailed:
      return "failed";
    case RevisionState::kRunning:
      return "running";
  }
  return "pending";
}

bool Reconciled::HasProblems() const {
  if (!unknown.empty()) return true;
  return std::any_of(revisions.begin(), revisions.end(), [](const RevisionStatus& s) {
    return s.state == RevisionState::kEdited || s.state == RevisionState::kFailed ||
           s.state == RevisionState::kRunning;
  });
}

Reconciled Reconcile(const MigrationSet& set, const std::vector<history::Row>& rows) {
  std::map<std::string, const history::Row*, std::less<>> by_version;
  for (const history::Row& row : rows) by_version[row.version] = &row;
  Reconciled out;
  for (const Revision& rev : set.revisions) {
    RevisionStatus status{&rev, RevisionState::kPending, nullptr};
    auto it = by_version.find(rev.version);
    if (it != by_version.end()) {
      const history::Row* row = it->second;
      status.row = row;
      switch (row->state) {
        case history::State::kApplied:
          status.state =
              row->checksum == rev.checksum ? RevisionState::kApplied : RevisionState::kEdited;
          out.applied.insert(rev.version);
          out.current = &rev;
          break;
        case history::State::kFailed:
          status.state = RevisionState::kFailed;
          break;
        case history::State::kRunning:
          status.state = RevisionState::kRunning;
          break;
      }
      by_version.erase(it);
    }
    out.revisions.push_back(status);
  }
  for (const history::Row& row : rows) {
    if (by_version.count(row.version)) out.unknown.push_back(&row);
  }
  return out;
}

}  // namespace stairway::planner
