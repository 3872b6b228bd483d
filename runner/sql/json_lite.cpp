// The small JSON reader behind the typed views (see json_lite.h for why it exists).
#include "runner/sql/json_lite.h"

#include <cctype>
#include <charconv>

namespace stairway::sql::json {

Type Value::type() const {
  return doc_->node(index_).type;
}

Value Value::operator[](std::string_view key) const {
  if (!valid()) return {};
  const Node& n = doc_->node(index_);
  if (n.type != Type::kObject) return {};
  for (std::int32_t c = n.first_child; c >= 0; c = doc_->node(c).next) {
    if (doc_->node(c).key == key) return {doc_, c};
  }
  return {};
}

std::string_view Value::Str() const {
  if (!valid() || type() != Type::kString) return {};
  return doc_->node(index_).str;
}

std::int64_t Value::Int(std::int64_t fallback) const {
  if (!valid() || type() != Type::kNumber) return fallback;
  return doc_->node(index_).number;
}

bool Value::Bool() const {
  return valid() && type() == Type::kBool && doc_->node(index_).boolean;
}

std::string_view Value::FirstKey() const {
  if (!IsObject()) return {};
  const std::int32_t c = doc_->node(index_).first_child;
  return c >= 0 ? doc_->node(c).key : std::string_view();
}

Value Value::First() const {
  if (!IsObject()) return {};
  const std::int32_t c = doc_->node(index_).first_child;
  return c >= 0 ? Value(doc_, c) : Value();
}

std::vector<Value> Value::Items() const {
  std::vector<Value> out;
  if (!valid()) return out;
  for (std::int32_t c = doc_->node(index_).first_child; c >= 0; c = doc_->node(c).next) {
    out.emplace_back(doc_, c);
  }
  return out;
}

std::string_view Value::key() const {
  return valid() ? doc_->node(index_).key : "";
}

void Document::SkipSpace() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' ||
                                 text_[pos_] == '\r')) {
    ++pos_;
  }
}

namespace {
void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

bool Document::ParseString(std::string_view& out) {
  if (pos_ >= text_.size() || text_[pos_] != '"') return false;
  const std::size_t start = ++pos_;
  while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\') ++pos_;
  if (pos_ >= text_.size()) return false;
  if (text_[pos_] == '"') {
    out = text_.substr(start, pos_ - start);
    ++pos_;
    return true;
  }
  // Escapes present: build the unescaped copy.
  std::string s(text_.substr(start, pos_ - start));
  while (pos_ < text_.size() && text_[pos_] != '"') {
    char c = text_[pos_++];
    if (c != '\\') {
      s += c;
      continue;
    }
    if (pos_ >= text_.size()) return false;
    c = text_[pos_++];
    switch (c) {
      case 'n':
        s += '\n';
        break;
      case 't':
        s += '\t';
        break;
      case 'r':
        s += '\r';
        break;
      case 'b':
        s += '\b';
        break;
      case 'f':
        s += '\f';
        break;
      case 'u': {
        if (pos_ + 4 > text_.size()) return false;
        std::uint32_t cp = 0;
        auto r = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, cp, 16);
        if (r.ec != std::errc()) return false;
        pos_ += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 <= text_.size() && text_[pos_] == '\\' &&
            text_[pos_ + 1] == 'u') {
          std::uint32_t low = 0;
          std::from_chars(text_.data() + pos_ + 2, text_.data() + pos_ + 6, low, 16);
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            pos_ += 6;
          }
        }
        AppendUtf8(s, cp);
        break;
      }
      default:
        s += c;
    }
  }
  if (pos_ >= text_.size()) return false;
  ++pos_;
  unescaped_.push_back(std::move(s));
  out = unescaped_.back();
  return true;
}

bool Document::ParseValue(std::int32_t index, int depth) {
  if (depth > 10000) return false;
  SkipSpace();
  if (pos_ >= text_.size()) return false;
  const char c = text_[pos_];
  if (c == '{' || c == '[') {
    const bool object = c == '{';
    nodes_[index].type = object ? Type::kObject : Type::kArray;
    ++pos_;
    SkipSpace();
    const char close = object ? '}' : ']';
    if (pos_ < text_.size() && text_[pos_] == close) {
      ++pos_;
      return true;
    }
    std::int32_t prev = -1;
    while (true) {
      SkipSpace();
      std::string_view key;
      if (object) {
        if (!ParseString(key)) return false;
        SkipSpace();
        if (pos_ >= text_.size() || text_[pos_] != ':') return false;
        ++pos_;
      }
      const auto child = static_cast<std::int32_t>(nodes_.size());
      nodes_.emplace_back();
      nodes_[child].key = key;
      if (prev < 0) {
        nodes_[index].first_child = child;
      } else {
        nodes_[prev].next = child;
      }
      prev = child;
      if (!ParseValue(child, depth + 1)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return false;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] != close) return false;
      ++pos_;
      return true;
    }
  }
  if (c == '"') {
    nodes_[index].type = Type::kString;
    return ParseString(nodes_[index].str);
  }
  if (text_.compare(pos_, 4, "true") == 0 || text_.compare(pos_, 5, "false") == 0) {
    nodes_[index].type = Type::kBool;
    nodes_[index].boolean = c == 't';
    pos_ += c == 't' ? 4 : 5;
    return true;
  }
  if (text_.compare(pos_, 4, "null") == 0) {
    pos_ += 4;
    return true;
  }
  // Numbers: integers are what the parse tree holds; fractions are read and truncated.
  std::size_t end = pos_;
  while (end < text_.size() &&
         (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '-' ||
          text_[end] == '+' || text_[end] == '.' || text_[end] == 'e' || text_[end] == 'E')) {
    ++end;
  }
  if (end == pos_) return false;
  nodes_[index].type = Type::kNumber;
  std::from_chars(text_.data() + pos_, text_.data() + end, nodes_[index].number);
  pos_ = end;
  return true;
}

bool Document::Parse(std::string_view text) {
  text_ = text;
  pos_ = 0;
  nodes_.clear();
  unescaped_.clear();
  nodes_.reserve(text.size() / 16 + 4);
  nodes_.emplace_back();
  return ParseValue(0, 0);
}

}  // namespace stairway::sql::json
