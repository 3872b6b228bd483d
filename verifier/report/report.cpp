// Report bookkeeping and the six writers. Every writer reads only the Report value, so lint,
// roundtrip and drift findings render the same way in every format.
#include "verifier/report/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include "runner/common/text.h"

namespace stairway::report {

Diagnostic Finding::ToDiagnostic() const {
  Diagnostic d;
  d.severity = severity;
  d.path = path;
  d.pos = {line, column};
  d.message = message;
  d.rule = rule;
  d.source_line = source_line;
  d.help = help;
  return d;
}

void Report::Sort() {
  // Sorts small keys and moves each finding once: comparing and swapping whole Findings (nine
  // strings each) cost more than writing them. Paths become ranks, compared once per path.
  std::vector<std::string_view> paths;
  for (const Finding& f : findings) {
    if (paths.empty() || paths.back() != f.path) paths.push_back(f.path);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  struct Key {
    std::uint32_t path;
    int line;
    int column;
    std::string_view rule;
    std::uint32_t index;  // ties keep report order, as a stable sort would
  };
  std::vector<Key> keys;
  keys.reserve(findings.size());
  std::uint32_t rank = 0;
  std::string_view last_path;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i == 0 || f.path != last_path) {
      rank = static_cast<std::uint32_t>(std::lower_bound(paths.begin(), paths.end(), f.path) -
                                        paths.begin());
      last_path = f.path;
    }
    keys.push_back({rank, f.line, f.column, f.rule, static_cast<std::uint32_t>(i)});
  }
  const auto less = [](const Key& a, const Key& b) {
    return std::tie(a.path, a.line, a.column, a.rule, a.index) <
           std::tie(b.path, b.line, b.column, b.rule, b.index);
  };
  if (std::is_sorted(keys.begin(), keys.end(), less)) return;
  std::sort(keys.begin(), keys.end(), less);
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (const Key& k : keys) sorted.push_back(std::move(findings[k.index]));
  findings = std::move(sorted);
}

void Report::Merge(Report other) {
  for (Step& s : other.steps) steps.push_back(std::move(s));
  for (Finding& f : other.findings) findings.push_back(std::move(f));
  for (RuleMeta& r : other.rules) {
    const bool known =
        std::any_of(rules.begin(), rules.end(), [&](const RuleMeta& m) { return m.id == r.id; });
    if (!known) rules.push_back(std::move(r));
  }
}

int Report::Count(Severity at_least) const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
    return static_cast<int>(f.severity) >= static_cast<int>(at_least);
  }));
}

bool Finding::BelongsTo(const Step& s) const {
  return check == s.check && (step.empty() ? path == s.path : step == s.name);
}

std::vector<const Finding*> Report::FindingsOf(const Step& step) const {
  std::vector<const Finding*> out;
  for (const Finding& f : findings) {
    if (f.BelongsTo(step)) {
      out.push_back(&f);
    }
  }
  return out;
}

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "sarif") return Format::kSarif;
  if (name == "github") return Format::kGithub;
  if (name == "junit") return Format::kJunit;
  if (name == "markdown" || name == "md") return Format::kMarkdown;
  if (name == "codequality") return Format::kCodeQuality;
  return std::nullopt;
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kText:
      return "text";
    case Format::kJson:
      return "json";
    case Format::kSarif:
      return "sarif";
    case Format::kGithub:
      return "github";
    case Format::kJunit:
      return "junit";
    case Format::kMarkdown:
      return "markdown";
    case Format::kCodeQuality:
      return "codequality";
  }
  return "text";
}

bool ColorWanted(bool no_color_flag) {
  if (no_color_flag) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fileno(stdout)) != 0;
}

namespace {

std::string Plural(int n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

int CountExactly(const Report& r, Severity s) {
  return static_cast<int>(std::count_if(r.findings.begin(), r.findings.end(),
                                        [&](const Finding& f) { return f.severity == s; }));
}

// Findings worst first (errors, warnings, notes), report order within a severity: CI shows
// only the first annotations of a step and GitHub cuts long comments, so errors must lead.
std::vector<const Finding*> WorstFirst(const Report& r) {
  std::vector<const Finding*> out;
  out.reserve(r.findings.size());
  for (const Severity s : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
    for (const Finding& f : r.findings) {
      if (f.severity == s) out.push_back(&f);
    }
  }
  return out;
}

// 1234567 -> "1,234,567" (the Markdown summary is read by people).
std::string Grouped(std::size_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string Summary(const Report& r) {
  const int files = static_cast<int>(r.steps.size());
  // verify's steps are files linted, revision steps and drift comparisons: "steps".
  const std::string_view unit = r.command == "verify" ? "step" : "file";
  if (r.findings.empty()) return fmt::format("{} checked: no findings\n", Plural(files, unit));
  return fmt::format("{}, {}, {} in {}\n", Plural(CountExactly(r, Severity::kError), "error"),
                     Plural(CountExactly(r, Severity::kWarning), "warning"),
                     Plural(CountExactly(r, Severity::kInfo), "note"), Plural(files, unit));
}

std::string WriteText(const Report& r, const WriteOptions& o) {
  std::string out;
  for (const Finding& f : r.findings) {
    std::string block = Render(f.ToDiagnostic());
    if (o.color) {
      // Colour only the severity word and the help label; the layout stays the same.
      const std::string sev(SeverityName(f.severity));
      const char* code = f.severity == Severity::kError     ? "\x1b[1;31m"
                         : f.severity == Severity::kWarning ? "\x1b[1;33m"
                                                            : "\x1b[1;36m";
      const std::size_t at = block.find(": " + sev + ": ");
      if (at != std::string::npos)
        block.replace(at + 2, sev.size(), code + sev + "\x1b[0m");
      else if (block.rfind(sev + ": ", 0) == 0)
        block.replace(0, sev.size(), code + sev + "\x1b[0m");
      const std::size_t help = block.find("  help: ");
      if (help != std::string::npos) block.replace(help + 2, 5, "\x1b[1;32mhelp:\x1b[0m");
    }
    out += block;
  }
  // Lint input that could not be read (an Alembic revision needing a database) is named.
  for (const Step& s : r.steps) {
    if (s.check == "lint" && s.skipped) out += fmt::format("{}: note: {}\n", s.path, s.skip_reason);
  }
  out += Summary(r);
  return out;
}

// Appends to a string through a raw pointer: std::string's checked appends cost more than the
// bytes they copy when a report is made of thousands of short pieces.
class Buffer {
 public:
  explicit Buffer(std::string& out) : out_(out), len_(out.size()) {}
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  // Cuts the string to what was written; call once at the end.
  void Finish() { out_.resize(len_); }

  // Room for `n` more bytes; returns where they go. Commit() says how many were written.
  char* Reserve(std::size_t n) {
    if (len_ + n > out_.size()) out_.resize(std::max({2 * out_.size(), out_.capacity(), len_ + n}));
    return out_.data() + len_;
  }
  void Commit(char* end) { len_ = static_cast<std::size_t>(end - out_.data()); }
  void Put(std::string_view s) {
    char* p = Reserve(s.size());
    std::memcpy(p, s.data(), s.size());
    len_ += s.size();
  }
  void Put(char c) { *Reserve(1) = c, ++len_; }

 private:
  std::string& out_;
  std::size_t len_;
};

// Streams JSON straight into a string, laid out exactly as nlohmann::json's dump(2) lays it
// out (the format the golden files and users' scripts saw first), without building a DOM: a
// report of 8,000 findings cost more to lay out as a DOM than to lint.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // Keys are the writers' own literals: plain ASCII, nothing to escape.
  void Key(std::string_view key) {
    char* p = Element(key.size() + 4);
    *p++ = '"';
    std::memcpy(p, key.data(), key.size());
    p += key.size();
    *p++ = '"';
    *p++ = ':';
    *p++ = ' ';
    out_.Commit(p);
    after_key_ = true;
  }
  void Value(std::string_view s) {
    char* p = Element(0);
    out_.Commit(p);
    String({s});
  }
  // One string value made of parts (SARIF's "message\nhelp: ..."), without concatenating first.
  void Value(std::initializer_list<std::string_view> parts) {
    out_.Commit(Element(0));
    String(parts);
  }
  void Value(const char* s) { Value(std::string_view(s)); }
  void Value(bool b) {
    out_.Commit(Element(0));
    out_.Put(b ? std::string_view("true") : std::string_view("false"));
  }
  // A number already rendered (a fixed-point duration).
  void Raw(std::string_view number) {
    out_.Commit(Element(0));
    out_.Put(number);
  }
  void Value(long long n) {
    char* p = Element(24);
    out_.Commit(std::to_chars(p, p + 24, n).ptr);
  }
  // Ends the document with a newline, as the writers always did.
  void Finish() {
    out_.Put('\n');
    out_.Finish();
  }
  template <typename T>
  void Field(std::string_view key, const T& value) {
    Key(key);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      Value(static_cast<long long>(value));
    } else {
      Value(value);
    }
  }

 private:
  // Opens a line for the next member or element (the first one also decides that its
  // container is not printed as an empty "{}" / "[]") and leaves room for `extra` bytes after
  // it. Returns where they go; nothing is committed.
  char* Element(std::size_t extra) {
    char* p = out_.Reserve(2 * depth_ + 2 + extra);
    if (after_key_) {
      after_key_ = false;
      return p;
    }
    if (depth_ == 0) return p;
    if (!empty_[depth_ - 1]) *p++ = ',';
    *p++ = '\n';
    empty_[depth_ - 1] = false;
    std::memset(p, ' ', 2 * depth_);
    return p + 2 * depth_;
  }
  void Open(char bracket) {
    char* p = Element(1);
    *p++ = bracket;
    out_.Commit(p);
    empty_[depth_++] = true;
  }
  void Close(char bracket) {
    --depth_;
    char* p = out_.Reserve(2 * depth_ + 2);
    if (!empty_[depth_]) {
      *p++ = '\n';
      std::memset(p, ' ', 2 * depth_);
      p += 2 * depth_;
    }
    *p++ = bracket;
    out_.Commit(p);
  }
  // A quoted string: nlohmann's escaping with ensure_ascii off (the short escapes, \u00xx for
  // other control characters, UTF-8 as is). Invalid UTF-8, on which nlohmann threw, becomes
  // U+FFFD.
  void String(std::initializer_list<std::string_view> parts) {
    std::size_t most = 2;
    for (std::string_view s : parts) most += JsonEscapedMaxSize(s.size());
    char* p = out_.Reserve(most);
    *p++ = '"';
    for (std::string_view s : parts) p = WriteJsonEscaped(s, p);
    *p++ = '"';
    out_.Commit(p);
  }

  Buffer out_;
  int depth_ = 0;
  bool after_key_ = false;
  bool empty_[16] = {};  // per open container: nothing written into it yet
};

void WriteFindingJson(JsonWriter& w, const Finding& f) {
  w.BeginObject();
  w.Field("check", f.check);
  w.Field("rule", f.rule);
  w.Field("severity", SeverityName(f.severity));
  w.Field("path", f.path);
  w.Field("line", f.line);
  w.Field("column", f.column);
  w.Field("message", f.message);
  w.Field("help", f.help);
  if (!f.revision.empty()) w.Field("revision", f.revision);
  if (!f.lock.empty()) w.Field("lock", f.lock);
  if (!f.step.empty()) w.Field("step", f.step);
  if (!f.source_line.empty()) w.Field("source_line", f.source_line);
  if (!f.object.empty()) {
    w.Key("object");
    w.BeginObject();
    w.Field("kind", f.object_kind);
    w.Field("name", f.object);
    w.EndObject();
  }
  w.EndObject();
}

// Milliseconds to the microsecond: enough for a duration, and the same text after a read back.
std::string Millis(double ms) {
  return fmt::format("{:.3f}", ms);
}

std::string WriteJson(const Report& r, const WriteOptions& o) {
  std::string out;
  out.reserve(1024 + r.findings.size() * 400 + r.rules.size() * 300);
  JsonWriter w(out);
  w.BeginObject();
  w.Field("stairway_report", kJsonReportVersion);
  w.Field("stairway_version", o.tool_version);
  w.Field("command", r.command);
  w.Key("summary");
  w.BeginObject();
  w.Field("errors", CountExactly(r, Severity::kError));
  w.Field("warnings", CountExactly(r, Severity::kWarning));
  w.Field("notes", CountExactly(r, Severity::kInfo));
  w.Field("steps", r.steps.size());
  w.EndObject();
  if (r.set) {
    w.Key("set");
    w.BeginObject();
    w.Field("directory", r.set->directory);
    w.Field("format", r.set->format);
    w.Field("revisions", r.set->revisions);
    w.Field("fingerprint", r.set->fingerprint);
    w.EndObject();
  }
  if (r.shard) {
    w.Key("shard");
    w.BeginObject();
    w.Field("index", r.shard->index);
    w.Field("count", r.shard->count);
    w.Field("begin", r.shard->begin);
    w.Field("end", r.shard->end);
    w.Key("checks");
    w.BeginArray();
    for (const std::string& check : r.shard->checks) w.Value(check);
    w.EndArray();
    w.EndObject();
  }
  if (r.verdict) {
    w.Key("verdict");
    w.BeginObject();
    w.Field("fail_level", r.verdict->fail_level);
    w.Field("failed_checks", r.verdict->failed_checks);
    w.Field("exit_code", r.verdict->exit_code);
    w.EndObject();
  }
  w.Key("steps");
  w.BeginArray();
  for (const Step& s : r.steps) {
    w.BeginObject();
    w.Field("check", s.check);
    w.Field("name", s.name);
    w.Field("path", s.path);
    w.Field("skipped", s.skipped);
    if (s.skipped) w.Field("skip_reason", s.skip_reason);
    w.Key("duration_ms");
    w.Raw(Millis(s.duration_ms));
    w.EndObject();
  }
  w.EndArray();
  w.Key("findings");
  w.BeginArray();
  for (const Finding& f : r.findings) WriteFindingJson(w, f);
  w.EndArray();
  w.Key("rules");
  w.BeginArray();
  for (const RuleMeta& m : r.rules) {
    w.BeginObject();
    w.Field("id", m.id);
    w.Field("summary", m.summary);
    w.Field("help", m.help);
    w.Field("severity", SeverityName(m.severity));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Finish();
  return out;
}

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

// {"<key>": {"text": value}}, SARIF's message objects.
void TextObject(JsonWriter& w, std::string_view key, std::string_view text) {
  w.Key(key);
  w.BeginObject();
  w.Field("text", text);
  w.EndObject();
}

// A path as a SARIF artifact URI: a relative reference for a relative path (code scanning
// resolves it against the checkout), file:// for an absolute one; bytes other than unreserved
// ones and '/' are percent-encoded, so a space, '#', '%' or ':' stays part of the path.
std::string SarifUri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = path.starts_with('/') ? "file://" : "";
  for (const char c : path) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) != 0 && b < 0x80) {
      out += c;
    } else if (c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

// Where a finding without a file (several heads, a whole-run problem) is shown: the directory
// of the first file the run read. GitHub code scanning rejects a whole upload when one result
// has no location, and the directory is what such a finding is about.
std::string WholeRunPath(const Report& r) {
  for (const Step& s : r.steps) {
    if (s.path.empty()) continue;
    const std::size_t slash = s.path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : s.path.substr(0, slash);
  }
  return "";
}

std::string WriteSarif(const Report& r, const WriteOptions& o) {
  std::string out;
  out.reserve(2048 + r.rules.size() * 400 + r.findings.size() * 700);
  JsonWriter w(out);
  w.BeginObject();
  w.Field("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.Field("version", "2.1.0");
  w.Key("runs");
  w.BeginArray();
  w.BeginObject();
  w.Key("tool");
  w.BeginObject();
  w.Key("driver");
  w.BeginObject();
  w.Field("name", "stairway");
  w.Field("version", o.tool_version);
  w.Key("rules");
  w.BeginArray();
  // ruleIndex of each id; a repeated id keeps the index of its last entry, as before.
  std::unordered_map<std::string_view, int> index;
  for (std::size_t i = 0; i < r.rules.size(); ++i) {
    const RuleMeta& m = r.rules[i];
    index[m.id] = static_cast<int>(i);
    w.BeginObject();
    w.Field("id", m.id);
    TextObject(w, "shortDescription", m.summary);
    TextObject(w, "help", m.help);
    w.Key("defaultConfiguration");
    w.BeginObject();
    w.Field("level", SarifLevel(m.severity));
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();  // driver
  w.EndObject();  // tool
  w.Key("results");
  w.BeginArray();
  const std::string whole_run_path = WholeRunPath(r);
  for (const Finding& f : r.findings) {
    w.BeginObject();
    w.Field("ruleId", f.rule);
    if (auto it = index.find(f.rule); it != index.end()) w.Field("ruleIndex", it->second);
    w.Field("level", SarifLevel(f.severity));
    w.Key("message");
    w.BeginObject();
    w.Key("text");
    if (f.help.empty()) {
      w.Value(f.message);
    } else {
      w.Value({f.message, "\nhelp: ", f.help});
    }
    w.EndObject();
    const bool physical = !f.path.empty() || !whole_run_path.empty();
    if (physical || !f.object.empty()) {
      w.Key("locations");
      w.BeginArray();
      w.BeginObject();
      if (physical) {
        w.Key("physicalLocation");
        w.BeginObject();
        w.Key("artifactLocation");
        w.BeginObject();
        w.Field("uri", SarifUri(f.path.empty() ? whole_run_path : f.path));
        w.EndObject();
        if (f.line > 0 && !f.path.empty()) {
          w.Key("region");
          w.BeginObject();
          w.Field("startLine", f.line);
          if (f.column > 0) w.Field("startColumn", f.column);
          w.EndObject();
        }
        w.EndObject();  // physicalLocation
      }
      // The database object (a column, an index) is the finding's logical location: what a
      // roundtrip or drift finding is about, where the file names only the revision or model.
      if (!f.object.empty()) {
        w.Key("logicalLocations");
        w.BeginArray();
        w.BeginObject();
        w.Field("fullyQualifiedName", f.object);
        if (!f.object_kind.empty()) w.Field("kind", f.object_kind);
        w.EndObject();
        w.EndArray();
      }
      w.EndObject();
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();  // the run
  w.EndArray();
  w.EndObject();
  w.Finish();
  return out;
}

// Replacement of each byte for one output syntax; an empty entry keeps the byte.
using EscapeTable = std::array<std::string_view, 256>;

// `s` with the table's replacements, copied in runs (a byte-by-byte append costs more than the
// rest of a writer on thousands of findings).
std::string Escape(std::string_view s, const EscapeTable& table) {
  std::string out;
  out.reserve(s.size() + 16);
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::string_view rep = table[static_cast<unsigned char>(s[i])];
    if (rep.empty()) continue;
    out.append(s.data() + run, i - run);
    out += rep;
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
  return out;
}

// GitHub workflow commands: data escapes %, CR, LF; properties also ',' and ':'.
constexpr EscapeTable kGhData = [] {
  EscapeTable t{};
  t['%'] = "%25";
  t['\r'] = "%0D";
  t['\n'] = "%0A";
  return t;
}();
constexpr EscapeTable kGhProperty = [] {
  EscapeTable t = kGhData;
  t[','] = "%2C";
  t[':'] = "%3A";
  return t;
}();

std::string GhData(std::string_view s) {
  return Escape(s, kGhData);
}
std::string GhProperty(std::string_view s) {
  return Escape(s, kGhProperty);
}

std::string WriteGithub(const Report& r) {
  std::string out;
  // The runner shows only the first annotations of each kind per step: errors come first.
  for (const Finding* finding : WorstFirst(r)) {
    const Finding& f = *finding;
    const std::string_view kind = f.severity == Severity::kError     ? "error"
                                  : f.severity == Severity::kWarning ? "warning"
                                                                     : "notice";
    std::string props;
    if (!f.path.empty()) {
      props += "file=" + GhProperty(f.path);
      if (f.line > 0) props += ",line=" + std::to_string(f.line);
      if (f.column > 0) props += ",col=" + std::to_string(f.column);
      props += ",";
    }
    props += "title=" + GhProperty(f.rule);
    std::string msg = f.message;
    if (!f.help.empty()) msg += "\nhelp: " + f.help;
    out += fmt::format("::{} {}::{}\n", kind, props, GhData(msg));
  }
  return out;
}

constexpr EscapeTable kXml = [] {
  EscapeTable t{};
  // XML 1.0 forbids most control characters even when escaped.
  for (int c = 0; c < 0x20; ++c) {
    if (c != '\n' && c != '\t' && c != '\r') t[c] = " ";
  }
  t['&'] = "&amp;";
  t['<'] = "&lt;";
  t['>'] = "&gt;";
  t['"'] = "&quot;";
  t['\''] = "&apos;";
  return t;
}();

std::string Xml(std::string_view s) {
  return Escape(s, kXml);
}

std::string WriteJunit(const Report& r) {
  // Each finding goes to one test case: the first step it belongs to that ran (a finding that
  // names no step matches every step of its file; one that names its step, that step wherever
  // it points), else the first that matches; findings that match no step (whole-run findings)
  // go into one extra case.
  const std::vector<Step>& steps = r.steps;
  std::unordered_map<std::string, std::vector<std::size_t>> steps_by_file, steps_by_name;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    steps_by_file[steps[i].check + '\0' + steps[i].path].push_back(i);
    steps_by_name[steps[i].check + '\0' + steps[i].name].push_back(i);
  }
  std::vector<std::vector<const Finding*>> of_step(steps.size());
  std::vector<const Finding*> rest;
  for (const Finding& f : r.findings) {
    std::optional<std::size_t> home;
    const auto& candidates = f.step.empty() ? steps_by_file : steps_by_name;
    if (auto it = candidates.find(f.check + '\0' + (f.step.empty() ? f.path : f.step));
        it != candidates.end()) {
      for (const std::size_t i : it->second) {
        if (!f.BelongsTo(steps[i])) continue;
        if (!home) home = i;
        if (!steps[i].skipped) {
          home = i;
          break;
        }
      }
    }
    if (home) {
      of_step[*home].push_back(&f);
    } else {
      rest.push_back(&f);
    }
  }
  std::string cases;
  int failures = 0, skipped = 0;
  auto write_case = [&](const std::string& classname, const std::string& name, double ms,
                        const std::vector<const Finding*>& fs, const Step* step) {
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                         Xml(classname), Xml(name), ms / 1000.0);
    if (fs.empty() && (step == nullptr || !step->skipped)) {
      cases += "/>\n";
      return;
    }
    cases += ">\n";
    if (step != nullptr && step->skipped) {
      ++skipped;
      cases += fmt::format("      <skipped message=\"{}\"/>\n", Xml(step->skip_reason));
    }
    // Notes (info) never fail a case: CI would show a red test for advice. They go to the
    // case's output, where the test report still shows them.
    std::vector<const Finding*> failing;
    std::string notes;
    for (const Finding* f : fs) {
      if (f->severity == Severity::kInfo) {
        notes += Render(f->ToDiagnostic());
      } else {
        failing.push_back(f);
      }
    }
    if (!failing.empty()) {
      ++failures;
      std::string body;
      for (const Finding* f : failing) body += Render(f->ToDiagnostic());
      cases += fmt::format(
          "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
          Xml(failing.size() == 1 ? failing[0]->message
                                  : Plural(static_cast<int>(failing.size()), "finding")),
          Xml(failing[0]->rule), Xml(body));
    }
    if (!notes.empty()) cases += fmt::format("      <system-out>{}</system-out>\n", Xml(notes));
    cases += "    </testcase>\n";
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    write_case(steps[i].check, steps[i].name, steps[i].duration_ms, of_step[i], &steps[i]);
  }
  const int tests = static_cast<int>(steps.size()) + (rest.empty() ? 0 : 1);
  if (!rest.empty()) write_case(r.command, "other findings", 0, rest, nullptr);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // errors="0": every problem found is a failure; the JUnit schema CI tools validate against
  // (Jenkins' junit-10.xsd, fixtures/schemas/) requires the attribute on each testsuite.
  out +=
      fmt::format("<testsuites name=\"stairway {}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
                  Xml(r.command), tests, failures);
  out += fmt::format(
      "  <testsuite name=\"stairway {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
      "skipped=\"{}\">\n",
      Xml(r.command), tests, failures, skipped);
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

constexpr EscapeTable kMdCell = [] {
  EscapeTable t{};
  t['|'] = "\\|";
  t['\n'] = " ";
  t['\r'] = " ";
  return t;
}();

std::string MdCell(std::string_view s) {
  return Escape(s, kMdCell);
}

// A cell's text cut to `max` bytes at a UTF-8 character boundary, with an ellipsis.
std::string Clipped(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

std::string WriteMarkdown(const Report& r) {
  std::string out = fmt::format("## stairway {}\n\n", r.command);
  if (r.findings.empty()) {
    out += fmt::format("No findings in {}.\n", Plural(static_cast<int>(r.steps.size()), "file"));
    return out;
  }
  out += Summary(r) + "\n";
  out += "| Severity | Location | Rule | Lock | Finding |\n|---|---|---|---|---|\n";
  // Rows and the fix of each rule they name, worst first, while the whole document stays under
  // kMarkdownLimit; room is kept for the count of what was left out.
  constexpr std::size_t kRoomForTheRest = 400;
  const std::string fix_heading = "\n**How to fix**\n\n";
  std::vector<std::string_view> seen;
  std::string helps;
  std::size_t listed = 0;
  const std::vector<const Finding*> ordered = WorstFirst(r);
  for (const Finding* f : ordered) {
    std::string where = f->path;
    if (f->line > 0) where += fmt::format(":{}", f->line);
    if (f->line > 0 && f->column > 0) where += fmt::format(":{}", f->column);
    const std::string row = fmt::format(
        "| {} | `{}` | `{}` | {} | {} |\n", SeverityName(f->severity), MdCell(where),
        MdCell(f->rule), f->lock.empty() ? "" : MdCell(f->lock), MdCell(Clipped(f->message, 2000)));
    const bool new_help =
        !f->help.empty() && std::find(seen.begin(), seen.end(), f->rule) == seen.end();
    const std::string help =
        new_help ? fmt::format("- `{}`: {}\n", f->rule, Clipped(f->help, 2000)) : "";
    if (out.size() + row.size() + fix_heading.size() + helps.size() + help.size() +
            kRoomForTheRest >=
        kMarkdownLimit) {
      break;
    }
    out += row;
    if (new_help) {
      seen.push_back(f->rule);
      helps += help;
    }
    ++listed;
  }
  if (listed < ordered.size()) {
    int counts[3] = {0, 0, 0};  // errors, warnings, notes left out
    for (std::size_t i = listed; i < ordered.size(); ++i) {
      const Severity s = ordered[i]->severity;
      ++counts[s == Severity::kError ? 0 : s == Severity::kWarning ? 1 : 2];
    }
    std::vector<std::string> parts;
    const char* words[3] = {"error", "warning", "note"};
    for (int k = 0; k < 3; ++k) {
      if (counts[k] > 0) {
        parts.push_back(fmt::format("{} {}{}", Grouped(static_cast<std::size_t>(counts[k])),
                                    words[k], counts[k] == 1 ? "" : "s"));
      }
    }
    const std::size_t left = ordered.size() - listed;
    // A blank line first: a line right under a table would be read as one more row.
    out += fmt::format(
        "\n... and {} more finding{} ({}): not listed, to stay within GitHub's size limit for a "
        "comment; see the full report (`--report text` or `--report json`)\n",
        Grouped(left), left == 1 ? "" : "s", fmt::join(parts, ", "));
  }
  if (!helps.empty()) out += fix_heading + helps;
  return out;
}

std::string_view CodeQualitySeverity(Severity s) {
  switch (s) {
    case Severity::kError:
      return "critical";
    case Severity::kWarning:
      return "major";
    case Severity::kInfo:
      return "info";
  }
  return "major";
}

// 64-bit FNV-1a of the parts, each followed by a NUL so ("ab","c") and ("a","bc") differ.
std::uint64_t Fnv1a(std::initializer_list<std::string_view> parts, std::uint64_t hash) {
  for (std::string_view part : parts) {
    for (const char c : part) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// GitLab Code Quality: one issue per finding, shown in the merge request's widget and diff.
// GitLab needs a path relative to the repository (whole-run findings take the directory, as in
// SARIF) and a fingerprint unique per issue and stable across runs: a hash of what the finding
// is and where, repeated findings told apart by their count.
std::string WriteCodeQuality(const Report& r) {
  std::string out;
  out.reserve(256 + r.findings.size() * 400);
  JsonWriter w(out);
  const std::string whole_run_path = WholeRunPath(r);
  std::unordered_map<std::uint64_t, int> seen;
  w.BeginArray();
  for (const Finding& f : r.findings) {
    const std::string& path = f.path.empty() ? whole_run_path : f.path;
    const std::string line = std::to_string(f.line);
    std::uint64_t hash = Fnv1a({f.check, f.rule, path, line, f.message}, 0xcbf29ce484222325ULL);
    const std::string nth = std::to_string(seen[hash]++);
    hash = Fnv1a({nth}, hash);
    w.BeginObject();
    if (f.help.empty()) {
      w.Field("description", f.message);
    } else {
      w.Key("description");
      w.Value({f.message, "\nhelp: ", f.help});
    }
    w.Field("check_name", f.rule);
    w.Field("fingerprint", fmt::format("{:016x}{:016x}", hash, Fnv1a({path, nth}, hash)));
    w.Field("severity", CodeQualitySeverity(f.severity));
    w.Key("location");
    w.BeginObject();
    w.Field("path", path.empty() ? std::string(".") : path);
    w.Key("lines");
    w.BeginObject();
    w.Field("begin", std::max(f.line, 1));
    w.EndObject();
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Finish();
  return out;
}

}  // namespace

std::string Write(const Report& report, Format format, const WriteOptions& options) {
  switch (format) {
    case Format::kText:
      return WriteText(report, options);
    case Format::kJson:
      return WriteJson(report, options);
    case Format::kSarif:
      return WriteSarif(report, options);
    case Format::kGithub:
      return WriteGithub(report);
    case Format::kJunit:
      return WriteJunit(report);
    case Format::kMarkdown:
      return WriteMarkdown(report);
    case Format::kCodeQuality:
      return WriteCodeQuality(report);
  }
  return {};
}

}  // namespace stairway::report
