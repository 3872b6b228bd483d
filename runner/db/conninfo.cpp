// Connection-string helpers declared in session.h: password masking, quoting, database swap.
// Both libpq forms are handled: URIs (postgresql://...) and key=value strings.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "runner/db/session.h"

namespace stairway::db {
namespace {

bool IsUri(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// One `key = value` pair of a key=value connection string, as offsets into the text.
struct Pair {
  std::string_view key;
  std::size_t begin = 0;        // start of the key
  std::size_t value_begin = 0;  // start of the value (at the quote when quoted)
  std::size_t end = 0;          // one past the value
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Splits the way libpq's conninfo_parse does; stops quietly at malformed input (libpq will
// report it on connect), returning the pairs found so far.
std::vector<Pair> SplitKeyValue(std::string_view text) {
  std::vector<Pair> pairs;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    while (i < n && IsSpace(text[i])) ++i;
    if (i >= n) break;
    Pair pair;
    pair.begin = i;
    while (i < n && !IsSpace(text[i]) && text[i] != '=') ++i;
    pair.key = text.substr(pair.begin, i - pair.begin);
    while (i < n && IsSpace(text[i])) ++i;
    if (i >= n || text[i] != '=') break;
    ++i;
    while (i < n && IsSpace(text[i])) ++i;
    pair.value_begin = i;
    if (i < n && text[i] == '\'') {
      ++i;
      while (i < n && text[i] != '\'') i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
      if (i < n) ++i;
    } else {
      while (i < n && !IsSpace(text[i])) i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
    }
    pair.end = std::min(i, n);
    pairs.push_back(pair);
  }
  return pairs;
}

std::string QuoteConninfoValue(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

// Masks `password=...` parameters in a URI query string (from `query_begin`, just after '?').
void MaskUriQueryPasswords(std::string& url, std::size_t query_begin) {
  std::size_t i = query_begin;
  while (i < url.size()) {
    std::size_t end = url.find('&', i);
    if (end == std::string::npos) end = url.size();
    if (std::string_view(url).substr(i, end - i).starts_with("password=")) {
      const std::size_t value = i + 9;
      url.replace(value, end - value, "***");
      end = value + 3;
    }
    i = end + 1;
  }
}

}  // namespace

std::string MaskPassword(std::string_view url) {
  if (!IsUri(url)) {
    std::string masked;
    std::size_t copied = 0;
    for (const Pair& pair : SplitKeyValue(url)) {
      if (pair.key != "password") continue;
      masked.append(url.substr(copied, pair.value_begin - copied));
      masked += "***";
      copied = pair.end;
    }
    masked.append(url.substr(copied));
    return masked;
  }
  std::string masked(url);
  const std::size_t start = masked.find("://") + 3;
  std::size_t query = masked.find('?', start);
  // The user info ends at the last '@' before the query: a password with a raw '@' or '/' in it
  // is masked whole rather than leaked.
  const std::size_t at = masked.rfind('@', query == std::string::npos ? masked.size() : query);
  if (at != std::string::npos && at >= start) {
    const std::size_t colon = masked.find(':', start);
    if (colon != std::string::npos && colon < at) {
      masked.replace(colon + 1, at - colon - 1, "***");
    }
  }
  query = masked.find('?', start);
  if (query != std::string::npos) MaskUriQueryPasswords(masked, query + 1);
  return masked;
}

std::string QuoteIdent(std::string_view ident) {
  std::string quoted = "\"";
  for (char c : ident) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  const bool has_backslash = text.find('\\') != std::string_view::npos;
  std::string quoted = has_backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') quoted += c;
    quoted += c;
  }
  return quoted + "'";
}

std::string WithDatabase(std::string_view url, std::string_view dbname) {
  if (!IsUri(url)) {
    std::string result;
    std::size_t copied = 0;
    for (const Pair& pair : SplitKeyValue(url)) {
      if (pair.key != "dbname") continue;
      result.append(url.substr(copied, pair.begin - copied));
      copied = pair.end;
    }
    result.append(url.substr(copied));
    while (!result.empty() && IsSpace(result.back())) result.pop_back();
    if (!result.empty()) result += ' ';
    return result + "dbname=" + QuoteConninfoValue(dbname);
  }
  // Mirrors libpq's URI parser: user info ends at '@' (searched up to the first '/'), the host
  // list at the first '/' or '?'.
  const std::size_t start = url.find("://") + 3;
  std::size_t host = start;
  const std::size_t at_or_slash = url.find_first_of("@/", start);
  if (at_or_slash != std::string_view::npos && url[at_or_slash] == '@') host = at_or_slash + 1;
  std::size_t path = url.find_first_of("/?", host);
  if (path == std::string_view::npos) path = url.size();
  std::size_t query = url.find('?', path);
  if (query == std::string_view::npos) query = url.size();
  std::string result(url.substr(0, path));
  result += '/';
  result += PercentEncode(dbname);
  if (query < url.size()) {
    // Drop dbname=... from the query: libpq lets it override the path.
    std::string params;
    std::size_t i = query + 1;
    while (i <= url.size()) {
      std::size_t end = url.find('&', i);
      if (end == std::string_view::npos) end = url.size();
      const std::string_view param = url.substr(i, end - i);
      if (!param.empty() && !param.starts_with("dbname=")) {
        params += params.empty() ? "?" : "&";
        params += param;
      }
      i = end + 1;
    }
    result += params;
  }
  return result;
}

}  // namespace stairway::db
