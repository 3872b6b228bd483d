// Forgiving read access to libpg_query's JSON parse trees (internal to runner/sql), on top of
// simdjson's DOM: a missing member or a value of the wrong type reads as empty, so the
// converter in parse.cpp can ask for what it wants without checking every step.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace stairway::sql::json {

class Value;

// The elements of a JSON array (empty for anything else), for range-for.
class ArrayRange {
 public:
  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(simdjson::dom::array::iterator it) : it_(it) {}
    Value operator*() const;
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return it_ != o.it_; }

   private:
    simdjson::dom::array::iterator it_;
  };
  ArrayRange() = default;
  explicit ArrayRange(simdjson::dom::array a) : array_(a), valid_(true) {}
  Iterator begin() const { return valid_ ? Iterator(array_.begin()) : Iterator(); }
  Iterator end() const { return valid_ ? Iterator(array_.end()) : Iterator(); }

 private:
  simdjson::dom::array array_;
  bool valid_ = false;
};

// The member values of a JSON object (empty for anything else), for range-for.
class MemberRange {
 public:
  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(simdjson::dom::object::iterator it) : it_(it) {}
    Value operator*() const;
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return it_ != o.it_; }

   private:
    simdjson::dom::object::iterator it_;
  };
  MemberRange() = default;
  explicit MemberRange(simdjson::dom::object o) : object_(o), valid_(true) {}
  Iterator begin() const { return valid_ ? Iterator(object_.begin()) : Iterator(); }
  Iterator end() const { return valid_ ? Iterator(object_.end()) : Iterator(); }

 private:
  simdjson::dom::object object_;
  bool valid_ = false;
};

// A cheap handle on one element; default-constructed (or missing) it is invalid and empty.
class Value {
 public:
  Value() = default;
  explicit Value(simdjson::dom::element e) : element_(e), valid_(true) {}
  bool valid() const { return valid_; }
  bool IsObject() const { return Is(simdjson::dom::element_type::OBJECT); }
  bool IsArray() const { return Is(simdjson::dom::element_type::ARRAY); }

  // Object member by name (never empty).
  Value operator[](std::string_view key) const {
    simdjson::dom::object o;
    if (!valid_ || element_.get_object().get(o) != simdjson::SUCCESS) return {};
    for (auto it = o.begin(), end = o.end(); it != end; ++it) {
      if (KeyIs(it, key)) return Value(it.value());
    }
    return {};
  }
  // Several members in one pass over the object (each invalid when absent): the converter
  // reads many, mostly absent, members of the same objects.
  template <std::size_t N>
  std::array<Value, N> Pick(const std::array<std::string_view, N>& keys) const {
    std::array<Value, N> out;
    simdjson::dom::object o;
    if (!valid_ || element_.get_object().get(o) != simdjson::SUCCESS) return out;
    for (auto it = o.begin(), end = o.end(); it != end; ++it) {
      for (std::size_t i = 0; i < N; ++i) {
        if (KeyIs(it, keys[i])) {
          out[i] = Value(it.value());
          break;
        }
      }
    }
    return out;
  }
  std::string_view Str() const {  // "" unless a string
    std::string_view s;
    return valid_ && element_.get_string().get(s) == simdjson::SUCCESS ? s : std::string_view();
  }
  std::int64_t Int(std::int64_t fallback = 0) const {
    std::int64_t n = 0;
    return valid_ && element_.get_int64().get(n) == simdjson::SUCCESS ? n : fallback;
  }
  bool Bool() const {  // false unless true
    bool b = false;
    return valid_ && element_.get_bool().get(b) == simdjson::SUCCESS && b;
  }
  // The first member of an object ({"IndexStmt": {...}} holds just one): its key and value.
  std::string_view FirstKey() const {
    simdjson::dom::object o;
    if (!valid_ || element_.get_object().get(o) != simdjson::SUCCESS || o.size() == 0) return {};
    return o.begin().key();
  }
  Value First() const {
    simdjson::dom::object o;
    if (!valid_ || element_.get_object().get(o) != simdjson::SUCCESS || o.size() == 0) return {};
    return Value(o.begin().value());
  }
  ArrayRange Items() const {
    simdjson::dom::array a;
    if (!valid_ || element_.get_array().get(a) != simdjson::SUCCESS) return {};
    return ArrayRange(a);
  }
  MemberRange Members() const {
    simdjson::dom::object o;
    if (!valid_ || element_.get_object().get(o) != simdjson::SUCCESS) return {};
    return MemberRange(o);
  }
  std::size_t Size() const {  // elements of an array, else 0
    simdjson::dom::array a;
    return valid_ && element_.get_array().get(a) == simdjson::SUCCESS ? a.size() : 0;
  }
  Value At(std::size_t index) const {  // array element, or invalid
    simdjson::dom::array a;
    simdjson::dom::element v;
    if (!valid_ || element_.get_array().get(a) != simdjson::SUCCESS ||
        a.at(index).get(v) != simdjson::SUCCESS) {
      return {};
    }
    return Value(v);
  }

 private:
  bool Is(simdjson::dom::element_type t) const { return valid_ && element_.type() == t; }
  static bool KeyIs(const simdjson::dom::object::iterator& it, std::string_view key) {
    if (it.key_length() != key.size()) return false;
    const char* k = it.key_c_str();
    return k[0] == key[0] && std::memcmp(k, key.data(), key.size()) == 0;
  }

  simdjson::dom::element element_;
  bool valid_ = false;
};

inline Value ArrayRange::Iterator::operator*() const {
  return Value(*it_);
}
inline Value MemberRange::Iterator::operator*() const {
  return Value((*it_).value);
}

}  // namespace stairway::sql::json
