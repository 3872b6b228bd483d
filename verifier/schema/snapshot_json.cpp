// Snapshot <-> JSON. Keys are written in a fixed order (ordered_json) so the bytes depend only on
// the snapshot's values.
#include "verifier/schema/snapshot_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "runner/common/file.h"
#include "runner/common/text.h"

namespace stairway::schema {
namespace {

// One object on one line; written by hand because it is the hot part of `stairway snapshot`.
void AppendObject(std::string& out, const Object& o) {
  out += "{\"kind\":";
  AppendJsonString(out, o.kind);
  out += ",\"identity\":";
  AppendJsonString(out, o.identity);
  if (!o.parent_kind.empty()) {
    out += ",\"parent\":{\"kind\":";
    AppendJsonString(out, o.parent_kind);
    out += ",\"identity\":";
    AppendJsonString(out, o.parent);
    out += '}';
  }
  out += ",\"attributes\":{";
  bool first = true;
  for (const auto& [name, value] : o.attributes) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, name);
    out += ':';
    if (const auto* text = std::get_if<std::string>(&value)) {
      AppendJsonString(out, *text);
      continue;
    }
    out += '[';
    const auto& items = std::get<std::vector<std::string>>(value);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(out, items[i]);
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
  const std::optional<std::string> text = ReadWholeFile(path);
  if (!text) return Bad(path.string(), "cannot read the file; check the path");
  return SnapshotFromJson(*text, path.string());
}

}  // namespace stairway::schema
