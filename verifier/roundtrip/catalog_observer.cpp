// Strict roundtrip: compares full catalog snapshots S0/S0' and S1/S1' (see catalog_observer.h).
#include "verifier/roundtrip/catalog_observer.h"

#include <fmt/format.h>

#include "verifier/schema/diff.h"

namespace stairway::verifier::roundtrip {

void ReportDifferences(PhaseContext& context, const std::vector<schema::Difference>& diffs,
                       Phase phase) {
  const std::string label = context.revision.Label();
  for (const schema::Difference& d : diffs) {
    std::string line;
    std::string rule;
    if (phase == Phase::kAfterDown) {
      rule = "roundtrip-down-leftover";
      schema::Wording w{"before up", "after down", "down dropped {object}, which existed before up",
                        "down left behind {object}"};
      const std::string text = schema::Render(d, w);
      line = d.change == schema::Change::kOnlyInA || d.change == schema::Change::kOnlyInB
                 ? fmt::format("{}: {}", label, text)
                 : fmt::format("{}: down did not restore {}", label, text);
    } else {
      rule = "roundtrip-reup-differs";
      schema::Wording w{"in S1", "in S1'", "{object} is missing after re-up",
                        "{object} appears only after re-up"};
      line = fmt::format("{}: re-up differs: {}", label, schema::Render(d, w));
    }
    if (d.severity == schema::Severity::kSoft) {
      context.AddSoft(std::move(line), d.kind, d.identity);
    } else {
      context.Add(rule, std::move(line), d.kind, d.identity);
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
      const schema::Snapshot s0_after = Take(context.session);
      ReportDifferences(context, schema::Compare(*s0_, s0_after), Phase::kAfterDown);
      break;
    }
    case Phase::kAfterReUp: {
      schema::Snapshot s1_after = Take(context.session);
      ReportDifferences(context, schema::Compare(*s1_, s1_after), Phase::kAfterReUp);
      s1_ = std::move(s1_after);  // the next revision's S0
      break;
    }
  }
}

}  // namespace stairway::verifier::roundtrip
