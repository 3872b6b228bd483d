// Strict roundtrip: compares full catalog snapshots S0/S0' and S1/S1' (see catalog_observer.h).
#include "verifier/roundtrip/catalog_observer.h"

#include <fmt/format.h>

#include "verifier/schema/diff.h"
#include "verifier/schema/line_diff.h"

namespace stairway::verifier::roundtrip {

namespace {

const schema::Wording kDownWording{"before up", "after down", "{object} is missing after down",
                                   "{object} is left after down"};
const schema::Wording kReUpWording{"after the first up", "after re-up",
                                   "{object} is missing after re-up",
                                   "{object} appears only after re-up"};

const schema::Value* AttributeOf(const schema::Object* o, const std::string& attribute) {
  if (o == nullptr) return nullptr;
  auto it = o->attributes.find(attribute);
  return it == o->attributes.end() ? nullptr : &it->second;
}

bool SameValue(const schema::Value* v, const std::optional<schema::Value>& w) {
  return v == nullptr ? !w.has_value() : w.has_value() && *v == *w;
}

// What a difference between S0 and S0' says happened, in words: which step did what to the
// object. `after_up` (S1) tells the up's doing from the down's; without it the line says only
// what differs.
std::string DescribeDownDifference(const schema::Difference& d, const schema::Snapshot* after_up) {
  const schema::Object* in_s1 = after_up ? after_up->Find(d.kind, d.identity) : nullptr;
  const std::string object = schema::DescribeObject(d);
  switch (d.change) {
    case schema::Change::kOnlyInA:
      if (after_up == nullptr) return object + " existed before up and is missing after down";
      if (in_s1 == nullptr) return "up dropped " + object + " and down did not recreate it";
      return "down dropped " + object + ", which existed before up";
    case schema::Change::kOnlyInB:
      if (after_up != nullptr && in_s1 == nullptr) {
        return "down created " + object + ", which did not exist before up";
      }
      return "down left behind " + object;
    case schema::Change::kRenamed:
      return fmt::format("down recreated {} {} as {} (same definition, another name)", d.kind,
                         d.identity, d.renamed_to);
    case schema::Change::kChanged:
      break;
  }
  if (d.attribute == "column_order") {
    // S1's order tells whether the up or the down moved them; the line reads the same.
    return schema::Render(d, kDownWording);
  }
  const std::string name = d.kind + " " + d.identity;
  if (schema::IsLayoutOnly(d)) {
    // The same tokens: the down put the body back as it was but for its layout.
    return fmt::format("down restored {} with other whitespace and comments in its body:\n{}", name,
                       schema::UnifiedDiff(std::get<std::string>(*d.a), std::get<std::string>(*d.b),
                                           "before up", "after down"));
  }
  const std::string change = schema::RenderAttributeChange(d, kDownWording);
  if (after_up == nullptr) return fmt::format("down did not restore {}: {}", name, change);
  if (in_s1 == nullptr) {
    return fmt::format("up dropped {} and down recreated it differently: {}", name, change);
  }
  const schema::Value* after_up_value = AttributeOf(in_s1, d.attribute);
  if (SameValue(after_up_value, d.b)) {
    return fmt::format("up changed {} and down did not change it back: {}", name, change);
  }
  if (SameValue(after_up_value, d.a)) {
    return fmt::format("down changed {}, which up had not changed: {}", name, change);
  }
  return fmt::format("down did not restore {}: {}", name, change);
}

const schema::Object* Find(const schema::Snapshot& s, const schema::Difference& d,
                           const std::string& identity) {
  return s.Find(d.kind, identity);
}

// Whether a re-up difference (S1 against S1') is the down's doing, already reported: the object
// stands in S1' as the down left it (S0'), and that is not as it stood before up (S0).
bool ExplainedByDown(const schema::Difference& d, const Catalogs& catalogs) {
  if (catalogs.before_up == nullptr || catalogs.after_down == nullptr) return false;
  const schema::Snapshot& s0 = *catalogs.before_up;
  const schema::Snapshot& s0_after = *catalogs.after_down;
  switch (d.change) {
    case schema::Change::kOnlyInA:  // gone after re-up: the down dropped it, the re-up did not
      return Find(s0, d, d.identity) != nullptr && Find(s0_after, d, d.identity) == nullptr;
    case schema::Change::kOnlyInB:  // only after re-up: the down made it, the re-up kept it
      return Find(s0, d, d.identity) == nullptr && Find(s0_after, d, d.identity) != nullptr;
    case schema::Change::kRenamed:
      return Find(s0, d, d.renamed_to) == nullptr && Find(s0_after, d, d.renamed_to) != nullptr;
    case schema::Change::kChanged:
      break;
  }
  if (d.attribute == "column_order") return false;
  const schema::Object* before = Find(s0, d, d.identity);
  const schema::Object* after_down = Find(s0_after, d, d.identity);
  if (before == nullptr || after_down == nullptr) return false;
  const schema::Value* down_value = AttributeOf(after_down, d.attribute);
  return SameValue(down_value, d.b) && !SameValue(AttributeOf(before, d.attribute), d.b);
}

}  // namespace

void ReportDifferences(PhaseContext& context, const std::vector<schema::Difference>& diffs,
                       Phase phase, const Catalogs& catalogs) {
  const std::string label = context.revision.Label();
  const schema::Snapshot* after_up = catalogs.after_up;
  for (const schema::Difference& d : diffs) {
    const bool down = phase == Phase::kAfterDown;
    if (!down && ExplainedByDown(d, catalogs)) continue;
    std::string line =
        down ? fmt::format("{}: {}", label, DescribeDownDifference(d, after_up))
             : fmt::format("{}: re-up differs: {}", label, schema::Render(d, kReUpWording));
    if (schema::IsLayoutOnly(d)) {
      context.AddNote("roundtrip-body-layout", std::move(line), d.kind, d.identity);
    } else if (d.severity == schema::Severity::kSoft) {
      context.AddSoft(std::move(line), d.kind, d.identity);
    } else {
      context.Add(down ? "roundtrip-down-leftover" : "roundtrip-reup-differs", std::move(line),
                  d.kind, d.identity);
    }
  }
}

schema::Snapshot CatalogObserver::Take(db::Session& session) {
  ++snapshots_taken_;
  return schema::TakeSnapshot(session);
}

void CatalogObserver::AtPhase(PhaseContext& context) {
  switch (context.phase) {
    case Phase::kBefore:
      // S0 is the previous revision's S1' when that one was round-tripped; up-only revisions
      // take no snapshots at all.
      if (!context.round_trip) {
        s0_.reset();
        s1_.reset();
        break;
      }
      if (!s1_) s1_ = Take(context.session);
      s0_ = std::move(s1_);
      s1_.reset();
      break;
    case Phase::kAfterUp:
      if (context.round_trip) s1_ = Take(context.session);
      break;
    case Phase::kAfterDown: {
      s0_after_ = Take(context.session);
      ReportDifferences(context, schema::Compare(*s0_, *s0_after_), Phase::kAfterDown,
                        {&*s0_, &*s1_, nullptr});
      break;
    }
    case Phase::kAfterReUp: {
      schema::Snapshot s1_after = Take(context.session);
      ReportDifferences(context, schema::Compare(*s1_, s1_after), Phase::kAfterReUp,
                        {&*s0_, &*s1_, &*s0_after_});
      s0_after_.reset();
      s1_ = std::move(s1_after);  // the next revision's S0
      break;
    }
  }
}

}  // namespace stairway::verifier::roundtrip
