// ReadJson: a `--report json` document back into a Report, for `stairway report merge`. The
// writer is the format's definition (docs/json.md); this reads every field it writes.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

#include "verifier/report/report.h"

namespace stairway::report {

namespace {

using nlohmann::json;

// Reads one document; every error names the file and the field ("findings[2].line").
class Reader {
 public:
  explicit Reader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void Fail(std::string_view where, std::string_view what) const {
    throw StopError(Error::Input(
        fmt::format("{}: {} {}; give a file written by `stairway verify --report json`", origin_,
                    where, what)));
  }

  const json& Member(const json& object, std::string_view where, const char* key) const {
    const auto it = object.find(key);
    if (it == object.end()) Fail(Path(where, key), "is missing");
    return *it;
  }
  const json* Optional(const json& object, const char* key) const {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
  }

  std::string String(const json& object, std::string_view where, const char* key) const {
    const json& v = Member(object, where, key);
    if (!v.is_string()) Fail(Path(where, key), "must be a string");
    return v.get<std::string>();
  }
  std::string OptionalString(const json& object, std::string_view where, const char* key) const {
    return Optional(object, key) == nullptr ? std::string() : String(object, where, key);
  }
  long long Integer(const json& object, std::string_view where, const char* key) const {
    const json& v = Member(object, where, key);
    if (!v.is_number_integer()) Fail(Path(where, key), "must be an integer");
    return v.get<long long>();
  }
  int Int(const json& object, std::string_view where, const char* key) const {
    const long long n = Integer(object, where, key);
    if (n < INT32_MIN || n > INT32_MAX) Fail(Path(where, key), "is out of range");
    return static_cast<int>(n);
  }
  bool Bool(const json& object, std::string_view where, const char* key) const {
    const json& v = Member(object, where, key);
    if (!v.is_boolean()) Fail(Path(where, key), "must be true or false");
    return v.get<bool>();
  }
  double Number(const json& object, std::string_view where, const char* key) const {
    const json& v = Member(object, where, key);
    if (!v.is_number()) Fail(Path(where, key), "must be a number");
    return v.get<double>();
  }
  Severity SeverityOf(const json& object, std::string_view where, const char* key) const {
    const std::string name = String(object, where, key);
    if (name == "error") return Severity::kError;
    if (name == "warning") return Severity::kWarning;
    if (name == "info") return Severity::kInfo;
    Fail(Path(where, key), fmt::format("is '{}', not error, warning or info", name));
  }
  const json& Object(const json& object, std::string_view where, const char* key) const {
    const json& v = Member(object, where, key);
    if (!v.is_object()) Fail(Path(where, key), "must be an object");
    return v;
  }
  const json& Array(const json& object, std::string_view where, const char* key) const {
    const json& v = Member(object, where, key);
    if (!v.is_array()) Fail(Path(where, key), "must be an array");
    return v;
  }
  void MustBeObject(const json& v, std::string_view where) const {
    if (!v.is_object()) Fail(where, "must be an object");
  }

  const std::string& origin() const { return origin_; }

  static std::string Path(std::string_view where, std::string_view key) {
    return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
  }

 private:
  std::string origin_;
};

Step ReadStep(const Reader& in, const json& v, const std::string& where) {
  in.MustBeObject(v, where);
  Step s;
  s.check = in.String(v, where, "check");
  s.name = in.String(v, where, "name");
  s.path = in.String(v, where, "path");
  s.skipped = in.Bool(v, where, "skipped");
  if (s.skipped) s.skip_reason = in.String(v, where, "skip_reason");
  if (in.Optional(v, "duration_ms") != nullptr) s.duration_ms = in.Number(v, where, "duration_ms");
  return s;
}

Finding ReadFinding(const Reader& in, const json& v, const std::string& where) {
  in.MustBeObject(v, where);
  Finding f;
  f.check = in.String(v, where, "check");
  f.rule = in.String(v, where, "rule");
  f.severity = in.SeverityOf(v, where, "severity");
  f.path = in.String(v, where, "path");
  f.line = in.Int(v, where, "line");
  f.column = in.Int(v, where, "column");
  f.message = in.String(v, where, "message");
  f.help = in.String(v, where, "help");
  f.revision = in.OptionalString(v, where, "revision");
  f.lock = in.OptionalString(v, where, "lock");
  f.step = in.OptionalString(v, where, "step");
  f.source_line = in.OptionalString(v, where, "source_line");
  if (in.Optional(v, "object") != nullptr) {
    const json& object = in.Object(v, where, "object");
    const std::string at = Reader::Path(where, "object");
    f.object_kind = in.String(object, at, "kind");
    f.object = in.String(object, at, "name");
  }
  return f;
}

RuleMeta ReadRule(const Reader& in, const json& v, const std::string& where) {
  in.MustBeObject(v, where);
  RuleMeta m;
  m.id = in.String(v, where, "id");
  m.summary = in.String(v, where, "summary");
  m.help = in.String(v, where, "help");
  m.severity = in.SeverityOf(v, where, "severity");
  return m;
}

Report ReadDocument(const Reader& in, const json& doc) {
  if (!doc.is_object()) in.Fail("the document", "must be a JSON object");
  const long long version = in.Integer(doc, "", "stairway_report");
  if (version > kJsonReportVersion) {
    throw StopError(Error::Input(fmt::format(
        "{}: stairway_report {} is newer than this stairway reads ({}); merge with the stairway "
        "that wrote it",
        in.origin(), version, kJsonReportVersion)));
  }
  if (version < 1) in.Fail("stairway_report", "must be 1 or more");
  Report r;
  r.command = in.String(doc, "", "command");
  r.written_by = in.OptionalString(doc, "", "stairway_version");
  if (in.Optional(doc, "set") != nullptr) {
    const json& v = in.Object(doc, "", "set");
    r.set = SetInfo{in.String(v, "set", "directory"), in.String(v, "set", "format"),
                    in.Int(v, "set", "revisions"), in.String(v, "set", "fingerprint")};
  }
  if (in.Optional(doc, "shard") != nullptr) {
    const json& v = in.Object(doc, "", "shard");
    r.shard = ShardInfo{in.Int(v, "shard", "index"),
                        in.Int(v, "shard", "count"),
                        in.Int(v, "shard", "begin"),
                        in.Int(v, "shard", "end"),
                        {}};
    const json& checks = in.Array(v, "shard", "checks");
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (!checks[i].is_string()) in.Fail(fmt::format("shard.checks[{}]", i), "must be a string");
      r.shard->checks.push_back(checks[i].get<std::string>());
    }
  }
  if (in.Optional(doc, "verdict") != nullptr) {
    const json& v = in.Object(doc, "", "verdict");
    r.verdict = Verdict{in.String(v, "verdict", "fail_level"),
                        in.Bool(v, "verdict", "failed_checks"), in.Int(v, "verdict", "exit_code")};
  }
  const json& steps = in.Array(doc, "", "steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    r.steps.push_back(ReadStep(in, steps[i], fmt::format("steps[{}]", i)));
  }
  const json& findings = in.Array(doc, "", "findings");
  for (std::size_t i = 0; i < findings.size(); ++i) {
    r.findings.push_back(ReadFinding(in, findings[i], fmt::format("findings[{}]", i)));
  }
  if (in.Optional(doc, "rules") != nullptr) {
    const json& rules = in.Array(doc, "", "rules");
    for (std::size_t i = 0; i < rules.size(); ++i) {
      r.rules.push_back(ReadRule(in, rules[i], fmt::format("rules[{}]", i)));
    }
  }
  return r;
}

}  // namespace

Expected<Report> ReadJson(std::string_view text, std::string_view origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann counts bytes; a line number is what a person can go to.
    const std::size_t at = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
    return Error::Input(fmt::format(
        "{}:{}: not a JSON document ({}); give a file written by `stairway verify --report json`",
        origin, line, e.what()));
  }
  try {
    return ReadDocument(Reader(origin), doc);
  } catch (const StopError& e) {
    return e.error();
  }
}

}  // namespace stairway::report
