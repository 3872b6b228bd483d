// Drift findings without a database: CompareSnapshots on hand-built catalogs (object, rule,
// difference, model location, soft), the line `stairway drift` prints, and ToReport (the report
// finding's object, place and step, and the rules it lists).
#include <gtest/gtest.h>

#include "verifier/drift/drift.h"

namespace stairway::verifier::drift {
namespace {

schema::Object Obj(std::string kind, std::string identity, std::string parent_kind,
                   std::string parent, std::map<std::string, schema::Value> attributes = {}) {
  return {std::move(kind), std::move(identity), std::move(parent_kind), std::move(parent),
          std::move(attributes)};
}

schema::Snapshot Snap(std::vector<schema::Object> objects) {
  schema::Snapshot s;
  s.objects = std::move(objects);
  s.Sort();
  return s;
}

schema::Object Items() {
  return Obj("table", "public.items", "schema", "public");
}
schema::Object Note(std::string type) {
  return Obj("column", "public.items.note", "table", "public.items",
             {{"type", std::move(type)}, {"not_null", "false"}, {"position", "1"}});
}

TEST(DriftFindings, EachDifferenceIsOneFindingAboutItsObject) {
  const schema::Snapshot migrations = Snap({Items(), Note("text")});
  const schema::Snapshot model = Snap(
      {Items(), Note("character varying(20)"), Obj("table", "public.extra", "schema", "public")});
  const std::vector<Finding> findings =
      CompareSnapshots(migrations, model, "the model", schema::Owners::kIgnore);
  ASSERT_EQ(findings.size(), 2u);

  const Finding& extra = findings[0];
  EXPECT_EQ(extra.rule, "drift");
  EXPECT_EQ(extra.object_kind, "table");
  EXPECT_EQ(extra.object, "public.extra");
  ASSERT_TRUE(extra.difference.has_value());
  EXPECT_EQ(extra.difference->change, schema::Change::kOnlyInB);
  EXPECT_EQ(extra.message, "table public.extra is in the model but not in the migrations");
  EXPECT_EQ(extra.severity, Severity::kError);
  EXPECT_FALSE(extra.soft);
  EXPECT_FALSE(extra.location.has_value());

  const Finding& type = findings[1];
  EXPECT_EQ(type.object_kind, "column");
  EXPECT_EQ(type.object, "public.items.note");
  ASSERT_TRUE(type.difference.has_value());
  EXPECT_EQ(type.difference->change, schema::Change::kChanged);
  EXPECT_EQ(type.difference->attribute, "type");
  EXPECT_EQ(type.message,
            "column public.items.note: type text in the migrations, character varying(20) in "
            "the model");
  EXPECT_EQ(Line(type), type.message);
}

TEST(DriftFindings, ADifferenceInAModelTableGetsTheTablesLocation) {
  const schema::Snapshot migrations = Snap({Items(), Note("text")});
  const schema::Snapshot model = Snap({Items(), Note("bigint")});
  const std::map<std::string, Location> sources = {{"public.items", {"app/models.py", 24}}};
  const std::vector<Finding> findings =
      CompareSnapshots(migrations, model, "the model", schema::Owners::kIgnore, sources);
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].location.has_value());
  EXPECT_EQ(findings[0].location->path, "app/models.py");
  EXPECT_EQ(findings[0].location->line, 24);
  // The text `stairway drift` printed before findings were structured.
  EXPECT_EQ(Line(findings[0]),
            "column public.items.note: type text in the migrations, bigint in the model (model: "
            "app/models.py:24)");
}

TEST(DriftFindings, ASoftDifferenceIsMarkedButStillDrift) {
  const schema::Snapshot migrations =
      Snap({Items(), Obj("constraint", "public.items.items_a_key", "table", "public.items",
                         {{"definition", "UNIQUE (a)"}})});
  const schema::Snapshot model =
      Snap({Items(), Obj("constraint", "public.items.items_a_key1", "table", "public.items",
                         {{"definition", "UNIQUE (a)"}})});
  const std::vector<Finding> findings =
      CompareSnapshots(migrations, model, "the model", schema::Owners::kIgnore);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].soft);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_EQ(findings[0].object, "public.items.items_a_key");
  EXPECT_TRUE(Line(findings[0]).ends_with(" [soft]")) << Line(findings[0]);
  EXPECT_FALSE(findings[0].message.ends_with(" [soft]"));
}

Finding About(std::string rule, std::string kind, std::string object, std::string message,
              std::optional<Location> location = std::nullopt) {
  Finding f;
  f.rule = std::move(rule);
  f.object_kind = std::move(kind);
  f.object = std::move(object);
  f.message = std::move(message);
  f.location = std::move(location);
  return f;
}

Result SampleResult() {
  Result result;
  result.other_label = "the model (env.py target_metadata)";
  result.migrations_label = "./alembic at head";
  result.findings.push_back(
      About("drift", "column", "public.users.nickname",
            "column public.users.nickname: type a in the migrations, b in the model",
            Location{"app/models.py", 12}));
  result.findings.push_back(About("drift", "type", "public.mood",
                                  "type public.mood is in the migrations but not in the model"));
  result.findings.back().soft = true;
  result.findings.push_back(About("edited-migration", "revision", "0002_tags",
                                  "revision 0002_tags was edited after it was applied",
                                  Location{"migrations/0002_tags.sql", 0}));
  return result;
}

// "check/rule kind object at path:line" of a report finding.
std::string Summary(const report::Finding& f) {
  return f.check + "/" + f.rule + " " + f.object_kind + " " + f.object + " at " + f.path + ":" +
         std::to_string(f.line);
}

TEST(DriftFindings, ToReportKeepsTheObjectThePlaceAndTheStep) {
  const report::Report rep = ToReport(SampleResult(), "drift model vs head", 12.5, "model.sql");
  ASSERT_EQ(rep.steps.size(), 1u);
  EXPECT_EQ(rep.steps[0].check, "drift");
  EXPECT_EQ(rep.steps[0].path, "model.sql");
  ASSERT_EQ(rep.findings.size(), 3u);

  const report::Finding& located = rep.findings[0];
  EXPECT_EQ(Summary(located), "drift/drift column public.users.nickname at app/models.py:12");
  // The place is the finding's location, not repeated in its text.
  EXPECT_EQ(located.message.find("(model:"), std::string::npos) << located.message;
  EXPECT_EQ(located.help,
            "make the model (env.py target_metadata) and ./alembic at head agree (the migrations "
            "are the source of truth)");
  // Its path is not the step's, yet it belongs to the drift step (JUnit's test case).
  EXPECT_TRUE(located.BelongsTo(rep.steps[0]));

  const report::Finding& plain = rep.findings[1];
  EXPECT_EQ(plain.path, "model.sql");
  EXPECT_EQ(plain.line, 0);
  EXPECT_TRUE(plain.message.ends_with(" [soft]")) << plain.message;
  EXPECT_TRUE(plain.BelongsTo(rep.steps[0]));

  const report::Finding& edited = rep.findings[2];
  EXPECT_EQ(Summary(edited),
            "drift/edited-migration revision 0002_tags at migrations/0002_tags.sql:0");
  EXPECT_EQ(edited.help, "restore the applied file, or add a new revision with the change");

  std::vector<std::string> rules;
  for (const report::RuleMeta& m : rep.rules) rules.push_back(m.id);
  EXPECT_EQ(rules, (std::vector<std::string>{"drift", "edited-migration"}));
}

TEST(DriftFindings, NoFindingsNoRules) {
  const report::Report rep = ToReport(Result{}, "drift", 0);
  EXPECT_TRUE(rep.findings.empty());
  EXPECT_TRUE(rep.rules.empty());
  EXPECT_EQ(rep.steps.size(), 1u);
}

}  // namespace
}  // namespace stairway::verifier::drift
