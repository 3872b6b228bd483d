// Snapshot <-> JSON. Keys are written in a fixed order (ordered_json) so the bytes depend only on
// the snapshot's values.
#include "verifier/schema/snapshot_json.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace stairway::schema {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when the bytes there are not valid.
std::size_t Utf8Length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;  // overlong
  if (c == 0xED && byte(i + 1) > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && byte(i + 1) > 0x8F) return 0;  // above U+10FFFF
  return n;
}

// A JSON string literal, escaped as nlohmann::json does (so files read back byte-identical);
// invalid UTF-8 (possible from a SQL_ASCII database) becomes U+FFFD.
void AppendString(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = Utf8Length(text, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

// One object on one line; written by hand because it is the hot part of `stairway snapshot`.
void AppendObject(std::string& out, const Object& o) {
  out += "{\"kind\":";
  AppendString(out, o.kind);
  out += ",\"identity\":";
  AppendString(out, o.identity);
  if (!o.parent_kind.empty()) {
    out += ",\"parent\":{\"kind\":";
    AppendString(out, o.parent_kind);
    out += ",\"identity\":";
    AppendString(out, o.parent);
    out += '}';
  }
  out += ",\"attributes\":{";
  bool first = true;
  for (const auto& [name, value] : o.attributes) {
    if (!first) out += ',';
    first = false;
    AppendString(out, name);
    out += ':';
    if (const auto* text = std::get_if<std::string>(&value)) {
      AppendString(out, *text);
      continue;
    }
    out += '[';
    const auto& items = std::get<std::vector<std::string>>(value);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      AppendString(out, items[i]);
    }
    out += ']';
  }
  out += "}}";
}

Error Bad(std::string_view origin, std::string_view what) {
  return Error::Input(fmt::format("{}: {}", origin, what));
}

Expected<Object> ObjectFromJson(const nlohmann::json& j, std::size_t index,
                                std::string_view origin) {
  const std::string where = fmt::format("objects[{}]", index);
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() || !j.contains("identity") ||
      !j["identity"].is_string()) {
    return Bad(origin, where + " needs string fields \"kind\" and \"identity\"");
  }
  Object o;
  o.kind = j["kind"].get<std::string>();
  o.identity = j["identity"].get<std::string>();
  if (j.contains("parent")) {
    const auto& p = j["parent"];
    if (!p.is_object() || !p.contains("kind") || !p["kind"].is_string() ||
        !p.contains("identity") || !p["identity"].is_string()) {
      return Bad(origin, where + ".parent needs string fields \"kind\" and \"identity\"");
    }
    o.parent_kind = p["kind"].get<std::string>();
    o.parent = p["identity"].get<std::string>();
  }
  if (j.contains("attributes")) {
    if (!j["attributes"].is_object()) return Bad(origin, where + ".attributes must be an object");
    for (const auto& [name, value] : j["attributes"].items()) {
      if (value.is_string()) {
        o.attributes.emplace(name, value.get<std::string>());
        continue;
      }
      bool all_strings = value.is_array();
      if (all_strings) {
        for (const auto& item : value) all_strings = all_strings && item.is_string();
      }
      if (!all_strings) {
        return Bad(origin, fmt::format("{}.attributes.{} must be a string or a list of strings",
                                       where, name));
      }
      o.attributes.emplace(name, value.get<std::vector<std::string>>());
    }
  }
  return o;
}

}  // namespace

std::string SnapshotToJson(const Snapshot& snapshot) {
  std::string out = fmt::format("{{\n  \"stairway_snapshot\": {},\n  \"server_version\": {},\n",
                                kSnapshotFormatVersion, snapshot.server_version_num);
  if (snapshot.objects.empty()) return out + "  \"objects\": []\n}\n";
  out += "  \"objects\": [\n";
  for (std::size_t i = 0; i < snapshot.objects.size(); ++i) {
    out += "    ";
    AppendObject(out, snapshot.objects[i]);
    out += i + 1 < snapshot.objects.size() ? ",\n" : "\n";
  }
  return out + "  ]\n}\n";
}

Expected<Snapshot> SnapshotFromJson(std::string_view text, std::string_view origin) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto at = what.find("] "); what.starts_with("[json.exception") && at != std::string::npos) {
      what = what.substr(at + 2);
    }
    return Bad(origin, "not valid JSON: " + what);
  }
  if (!root.is_object() || !root.contains("stairway_snapshot")) {
    return Bad(origin,
               "not a stairway snapshot (no \"stairway_snapshot\" field); "
               "write one with `stairway snapshot`");
  }
  const auto& version = root["stairway_snapshot"];
  if (!version.is_number_integer()) return Bad(origin, "\"stairway_snapshot\" must be a number");
  if (version.get<int>() > kSnapshotFormatVersion || version.get<int>() < 1) {
    return Bad(origin, fmt::format("snapshot format {} is not supported by this stairway (it reads "
                                   "format {}); upgrade stairway or take the snapshot again",
                                   version.get<int>(), kSnapshotFormatVersion));
  }
  Snapshot snapshot;
  if (root.contains("server_version") && root["server_version"].is_number_integer()) {
    snapshot.server_version_num = root["server_version"].get<int>();
  }
  if (!root.contains("objects") || !root["objects"].is_array()) {
    return Bad(origin, "\"objects\" must be a list");
  }
  const auto& objects = root["objects"];
  for (std::size_t i = 0; i < objects.size(); ++i) {
    ASSIGN_OR_RETURN(Object o, ObjectFromJson(objects[i], i, origin));
    snapshot.objects.push_back(std::move(o));
  }
  snapshot.Sort();
  for (std::size_t i = 1; i < snapshot.objects.size(); ++i) {
    if (KeyOf(snapshot.objects[i - 1]) == KeyOf(snapshot.objects[i])) {
      return Bad(origin, fmt::format("{} {} appears twice", snapshot.objects[i].kind,
                                     snapshot.objects[i].identity));
    }
  }
  return snapshot;
}

Expected<Snapshot> ReadSnapshotFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(path.string(), "cannot read the file; check the path");
  std::ostringstream text;
  text << in.rdbuf();
  return SnapshotFromJson(text.str(), path.string());
}

}  // namespace stairway::schema
