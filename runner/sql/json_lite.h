// A small read-only JSON document for libpg_query's parse trees (internal to runner/sql).
// nlohmann::json is several times slower on these trees and simdjson is not linked; the trees
// are well-formed and small per statement, so a flat node array with sibling links suffices.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace stairway::sql::json {

enum class Type : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

struct Node {
  Type type = Type::kNull;
  bool boolean = false;
  std::int64_t number = 0;
  std::string_view str;  // string value
  std::string_view key;  // member name when the node is an object member
  std::int32_t first_child = -1;
  std::int32_t next = -1;
};

class Document;

// A cheap handle on a node; a missing member is an invalid Value that reads as empty.
class Value {
 public:
  Value() = default;
  Value(const Document* doc, std::int32_t index) : doc_(doc), index_(index) {}
  bool valid() const { return index_ >= 0; }
  Type type() const;
  bool IsObject() const { return valid() && type() == Type::kObject; }
  Value operator[](std::string_view key) const;  // object member
  std::string_view Str() const;                  // "" unless a string
  std::int64_t Int(std::int64_t fallback = 0) const;
  bool Bool() const;  // false unless true
  // The single member of an object ({"IndexStmt": {...}}): its key and value.
  std::string_view FirstKey() const;
  Value First() const;
  // Children of an array or members of an object.
  std::vector<Value> Items() const;
  std::string_view key() const;

 private:
  const Document* doc_ = nullptr;
  std::int32_t index_ = -1;
};

class Document {
 public:
  // False on malformed input.
  bool Parse(std::string_view text);
  Value root() const { return nodes_.empty() ? Value() : Value(this, 0); }
  const Node& node(std::int32_t i) const { return nodes_[i]; }

 private:
  bool ParseValue(std::int32_t index, int depth);
  bool ParseString(std::string_view& out);
  void SkipSpace();
  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<Node> nodes_;
  std::deque<std::string> unescaped_;
};

}  // namespace stairway::sql::json
