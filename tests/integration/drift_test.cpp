// stairway drift: a model's DDL vs the migrations at head (equal, and each kind of difference
// named), and --against a live database read by a role that cannot write (proves read-only),
// including applied revisions edited afterwards; --report writes the findings with their objects.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/json_schema_util.h"
#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kMigrations = "fixtures/drift/migrations";

std::string ServerFlag() {
  return "--server-url=" + TestSandbox().AdminUrl();
}

// A temp dir removed when the test ends.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("stairway_drift_test_" + std::to_string(::getpid()) + "_" + std::to_string(next_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  static inline int next_ = 0;
};

std::string ModelSql() {
  return ReadFile(SourceDir() / "fixtures/drift/model.sql");
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

ProcessResult DriftModel(const std::string& sql) {
  TempDir dir;
  const fs::path model = dir.path() / "model.sql";
  std::ofstream(model) << sql;
  return StairwayOffline({"drift", "--model", model.string(), kMigrations, ServerFlag()});
}

TEST(DriftModel, EqualModelIsClean) {
  const ProcessResult r =
      StairwayOffline({"drift", "--model", "fixtures/drift/model.sql", kMigrations, ServerFlag()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "no drift: the model fixtures/drift/model.sql matches fixtures/drift/migrations at "
            "head\n");
}

struct ModelCase {
  std::string name;
  std::string from, to;  // the edit applied to model.sql
  std::string line;      // the expected drift line
};

class DriftModelKinds : public ::testing::TestWithParam<ModelCase> {};

TEST_P(DriftModelKinds, DifferenceIsNamed) {
  const ModelCase& c = GetParam();
  const ProcessResult r = DriftModel(Replace(ModelSql(), c.from, c.to));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(r.out.starts_with("drift between fixtures/drift/migrations at head and the model "))
      << r.out;
  EXPECT_NE(r.out.find("\n  " + c.line + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "1 difference\n") << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, DriftModelKinds,
    ::testing::Values(
        ModelCase{"missing_index", "CREATE INDEX items_name_idx ON items (name);", "",
                  "index public.items_name_idx (btree (name)) is in the migrations but not in the "
                  "model"},
        ModelCase{"extra_table", "CREATE TABLE tags",
                  "CREATE TABLE extra (id int);\nCREATE TABLE tags",
                  "table public.extra (with 1 column) is in the model but not in the migrations"},
        ModelCase{"column_type", "    note text,", "    note varchar(20),",
                  "column public.items.note: type text in the migrations, character varying(20) "
                  "in the model"},
        ModelCase{"enum_labels", "('new', 'done')", "('new', 'done', 'archived')",
                  "type public.item_status: labels 'new','done' in the migrations, "
                  "'new','done','archived' in the model"},
        ModelCase{"nullability", "    name text NOT NULL,", "    name text,",
                  "column public.items.name: NOT NULL in the migrations, nullable in the model"},
        ModelCase{"on_delete", "ON DELETE CASCADE", "ON DELETE SET NULL",
                  "constraint public.tags.tags_item_id_fkey: definition FOREIGN KEY (item_id) "
                  "REFERENCES public.items(id) ON DELETE CASCADE in the migrations, FOREIGN KEY "
                  "(item_id) REFERENCES public.items(id) ON DELETE SET NULL in the model"}),
    [](const auto& info) { return info.param.name; });

TEST(DriftModel, FailingModelStatementIsAnInputErrorWithItsLine) {
  const ProcessResult r =
      DriftModel("CREATE TABLE a (id int);\n\nCREATE TABLE b (x nosuchtype);\n");
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("model.sql:3: the model statement failed on an empty database: type "
                       "\"nosuchtype\" does not exist; fix the model DDL"),
            std::string::npos)
      << r.err;
}

// The findings of --report json, after checking the document against the documented schema.
nlohmann::json ReportFindings(const fs::path& file) {
  const nlohmann::json doc = nlohmann::json::parse(ReadFile(file));
  const std::vector<std::string> errors =
      JsonSchemaChecker("docs/schemas/report-1.schema.json").Check(doc);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  EXPECT_EQ(doc.at("command"), "drift");
  return doc.at("findings");
}

// The finding about `object`, or null.
nlohmann::json FindingAbout(const nlohmann::json& findings, const std::string& object) {
  for (const nlohmann::json& f : findings) {
    if (f.contains("object") && f["object"]["name"] == object) return f;
  }
  return nullptr;
}

TEST(DriftModel, ReportsNameTheObjectAndPointAtTheModel) {
  TempDir dir;
  const fs::path model = dir.path() / "model.sql";
  std::ofstream(model) << Replace(ModelSql(), "    note text,", "    note varchar(20),");
  const fs::path json = dir.path() / "drift.json";
  const fs::path sarif = dir.path() / "drift.sarif";
  const ProcessResult r =
      StairwayOffline({"drift", "--model", model.string(), kMigrations, ServerFlag(), "--report",
                       "json", "-o", json.string(), "--report", "sarif", "-o", sarif.string()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  // No text asked for: no listing on stdout, the count still on stderr.
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "1 difference\n");
  const nlohmann::json findings = ReportFindings(json);
  ASSERT_EQ(findings.size(), 1u) << findings.dump(2);
  const nlohmann::json& f = findings[0];
  EXPECT_EQ(f["check"], "drift");
  EXPECT_EQ(f["rule"], "drift");
  EXPECT_EQ(f["object"], (nlohmann::json{{"kind", "column"}, {"name", "public.items.note"}}));
  EXPECT_EQ(f["path"], model.string());
  EXPECT_EQ(f["message"],
            "column public.items.note: type text in the migrations, character varying(20) in "
            "the model");
  const std::string sarif_text = ReadFile(sarif);
  EXPECT_NE(sarif_text.find("\"fullyQualifiedName\": \"public.items.note\""), std::string::npos)
      << sarif_text;
}

// A database built by `stairway upgrade`, and a role that may only connect and read.
class DriftAgainst : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = NewTestDatabase();
    role_ = "drift_ro_" + database_->name().substr(database_->name().size() - 8);
  }
  void TearDown() override {
    db::Session admin = db::Session::Connect(database_->url());
    admin.Exec("DROP OWNED BY " + role_ + "; DROP ROLE IF EXISTS " + role_);
  }

  void Upgrade(const std::string& dir) {
    const ProcessResult r = Stairway({"upgrade", "head", "-d", dir}, database_->url());
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // CONNECT plus read access only: any write (even creating the history table) would fail.
  std::string ReadOnlyUrl() {
    db::Session admin = db::Session::Connect(database_->url());
    const std::string db = db::QuoteIdent(database_->name());
    admin.Exec("CREATE ROLE " + role_ + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
    admin.Exec("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
    admin.Exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    admin.Exec("GRANT CONNECT ON DATABASE " + db + " TO " + role_);
    // pg_read_all_data: SELECT on every table, USAGE on every schema, without ACL entries that
    // would themselves show up as grant drift.
    admin.Exec("GRANT pg_read_all_data TO " + role_);
    std::string url = database_->url();
    const std::size_t at = url.find("user=");
    EXPECT_NE(at, std::string::npos) << url;
    const std::size_t end = url.find('&', at);
    url.replace(at, (end == std::string::npos ? url.size() : end) - at, "user=" + role_);
    return url;
  }

  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
  std::string role_;
};

TEST_F(DriftAgainst, ReadOnlyRoleSeesNoDriftAfterUpgrade) {
  Upgrade(kMigrations);
  const std::string url = ReadOnlyUrl();
  {
    // The role really cannot write.
    db::Session reader = db::Session::Connect(url);
    EXPECT_THROW(reader.Exec("CREATE TABLE probe (id int)"), db::DatabaseError);
    EXPECT_THROW(reader.Exec("INSERT INTO items (name) VALUES ('x')"), db::DatabaseError);
  }
  const ProcessResult r = StairwayOffline({"drift", "--against", url, kMigrations, ServerFlag()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(" matches fixtures/drift/migrations at 0002_create_tags\n"),
            std::string::npos)
      << r.err;
}

TEST_F(DriftAgainst, HandMadeChangeAndEditedMigrationAreReported) {
  TempDir dir;
  fs::copy(SourceDir() / kMigrations, dir.path() / "migrations");
  const std::string migrations = (dir.path() / "migrations").string();
  Upgrade(migrations);
  {
    db::Session admin = db::Session::Connect(database_->url());
    admin.Exec("CREATE INDEX items_note_idx ON items (note)");
  }
  // Edited after it was applied: the history's checksum no longer matches the file.
  const fs::path file = dir.path() / "migrations/0002_create_tags.sql";
  std::string text = ReadFile(file);
  text = Replace(text, "label text NOT NULL", "label text NOT NULL DEFAULT 'x'");
  std::ofstream(file, std::ios::trunc) << text;

  const std::string url = ReadOnlyUrl();
  const ProcessResult r = StairwayOffline({"drift", "--against", url, migrations, ServerFlag()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("  index public.items_note_idx (btree (note)) is in the database but not "
                       "in the migrations\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  column public.tags.label: default 'x'::text in the migrations, none in "
                       "the database\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  revision 0002_create_tags was edited after it was applied: checksum "),
            std::string::npos)
      << r.out;

  // The same findings in the JSON report, each about its object; the listing stays on stdout
  // with --report text.
  const fs::path json = dir.path() / "drift.json";
  const ProcessResult with_report =
      StairwayOffline({"drift", "--against", url, migrations, ServerFlag(), "--report", "json",
                       "-o", json.string(), "--report", "text"});
  EXPECT_EQ(with_report.exit_code, 1) << Describe(with_report);
  EXPECT_EQ(with_report.out, r.out);
  const nlohmann::json findings = ReportFindings(json);
  EXPECT_EQ(findings.size(), 3u) << findings.dump(2);
  const nlohmann::json index = FindingAbout(findings, "public.items_note_idx");
  ASSERT_FALSE(index.is_null()) << findings.dump(2);
  EXPECT_EQ(index["rule"], "drift");
  EXPECT_EQ(index["object"]["kind"], "index");
  EXPECT_EQ(index["path"], migrations);
  const nlohmann::json label = FindingAbout(findings, "public.tags.label");
  ASSERT_FALSE(label.is_null()) << findings.dump(2);
  EXPECT_EQ(label["object"]["kind"], "column");
  const nlohmann::json edited = FindingAbout(findings, "0002_create_tags");
  ASSERT_FALSE(edited.is_null()) << findings.dump(2);
  EXPECT_EQ(edited["rule"], "edited-migration");
  EXPECT_EQ(edited["object"]["kind"], "revision");
  EXPECT_EQ(edited["path"], file.string());
  EXPECT_EQ(edited["severity"], "error");
}

// Owners usually differ between environments: diff and drift both leave them out unless
// --compare-owners is given, so two databases that differ only in an owner are equal to both.
TEST_F(DriftAgainst, DiffAndDriftBothLeaveOwnersOutUnlessAsked) {
  Upgrade(kMigrations);
  auto other = NewTestDatabase();
  {
    const ProcessResult r = Stairway({"upgrade", "head", "-d", kMigrations}, other->url());
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    db::Session admin = db::Session::Connect(database_->url());
    admin.Exec("CREATE ROLE " + role_ + " NOLOGIN");
    admin.Exec("ALTER TABLE items OWNER TO " + role_);
  }
  const std::string a = database_->url();
  const std::string b = other->url();
  const ProcessResult diff = StairwayOffline({"diff", a, b});
  EXPECT_EQ(diff.exit_code, 0) << Describe(diff);
  EXPECT_EQ(diff.err, "no differences between A and B\n");
  const ProcessResult diff_owners = StairwayOffline({"diff", a, b, "--compare-owners"});
  EXPECT_EQ(diff_owners.exit_code, 1) << Describe(diff_owners);
  EXPECT_NE(diff_owners.out.find("table public.items: owner "), std::string::npos)
      << diff_owners.out;
  const ProcessResult both = StairwayOffline({"diff", a, b, "--compare-owners", "--ignore-owners"});
  EXPECT_EQ(both.exit_code, 2) << Describe(both);

  const ProcessResult drift = StairwayOffline({"drift", "--against", a, kMigrations, ServerFlag()});
  EXPECT_EQ(drift.exit_code, 0) << Describe(drift);
  const ProcessResult drift_owners =
      StairwayOffline({"drift", "--against", a, kMigrations, ServerFlag(), "--compare-owners"});
  EXPECT_EQ(drift_owners.exit_code, 1) << Describe(drift_owners);
  EXPECT_NE(drift_owners.out.find("table public.items: owner "), std::string::npos)
      << drift_owners.out;
  // TearDown's DROP OWNED BY would drop the table, which others depend on.
  db::Session admin = db::Session::Connect(database_->url());
  admin.Exec("REASSIGN OWNED BY " + role_ + " TO CURRENT_USER");
}

TEST_F(DriftAgainst, DatabaseWithoutHistoryIsComparedWithBaseAndSaysSo) {
  {
    db::Session admin = db::Session::Connect(database_->url());
    admin.Exec("CREATE TABLE loose (id int)");
  }
  const ProcessResult r =
      StairwayOffline({"drift", "--against", ReadOnlyUrl(), kMigrations, ServerFlag()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(
      r.err.starts_with("note: the database has no history table "
                        "public.stairway_history: compared with base (no revision "
                        "applied)\n"))
      << r.err;
  EXPECT_NE(r.out.find("  table public.loose (with 1 column) is in the database but not in the "
                       "migrations\n"),
            std::string::npos)
      << r.out;
  db::Session admin = db::Session::Connect(database_->url());
  EXPECT_FALSE(HistoryTableExists(admin));
}

}  // namespace
}  // namespace stairway::testing
