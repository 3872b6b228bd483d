// Connection-string helpers (conninfo.h): SQLAlchemy URLs to libpq, password masking, quoting,
// database swap. Both libpq forms are handled: URIs (postgresql://...) and key=value strings.
#include "runner/db/conninfo.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stairway::db {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}
std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Where "://" starts when `text` begins with a URI scheme ("postgresql+asyncpg://..."), else npos.
std::size_t SchemeEnd(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == npos || sep == 0 || !IsAlpha(text[0])) return npos;
  for (std::size_t i = 0; i < sep; ++i) {
    const char c = text[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return npos;
  }
  return sep;
}
bool IsUri(std::string_view text) {
  return SchemeEnd(text) != npos;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits stays a literal '%' (libpq would
// refuse it, echoing the text around it).
std::string PercentDecode(std::string_view text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      decoded += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

// Percent-encodes all but unreserved characters and those in `keep`.
std::string PercentEncode(std::string_view text, std::string_view keep = "") {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (IsAlpha(static_cast<char>(c)) || IsDigit(static_cast<char>(c)) || c == '-' || c == '.' ||
        c == '_' || c == '~' || (c > ' ' && c < 0x7f && keep.find(static_cast<char>(c)) != npos)) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

// Characters left as written in a re-encoded database name and query value: libpq reads them
// literally there.
constexpr std::string_view kPathKeep = "/:,;!$'()*@[]+=&";
constexpr std::string_view kQueryValueKeep = "/:,;!$'()*@[]+?";

bool IsPasswordKey(std::string_view key) {
  const std::string lower = Lower(PercentDecode(key));
  return lower == "password" || lower == "sslpassword";
}

// Half-open range [begin, end) of text.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Which '@' ends the user info. kGreedy, for masking: the last '@' before the first '?', else the
// last '@' of all (a raw '?' in a password must not hide it). kStrict, for connecting: the same,
// except that an '@' inside what reads as a query (`?user=a@b`) does not count.
enum class AtRule { kGreedy, kStrict };

// A URI cut the way libpq reads it, with the user info ending at the last '@' (see AtRule).
struct UriParts {
  std::size_t rest = 0;      // just after "://"
  std::size_t at = npos;     // the '@' ending the user info
  std::size_t colon = npos;  // the ':' before the password
  std::size_t host = 0;      // start of the host list
  std::size_t host_end = 0;  // the '/' or '?' after it, or the end
  std::size_t query = npos;  // the '?' starting the query
};

UriParts SplitUri(std::string_view url, AtRule rule) {
  UriParts parts;
  parts.rest = SchemeEnd(url) + 3;
  const std::size_t first_question = url.find('?', parts.rest);
  std::size_t at = npos;
  if (first_question != npos) {
    at = url.rfind('@', first_question);
    if (at != npos && at < parts.rest) at = npos;
  }
  if (at == npos) {
    const std::size_t last = url.rfind('@');
    if (last != npos && last >= parts.rest) {
      const bool in_query = first_question != npos && first_question < last &&
                            url.substr(first_question, last - first_question).find('=') != npos;
      if (rule == AtRule::kGreedy || !in_query) at = last;
    }
  }
  parts.at = at;
  if (at != npos) {
    parts.colon = url.find(':', parts.rest);
    if (parts.colon >= at) parts.colon = npos;
  }
  parts.host = at == npos ? parts.rest : at + 1;
  parts.host_end = std::min(url.find_first_of("/?", parts.host), url.size());
  parts.query = url.find('?', parts.host_end);
  return parts;
}

// One `key=value` parameter of a URI query.
struct QueryParam {
  std::string_view key;  // as written
  Span value;            // empty when there is no '='
  bool has_value = false;
};

// Whether `segment` (text between '&'s) starts like a parameter: a plain word, then '='.
bool LooksLikeParam(std::string_view segment) {
  const std::size_t eq = segment.find('=');
  if (eq == npos || eq == 0) return false;
  for (char c : segment.substr(0, eq)) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '_' && c != '%' && c != '.' && c != '-') return false;
  }
  return true;
}

// The parameters of the query starting at `begin` (just after '?'). A password's value runs on
// over '&' until the next segment that looks like a parameter: a raw '&' in a password must not
// cut it in two (libpq would echo the second half as an unknown parameter).
std::vector<QueryParam> SplitQuery(std::string_view url, std::size_t begin) {
  std::vector<QueryParam> params;
  std::size_t i = begin;
  while (i <= url.size()) {
    std::size_t end = std::min(url.find('&', i), url.size());
    const std::string_view segment = url.substr(i, end - i);
    QueryParam param;
    const std::size_t eq = segment.find('=');
    param.key = segment.substr(0, eq);
    if (eq != npos) {
      param.has_value = true;
      if (IsPasswordKey(param.key)) {
        while (end < url.size()) {
          const std::size_t next = std::min(url.find('&', end + 1), url.size());
          if (LooksLikeParam(url.substr(end + 1, next - end - 1))) break;
          end = next;
        }
      }
      param.value = {i + eq + 1, end};
    }
    if (!segment.empty()) params.push_back(param);
    i = end + 1;
  }
  return params;
}

std::vector<Span> UriPasswordSpans(std::string_view url, AtRule rule) {
  std::vector<Span> spans;
  const UriParts parts = SplitUri(url, rule);
  if (parts.colon != npos) spans.push_back({parts.colon + 1, parts.at});
  if (parts.query != npos) {
    for (const QueryParam& param : SplitQuery(url, parts.query + 1)) {
      if (param.has_value && IsPasswordKey(param.key)) spans.push_back(param.value);
    }
  }
  return spans;
}

// One `key = value` pair of a key=value connection string, as offsets into the text.
struct Pair {
  std::string_view key;
  std::size_t begin = 0;        // start of the key
  std::size_t value_begin = 0;  // start of the value (at the quote when quoted)
  std::size_t end = 0;          // one past the value
  bool quoted = false;
  bool terminated = true;  // false for a quote never closed
};

// A word of a key=value string with no '=' after it (libpq: `missing "=" after ...`).
struct BareWord {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Splits the way libpq's conninfo_parse does, but goes on past malformed parts (bare words),
// which it reports in `bare` when given.
std::vector<Pair> SplitKeyValue(std::string_view text, std::vector<BareWord>* bare = nullptr) {
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
    std::size_t j = i;
    while (j < n && IsSpace(text[j])) ++j;
    if (j >= n || text[j] != '=') {
      if (bare != nullptr) bare->push_back({pair.begin, i});
      continue;
    }
    i = j + 1;
    while (i < n && IsSpace(text[i])) ++i;
    pair.value_begin = i;
    if (i < n && text[i] == '\'') {
      pair.quoted = true;
      ++i;
      while (i < n && text[i] != '\'') i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
      if (i < n) {
        ++i;
      } else {
        pair.terminated = false;
      }
    } else {
      while (i < n && !IsSpace(text[i])) i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
    }
    pair.end = std::min(i, n);
    pairs.push_back(pair);
  }
  return pairs;
}

// Password spans of a key=value string. An unquoted password runs on over the bare words after
// it (`password=two words host=h`: libpq would echo "words"); a value holding a URL (dbname may)
// is masked as one.
std::vector<Span> KeyValuePasswordSpans(std::string_view text) {
  std::vector<Span> spans;
  std::vector<BareWord> bare;
  const std::vector<Pair> pairs = SplitKeyValue(text, &bare);
  for (const Pair& pair : pairs) {
    if (IsPasswordKey(pair.key)) {
      Span span{pair.value_begin, pair.end};
      if (!pair.quoted) {
        // Bare words up to the next pair belong to the password.
        std::size_t next_pair = text.size();
        for (const Pair& other : pairs) {
          if (other.begin > pair.begin) next_pair = std::min(next_pair, other.begin);
        }
        for (const BareWord& word : bare) {
          if (word.begin > span.end && word.end <= next_pair) span.end = word.end;
        }
      }
      spans.push_back(span);
      continue;
    }
    const std::string_view value = text.substr(pair.value_begin, pair.end - pair.value_begin);
    if (IsUri(value)) {
      for (Span inner : UriPasswordSpans(value, AtRule::kGreedy)) {
        spans.push_back({inner.begin + pair.value_begin, inner.end + pair.value_begin});
      }
    }
  }
  return spans;
}

// Where the password sits in `text`, whatever its form.
std::vector<Span> PasswordSpans(std::string_view text, AtRule rule) {
  if (IsUri(text)) return UriPasswordSpans(text, rule);
  std::vector<Span> spans = KeyValuePasswordSpans(text);
  // user:password@host without a scheme, as the first word.
  const std::size_t word_end = std::min(text.find_first_of(" \t\n\r"), text.size());
  const std::string_view word = text.substr(0, word_end);
  const std::size_t at = word.rfind('@');
  const std::size_t colon = word.find(':');
  if (at != npos && colon < at && word.substr(0, colon).find('=') == npos) {
    spans.push_back({colon + 1, at});
  }
  return spans;
}

std::string ReplaceSpans(std::string_view text, std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t copied = 0;
  for (const Span& span : spans) {
    if (span.begin < copied) continue;  // overlapping: already masked
    out.append(text.substr(copied, span.begin - copied));
    out += "***";
    copied = std::max(span.end, span.begin);
  }
  out.append(text.substr(std::min(copied, text.size())));
  return out;
}

// SQLAlchemy drivers whose URLs name a PostgreSQL database.
constexpr std::array<std::string_view, 7> kDrivers = {
    "asyncpg", "psycopg2", "psycopg", "psycopg_async", "psycopg2cffi", "pg8000", "pygresql"};

// Query options that belong to a Python driver or to SQLAlchemy, not to libpq (which refuses
// unknown ones): dropped.
constexpr std::array<std::string_view, 14> kDriverOptions = {
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
    "async_fallback",
    "server_settings",
    "command_timeout",
    "statement_cache_size",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "direct_tls",
    "timeout",
    "prepare_threshold",
    "ssl_context",
    "tcp_keepalive",
    "plugin",
};

// asyncpg's ssl= as libpq's sslmode; nullopt for a value neither knows.
std::optional<std::string> SslMode(std::string_view ssl) {
  const std::string value = Lower(ssl);
  for (std::string_view mode :
       {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}) {
    if (value == mode) return value;
  }
  if (value == "true" || value == "1" || value == "yes" || value == "on") return "require";
  if (value == "false" || value == "0" || value == "no" || value == "off") return "disable";
  return std::nullopt;
}

constexpr std::string_view kExpected =
    "expected postgresql://user:password@host:5432/dbname (postgres:// and the SQLAlchemy forms "
    "postgresql+asyncpg://, +psycopg2, +psycopg, +pg8000 work too) or key=value settings such as "
    "\"host=db dbname=app\"";

Expected<std::string> CheckKeyValue(std::string_view text) {
  std::vector<BareWord> bare;
  const std::vector<Pair> pairs = SplitKeyValue(text, &bare);
  // The offending word is not named: it may be part of a password.
  if (!bare.empty()) {
    return Error::Input(fmt::format(
        "\"{}\" is not a valid key=value connection string: it has a word without \"=\" after "
        "it; a value with spaces must be in single quotes (password='two words'); {}",
        MaskPassword(text), kExpected));
  }
  for (const Pair& pair : pairs) {
    if (!pair.terminated) {
      return Error::Input(fmt::format(
          "\"{}\" is not a valid key=value connection string: a quote is never closed; {}",
          MaskPassword(text), kExpected));
    }
  }
  return std::string(text);
}

// One host of asyncpg's repeated ?host=h:port, split into host and port ("" when none).
std::pair<std::string, std::string> SplitHostPort(const std::string& host) {
  if (host.starts_with('/')) return {host, ""};
  const std::size_t colon = host.rfind(':');
  const std::size_t bracket = host.rfind(']');  // [::1]:5432: the port follows the bracket
  if (colon == std::string::npos ||
      (host.starts_with('[') && (bracket == std::string::npos || colon < bracket))) {
    return {host, ""};
  }
  const std::string port = host.substr(colon + 1);
  if (port.empty() || !std::all_of(port.begin(), port.end(), IsDigit)) return {host, ""};
  return {host.substr(0, colon), port};
}

Expected<std::string> ConvertUri(std::string_view url) {
  const std::size_t scheme_end = SchemeEnd(url);
  const std::string scheme = Lower(url.substr(0, scheme_end));
  const std::size_t plus = scheme.find('+');
  const std::string base = scheme.substr(0, plus);
  const std::string driver = plus == std::string::npos ? "" : scheme.substr(plus + 1);
  if (scheme == "driver") {
    return Error::Input(fmt::format(
        "\"{}\" is the placeholder of Alembic's alembic.ini template, not a database URL; {}",
        MaskPassword(url), kExpected));
  }
  if (base != "postgresql" && base != "postgres") {
    return Error::Input(fmt::format(
        "\"{}\" is not a PostgreSQL URL (scheme \"{}\"): stairway works with PostgreSQL only; {}",
        MaskPassword(url), url.substr(0, scheme_end), kExpected));
  }
  if (!driver.empty() && std::find(kDrivers.begin(), kDrivers.end(), driver) == kDrivers.end()) {
    return Error::Input(
        fmt::format("\"{}\": unknown PostgreSQL driver \"{}\" in the URL's scheme; {}",
                    MaskPassword(url), driver, kExpected));
  }
  const UriParts parts = SplitUri(url, AtRule::kStrict);
  std::string out = base + "://";
  if (parts.at != npos) {
    const std::size_t user_end = parts.colon == npos ? parts.at : parts.colon;
    out += PercentEncode(PercentDecode(url.substr(parts.rest, user_end - parts.rest)));
    if (parts.colon != npos) {
      out += ':';
      out += PercentEncode(PercentDecode(url.substr(parts.colon + 1, parts.at - parts.colon - 1)));
    }
    out += '@';
  }
  out.append(url.substr(parts.host, parts.host_end - parts.host));
  const std::size_t path_end = parts.query == npos ? url.size() : parts.query;
  if (parts.host_end < path_end && url[parts.host_end] == '/') {
    out += '/';
    out += PercentEncode(
        PercentDecode(url.substr(parts.host_end + 1, path_end - parts.host_end - 1)), kPathKeep);
  }
  if (parts.query == npos) return out;

  std::vector<std::pair<std::string, std::string>> params;  // decoded
  std::optional<std::string> ssl;
  std::vector<std::string> hosts;
  bool has_sslmode = false;
  for (const QueryParam& param : SplitQuery(url, parts.query + 1)) {
    const std::string key = PercentDecode(param.key);
    const std::string value =
        PercentDecode(url.substr(param.value.begin, param.value.end - param.value.begin));
    if (std::find(kDriverOptions.begin(), kDriverOptions.end(), key) != kDriverOptions.end()) {
      continue;
    }
    if (key == "ssl") {
      ssl = value;
      continue;
    }
    if (key == "sslmode") has_sslmode = true;
    if (key == "host") hosts.push_back(value);
    params.emplace_back(key, value);
  }
  if (ssl && !has_sslmode) {
    const std::optional<std::string> mode = SslMode(*ssl);
    if (!mode) {
      return Error::Input(fmt::format(
          "\"{}\": ssl={} is not a mode stairway knows; use ssl= or sslmode= with disable, allow, "
          "prefer, require, verify-ca or verify-full",
          MaskPassword(url), *ssl));
    }
    params.emplace_back("sslmode", *mode);
  }
  if (hosts.size() > 1) {
    // asyncpg's repeated ?host=h1:5432&host=h2:5433 is libpq's host=h1,h2&port=5432,5433.
    std::string host_list;
    std::string port_list;
    bool any_port = false;
    for (const std::string& host : hosts) {
      auto [name, port] = SplitHostPort(host);
      any_port = any_port || !port.empty();
      host_list += (host_list.empty() ? "" : ",") + name;
      port_list += (&host == &hosts.front() ? "" : ",") + port;
    }
    std::erase_if(params, [](const auto& p) { return p.first == "host"; });
    params.emplace_back("host", host_list);
    if (any_port) {
      std::erase_if(params, [](const auto& p) { return p.first == "port"; });
      params.emplace_back("port", port_list);
    }
  }
  char separator = '?';
  for (const auto& [key, value] : params) {
    out += separator;
    out += PercentEncode(key);
    out += '=';
    out += PercentEncode(value, kQueryValueKeep);
    separator = '&';
  }
  return out;
}

}  // namespace

std::string QuoteConninfoValue(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

Expected<std::string> ToLibpqUrl(std::string_view input) {
  const std::string_view url = TrimSpace(input);
  if (url.empty()) return Error::Input(fmt::format("the database URL is empty; {}", kExpected));
  if (IsUri(url)) return ConvertUri(url);
  if (url.find("://") == npos && url.find('=') != npos) return CheckKeyValue(url);
  return Error::Input(
      fmt::format("\"{}\" is not a PostgreSQL connection URL; {}", MaskPassword(url), kExpected));
}

std::string MaskPassword(std::string_view url) {
  return ReplaceSpans(url, PasswordSpans(url, AtRule::kGreedy));
}

std::string ScrubPasswords(std::string_view text, std::string_view url) {
  std::vector<std::string> secrets;
  auto collect = [&secrets](std::string_view from) {
    for (AtRule rule : {AtRule::kGreedy, AtRule::kStrict}) {
      for (const Span& span : PasswordSpans(from, rule)) {
        const std::string raw(from.substr(span.begin, span.end - span.begin));
        secrets.push_back(raw);
        secrets.push_back(PercentDecode(raw));
        // Pieces: libpq echoes one word of a malformed string, or a quoted value unescaped.
        std::string piece;
        for (char c : raw + " ") {
          if (IsSpace(c) || c == '&' || c == '\'' || c == '"' || c == '\\' || c == '=') {
            if (piece.size() >= 3) secrets.push_back(piece);
            piece.clear();
          } else {
            piece += c;
          }
        }
      }
    }
  };
  collect(url);
  if (Expected<std::string> converted = ToLibpqUrl(url); converted.ok()) collect(converted.value());
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    // A password of one or two characters would match all over the text: only where libpq
    // quotes it whole.
    const std::string target = secret.size() >= 3 ? secret : "\"" + secret + "\"";
    const std::string mask = secret.size() >= 3 ? "***" : "\"***\"";
    for (std::size_t at = out.find(target); at != std::string::npos;
         at = out.find(target, at + mask.size())) {
      out.replace(at, target.size(), mask);
    }
  }
  return out;
}

std::string WithConnectTimeout(std::string_view url, int seconds) {
  std::string out(url);
  if (IsUri(url)) {
    const UriParts parts = SplitUri(url, AtRule::kStrict);
    if (parts.query != npos) {
      for (const QueryParam& param : SplitQuery(url, parts.query + 1)) {
        if (PercentDecode(param.key) == "connect_timeout") return out;
      }
    }
    return out + (parts.query == npos ? "?" : "&") + fmt::format("connect_timeout={}", seconds);
  }
  for (const Pair& pair : SplitKeyValue(url)) {
    if (pair.key == "connect_timeout") return out;
  }
  while (!out.empty() && IsSpace(out.back())) out.pop_back();
  return out + (out.empty() ? "" : " ") + fmt::format("connect_timeout={}", seconds);
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

std::string WithDatabase(std::string_view url_in, std::string_view dbname) {
  if (!IsUri(url_in)) {
    std::string result;
    std::size_t copied = 0;
    for (const Pair& pair : SplitKeyValue(url_in)) {
      if (pair.key != "dbname") continue;
      result.append(url_in.substr(copied, pair.begin - copied));
      copied = pair.end;
    }
    result.append(url_in.substr(copied));
    while (!result.empty() && IsSpace(result.back())) result.pop_back();
    if (!result.empty()) result += ' ';
    return result + "dbname=" + QuoteConninfoValue(dbname);
  }
  // A SQLAlchemy URL (or one with raw characters in its password) becomes the libpq URL the
  // session will connect with; the database goes into its path.
  Expected<std::string> converted = ToLibpqUrl(url_in);
  const std::string url = converted.ok() ? std::move(converted).value() : std::string(url_in);
  const UriParts parts = SplitUri(url, AtRule::kStrict);
  std::string result = url.substr(0, parts.host_end);
  result += '/';
  result += PercentEncode(dbname);
  if (parts.query != npos) {
    // Drop dbname=... from the query: libpq lets it override the path.
    std::string params;
    for (const QueryParam& param : SplitQuery(url, parts.query + 1)) {
      if (PercentDecode(param.key) == "dbname") continue;
      const std::size_t begin = static_cast<std::size_t>(param.key.data() - url.data());
      const std::size_t end = param.has_value ? param.value.end : begin + param.key.size();
      params += params.empty() ? "?" : "&";
      params += url.substr(begin, end - begin);
    }
    result += params;
  }
  return result;
}

}  // namespace stairway::db
