// verifier/schema without a database: Compare on hand-built snapshots, the one-line rendering
// (default and caller wording), the JSON form, and the small parsers behind TakeSnapshot.
#include <gtest/gtest.h>

#include <tuple>

#include "verifier/schema/diff.h"
#include "verifier/schema/line_diff.h"
#include "verifier/schema/snapshot.h"
#include "verifier/schema/snapshot_json.h"

namespace stairway::schema {
namespace {

Object Obj(std::string kind, std::string identity, std::string parent_kind, std::string parent,
           std::map<std::string, Value> attributes = {}) {
  return {std::move(kind), std::move(identity), std::move(parent_kind), std::move(parent),
          std::move(attributes)};
}

Snapshot Snap(std::vector<Object> objects) {
  Snapshot s;
  s.server_version_num = 150000;
  s.objects = std::move(objects);
  s.Sort();
  return s;
}

using List = std::vector<std::string>;

Object Users() {
  return Obj("table", "public.users", "schema", "public", {{"owner", "app"}});
}
Object Column(std::string name, std::string type, std::string position) {
  return Obj("column", "public.users." + name, "table", "public.users",
             {{"type", std::move(type)}, {"not_null", "false"}, {"position", std::move(position)}});
}

TEST(SchemaDiffTest, EqualSnapshotsHaveNoDifferences) {
  const Snapshot a = Snap({Users(), Column("id", "bigint", "1")});
  EXPECT_TRUE(Compare(a, a).empty());
}

TEST(SchemaDiffTest, RendersEachKindOfDifference) {
  const Snapshot a = Snap({
      Users(),
      Column("bio", "text", "2"),
      Obj("index", "public.chat_messages_thread_idx", "table", "public.chat_messages",
          {{"definition", "CREATE INDEX ON public.chat_messages USING btree (thread_id)"},
           {"valid", "true"}}),
      Obj("sequence", "public.s", "schema", "public", {{"increment", "1"}}),
  });
  const Snapshot b = Snap({
      Users(),
      Column("bio", "character varying(200)", "2"),
      Obj("index", "public.chat_messages_thread_idx", "table", "public.chat_messages",
          {{"definition", "CREATE INDEX ON public.chat_messages USING btree (thread_id)"},
           {"valid", "false"}}),
      Obj("sequence", "public.s", "schema", "public",
          {{"increment", "1"}, {"owned_by", "public.t.a"}}),
      Obj("type", "public.message_role", "schema", "public",
          {{"type", "enum"}, {"labels", List{"'user'", "'assistant'"}}}),
  });
  EXPECT_EQ(RenderAll(Compare(a, b)),
            (std::vector<std::string>{
                "index public.chat_messages_thread_idx: valid in A, INVALID in B",
                "type public.message_role (enum 'user','assistant') is only in B",
                "sequence public.s: owned by none in A, public.t.a in B",
                "column public.users.bio: type text in A, character varying(200) in B",
            }));
}

TEST(SchemaDiffTest, CallerWordingForTheRoundtrip) {
  const Snapshot before = Snap({Users()});
  const Snapshot after = Snap({Users(), Obj("type", "public.message_role", "schema", "public",
                                            {{"type", "enum"}, {"labels", List{"'user'"}}})});
  Wording w;
  w.in_a = "before the up";
  w.in_b = "after the down";
  w.only_in_a = "down dropped {object}";
  w.only_in_b = "down left behind {object}";
  const auto diffs = Compare(before, after);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].change, Change::kOnlyInB);
  EXPECT_EQ(Render(diffs[0], w), "down left behind type public.message_role (enum 'user')");
  EXPECT_EQ(RenderAll(Compare(after, before), w),
            std::vector<std::string>{"down dropped type public.message_role (enum 'user')"});

  const Snapshot invalid =
      Snap({Obj("index", "public.i", "table", "public.t", {{"valid", "false"}})});
  const Snapshot valid = Snap({Obj("index", "public.i", "table", "public.t", {{"valid", "true"}})});
  EXPECT_EQ(
      RenderAll(Compare(valid, invalid), w),
      std::vector<std::string>{"index public.i: valid before the up, INVALID after the down"});
}

TEST(SchemaDiffTest, ChildrenOfAMissingObjectAreFoldedIntoIt) {
  const Snapshot a = Snap({Obj("schema", "public", "", "")});
  const Snapshot b = Snap({
      Obj("schema", "public", "", ""),
      Obj("schema", "app", "", ""),
      Obj("table", "app.t", "schema", "app"),
      Obj("column", "app.t.a", "table", "app.t", {{"type", "integer"}}),
      Obj("column", "app.t.b", "table", "app.t", {{"type", "text"}}),
      Obj("index", "app.t_b_idx", "table", "app.t",
          {{"definition", "CREATE INDEX ON app.t USING btree (b)"}}),
      Obj("table", "public.t", "schema", "public"),
      Obj("column", "public.t.a", "table", "public.t", {{"type", "integer"}}),
  });
  EXPECT_EQ(RenderAll(Compare(a, b)),
            (std::vector<std::string>{
                "schema app (with 2 columns, 1 index, 1 table) is only in B",
                "table public.t (with 1 column) is only in B",
            }));
}

TEST(SchemaDiffTest, SameDefinitionUnderAnotherNameIsASoftRename) {
  const std::string def = "UNIQUE (email)";
  const Snapshot a = Snap({Users(), Obj("constraint", "public.users.users_email_key", "table",
                                        "public.users", {{"definition", def}, {"comment", "x"}})});
  const Snapshot b = Snap({Users(), Obj("constraint", "public.users.users_email_key1", "table",
                                        "public.users", {{"definition", def}, {"comment", "y"}})});
  const auto diffs = Compare(a, b);
  EXPECT_EQ(RenderAll(diffs),
            (std::vector<std::string>{
                "constraint public.users.users_email_key is named public.users.users_email_key1 "
                "in B (same definition)",
                "constraint public.users.users_email_key: comment x in A, y in B",
            }));
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].severity, Severity::kSoft);
  EXPECT_EQ(diffs[1].severity, Severity::kHard);
}

TEST(SchemaDiffTest, ColumnOrderIsSoftAndOneLinePerTable) {
  const Snapshot a =
      Snap({Users(), Column("a", "int", "1"), Column("b", "int", "2"), Column("c", "int", "3")});
  const Snapshot b =
      Snap({Users(), Column("a", "int", "1"), Column("b", "int", "3"), Column("c", "int", "2")});
  const auto diffs = Compare(a, b);
  EXPECT_EQ(RenderAll(diffs),
            (std::vector<std::string>{
                "columns of table public.users in a different order: in A (a, b, c), in B (a, c, "
                "b)"}));
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].attribute, "column_order");
  EXPECT_EQ(diffs[0].kind, "table");
  EXPECT_EQ(diffs[0].identity, "public.users");
  EXPECT_FALSE(HasHardDifference(diffs));
  const Snapshot c =
      Snap({Users(), Column("a", "bigint", "1"), Column("b", "int", "2"), Column("c", "int", "3")});
  EXPECT_TRUE(HasHardDifference(Compare(a, c)));
}

// A missing middle column moves the positions of the columns after it, but their order is the
// same: the missing column is the only difference.
TEST(SchemaDiffTest, PositionsShiftedByAMissingColumnAreNoReorder) {
  const Snapshot a = Snap({Users(), Column("a", "int", "1"), Column("b", "int", "2"),
                           Column("c", "int", "3"), Column("d", "int", "4")});
  const Snapshot b =
      Snap({Users(), Column("a", "int", "1"), Column("c", "int", "2"), Column("d", "int", "3")});
  EXPECT_EQ(RenderAll(Compare(a, b)),
            std::vector<std::string>{"column public.users.b (int) is only in A"});
}

TEST(SchemaDiffTest, OwnersCanBeIgnored) {
  const Snapshot a = Snap({Obj("table", "public.t", "schema", "public", {{"owner", "alice"}})});
  const Snapshot b = Snap({Obj("table", "public.t", "schema", "public", {{"owner", "bob"}})});
  EXPECT_EQ(RenderAll(Compare(a, b)),
            std::vector<std::string>{"table public.t: owner alice in A, bob in B"});
  EXPECT_TRUE(Compare(a, b, CompareOptions{Owners::kIgnore}).empty());
}

Object Function(std::string body, std::string language = "plpgsql") {
  return Obj("function", "public.f()", "schema", "public",
             {{"body", std::move(body)}, {"language", std::move(language)}});
}

TEST(SchemaDiffTest, MultiLineValuesAreAUnifiedDiff) {
  const Snapshot a = Snap({Function("\nBEGIN\n  x := 1;\n  y := 2;\n  RETURN 1;\nEND\n")});
  const Snapshot b = Snap({Function("\nBEGIN\n  x := 1;\n  y := 2;\n  RETURN 2;\nEND\n")});
  const auto diffs = Compare(a, b);
  EXPECT_EQ(RenderAll(diffs), std::vector<std::string>{"function public.f(): body differs:\n"
                                                       "--- in A\n"
                                                       "+++ in B\n"
                                                       "@@ -2,5 +2,5 @@\n"
                                                       " BEGIN\n"
                                                       "   x := 1;\n"
                                                       "   y := 2;\n"
                                                       "-  RETURN 1;\n"
                                                       "+  RETURN 2;\n"
                                                       " END"});
  EXPECT_TRUE(HasHardDifference(diffs));
}

// Whitespace and comments only (the same tokens for PostgreSQL's scanner): soft, and said so.
TEST(SchemaDiffTest, BodiesDifferingInLayoutOnlyAreSoft) {
  const Snapshot a = Snap({Function("\nBEGIN\n  RETURN 1; -- one\nEND\n")});
  const Snapshot b = Snap({Function("\nBEGIN\n    /* the one */ RETURN   1;\nEND\n")});
  const auto diffs = Compare(a, b);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].severity, Severity::kSoft);
  EXPECT_TRUE(IsLayoutOnly(diffs[0]));
  EXPECT_EQ(Render(diffs[0]),
            "function public.f(): body differs only in whitespace and comments:\n"
            "--- in A\n"
            "+++ in B\n"
            "@@ -1,4 +1,4 @@\n"
            " \n"
            " BEGIN\n"
            "-  RETURN 1; -- one\n"
            "+    /* the one */ RETURN   1;\n"
            " END");
  // A string literal, a keyword's case, or a body in another language is a real difference.
  for (const auto& [x, y, language] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"RETURN 'a b';", "RETURN 'a  b';", "plpgsql"},
           {"RETURN 1;", "return 1;", "plpgsql"},
           {"return 1\n", "  return 1\n", "plpython3u"},
           {"RETURN 'unterminated;", "RETURN  'unterminated;", "plpgsql"}}) {
    const auto hard = Compare(Snap({Function(x, language)}), Snap({Function(y, language)}));
    ASSERT_EQ(hard.size(), 1u) << x;
    EXPECT_EQ(hard[0].severity, Severity::kHard) << x << " / " << y;
  }
}

TEST(SchemaDiffTest, ListsRenderAsSetsAndLabelsInOrder) {
  const Snapshot a = Snap(
      {Obj("table", "public.t", "schema", "public", {{"grants", List{"<owner>=arwdDxt/<owner>"}}}),
       Obj("type", "public.m", "schema", "public",
           {{"type", "enum"}, {"labels", List{"'a'", "'b'"}}})});
  const Snapshot b = Snap({Obj("table", "public.t", "schema", "public",
                               {{"grants", List{"<owner>=arwdDxt/<owner>", "app=r/<owner>"}}}),
                           Obj("type", "public.m", "schema", "public",
                               {{"type", "enum"}, {"labels", List{"'b'", "'a'"}}})});
  EXPECT_EQ(RenderAll(Compare(a, b)),
            (std::vector<std::string>{"type public.m: labels 'a','b' in A, 'b','a' in B",
                                      "table public.t: grants {<owner>=arwdDxt/<owner>} in A, "
                                      "{<owner>=arwdDxt/<owner>, app=r/<owner>} in B"}));
}

TEST(SchemaJsonTest, DeterministicTextAndRoundTrip) {
  const Snapshot s = Snap({
      Obj("type", "public.m", "schema", "public", {{"type", "enum"}, {"labels", List{"'a'"}}}),
      Obj("schema", "public", "", "", {{"owner", "pg_database_owner"}}),
  });
  const std::string json = SnapshotToJson(s);
  EXPECT_EQ(json,
            "{\n"
            "  \"stairway_snapshot\": 1,\n"
            "  \"server_version\": 150000,\n"
            "  \"objects\": [\n"
            "    {\"kind\":\"schema\",\"identity\":\"public\",\"attributes\":{\"owner\":"
            "\"pg_database_owner\"}},\n"
            "    {\"kind\":\"type\",\"identity\":\"public.m\",\"parent\":{\"kind\":\"schema\","
            "\"identity\":\"public\"},\"attributes\":{\"labels\":[\"'a'\"],\"type\":\"enum\"}}\n"
            "  ]\n"
            "}\n");
  const Expected<Snapshot> back = SnapshotFromJson(json, "s.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->server_version_num, 150000);
  EXPECT_EQ(SnapshotToJson(Snapshot{}),
            "{\n  \"stairway_snapshot\": 1,\n  \"server_version\": 0,\n  \"objects\": []\n}\n");
}

TEST(SchemaJsonTest, EscapesTextLikeAnyJsonWriter) {
  const Snapshot s = Snap({Obj("function", "public.f()", "schema", "public",
                               {{"body",
                                 "a \"q\" \\ \n\t\x01 \xC3\xA9 \xFF"
                                 " end"}})});
  const std::string json = SnapshotToJson(s);
  EXPECT_NE(json.find("\"body\":\"a \\\"q\\\" \\\\ \\n\\t\\u0001 \xC3\xA9 \xEF\xBF\xBD"
                      " end\""),
            std::string::npos)
      << json;
  const Expected<Snapshot> back = SnapshotFromJson(json, "s.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back->objects[0].Text("body"),
            "a \"q\" \\ \n\t\x01 \xC3\xA9 \xEF\xBF\xBD"
            " end");
}

TEST(SchemaJsonTest, RefusesWhatItCannotRead) {
  auto error = [](std::string_view text) {
    const Expected<Snapshot> r = SnapshotFromJson(text, "snap.json");
    return r.ok() ? std::string("(ok)") : r.error().message;
  };
  EXPECT_EQ(error(R"({"stairway_snapshot": 2, "objects": []})"),
            "snap.json: snapshot format 2 is not supported by this stairway (it reads format 1); "
            "upgrade stairway or take the snapshot again");
  EXPECT_EQ(error(R"({"objects": []})"),
            "snap.json: not a stairway snapshot (no \"stairway_snapshot\" field); write one with "
            "`stairway snapshot`");
  EXPECT_EQ(error("{\"stairway_snapshot\": 1,"),
            "snap.json: not valid JSON: parse error at line 1, column 25: syntax error while "
            "parsing object key - unexpected end of input; expected string literal");
  EXPECT_EQ(error(R"({"stairway_snapshot": 1, "objects": [{"kind": "table"}]})"),
            "snap.json: objects[0] needs string fields \"kind\" and \"identity\"");
  EXPECT_EQ(error(R"({"stairway_snapshot": 1, "objects": [
      {"kind": "table", "identity": "t", "attributes": {"x": 1}}]})"),
            "snap.json: objects[0].attributes.x must be a string or a list of strings");
  EXPECT_EQ(error(R"({"stairway_snapshot": 1, "objects": [
      {"kind": "table", "identity": "t"}, {"kind": "table", "identity": "t"}]})"),
            "snap.json: table t appears twice");
}

TEST(SchemaParseTest, TextArrays) {
  EXPECT_EQ(ParseTextArray("{}"), List{});
  EXPECT_EQ(ParseTextArray("{a,b}"), (List{"a", "b"}));
  EXPECT_EQ(ParseTextArray(R"({"a b","c,d","e\"f",NULL,"NULL"})"),
            (List{"a b", "c,d", "e\"f", "NULL"}));
}

TEST(SchemaParseTest, GrantsNameTheOwnerAndAreSorted) {
  EXPECT_EQ(NormalizeGrants({"reader=r/alice", "alice=arwdDxt/alice", "=r/alice"}, "alice"),
            (List{"<owner>=arwdDxt/<owner>", "=r/<owner>", "reader=r/<owner>"}));
  EXPECT_EQ(NormalizeGrants({"\"odd name\"=r/\"odd name\"", "bob=r*/\"odd name\""}, "odd name"),
            (List{"<owner>=r/<owner>", "bob=r*/<owner>"}));
  EXPECT_EQ(NormalizeGrants({"b=r/x", "a=r/x"}, ""), (List{"a=r/x", "b=r/x"}));
}

TEST(LineDiffTest, HunksWithContextAndEmptySides) {
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "x", "y"), "");
  EXPECT_EQ(UnifiedDiff("", "a\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1 @@\n+a");
  EXPECT_EQ(UnifiedDiff("a\n", "", "x", "y"), "--- x\n+++ y\n@@ -1 +0,0 @@\n-a");
  // Two changes far apart are two hunks, each with one line of context here.
  EXPECT_EQ(UnifiedDiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\nX\n3\n4\n5\n6\nY\n8\n", "a", "b", 1),
            "--- a\n+++ b\n"
            "@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n"
            "@@ -6,3 +6,3 @@\n 6\n-7\n+Y\n 8");
  // Close changes share a hunk; an inserted line keeps the lines around it as context.
  EXPECT_EQ(UnifiedDiff("a\nb\nc\n", "a\nnew\nb\nc\n", "a", "b", 3),
            "--- a\n+++ b\n@@ -1,3 +1,4 @@\n a\n+new\n b\n c");
}

}  // namespace
}  // namespace stairway::schema
