// A small JSON Schema checker for the tests of --report json: python3-jsonschema is not
// installed here, so the documented schema (docs/schemas/) is checked with the keywords it
// uses: $ref (#/$defs/...), type, enum, const, required, properties, additionalProperties,
// items, anyOf, oneOf, allOf. Unknown keywords are an error, so the schema cannot outgrow it.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/support/paths.h"

namespace stairway::testing {

class JsonSchemaChecker {
 public:
  explicit JsonSchemaChecker(const std::string& repo_path)
      : root_(nlohmann::json::parse(std::ifstream(SourceDir() / repo_path))) {}

  // Every violation of `doc` against the schema, as "<pointer>: <what>"; empty when valid.
  std::vector<std::string> Check(const nlohmann::json& doc) const {
    std::vector<std::string> errors;
    CheckAt(root_, doc, "", errors);
    return errors;
  }

 private:
  static bool HasType(const nlohmann::json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    return false;
  }

  void CheckAt(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
               std::vector<std::string>& errors) const {
    static const std::set<std::string> kKnown = {"$schema",
                                                 "$id",
                                                 "title",
                                                 "$defs",
                                                 "$ref",
                                                 "type",
                                                 "enum",
                                                 "const",
                                                 "required",
                                                 "properties",
                                                 "additionalProperties",
                                                 "items",
                                                 "anyOf",
                                                 "oneOf",
                                                 "allOf"};
    for (const auto& [key, value] : schema.items()) {
      if (!kKnown.count(key)) errors.push_back(at + ": schema keyword " + key + " not checked");
    }
    if (schema.contains("$ref")) {
      const std::string ref = schema["$ref"];
      CheckAt(root_.at(nlohmann::json::json_pointer(ref.substr(1))), v, at, errors);
    }
    if (schema.contains("type")) {
      bool ok = false;
      if (schema["type"].is_string()) {
        ok = HasType(v, schema["type"]);
      } else {
        for (const auto& t : schema["type"]) ok = ok || HasType(v, t);
      }
      if (!ok) errors.push_back(at + ": " + v.dump() + " is not of type " + schema["type"].dump());
    }
    if (schema.contains("enum")) {
      bool ok = false;
      for (const auto& e : schema["enum"]) ok = ok || e == v;
      if (!ok) errors.push_back(at + ": " + v.dump() + " not in " + schema["enum"].dump());
    }
    if (schema.contains("const") && schema["const"] != v) {
      errors.push_back(at + ": " + v.dump() + " is not " + schema["const"].dump());
    }
    if (v.is_object()) {
      for (const auto& name : schema.value("required", nlohmann::json::array())) {
        if (!v.contains(name)) errors.push_back(at + ": required " + name.dump() + " missing");
      }
      const nlohmann::json props = schema.value("properties", nlohmann::json::object());
      for (const auto& [key, value] : v.items()) {
        if (props.contains(key)) {
          CheckAt(props[key], value, at + "/" + key, errors);
        } else if (schema.value("additionalProperties", true) == false) {
          errors.push_back(at + ": unexpected field " + key);
        }
      }
    }
    if (v.is_array() && schema.contains("items")) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        CheckAt(schema["items"], v[i], at + "/" + std::to_string(i), errors);
      }
    }
    if (schema.contains("allOf")) {
      for (const auto& sub : schema["allOf"]) CheckAt(sub, v, at, errors);
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      if (!schema.contains(key)) continue;
      int matches = 0;
      std::vector<std::string> why;
      for (const auto& sub : schema[key]) {
        std::vector<std::string> sub_errors;
        CheckAt(sub, v, at, sub_errors);
        if (sub_errors.empty()) ++matches;
        why.insert(why.end(), sub_errors.begin(), sub_errors.end());
      }
      const bool ok = std::string(key) == "anyOf" ? matches > 0 : matches == 1;
      if (!ok) {
        errors.push_back(at + ": " + std::to_string(matches) + " of " + key + " match");
        if (matches == 0) errors.insert(errors.end(), why.begin(), why.end());
      }
    }
  }

  nlohmann::json root_;
};

}  // namespace stairway::testing
