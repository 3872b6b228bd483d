// Connection strings as users write them: SQLAlchemy/Alembic URLs turned into libpq ones, passwords
// masked in every form, quoting and database swaps. Pure text functions (no libpq calls).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"

namespace stairway::db {

// A URL as it appears in DATABASE_URL, a .env file or alembic.ini, turned into one libpq accepts:
// postgresql://, postgres://, the SQLAlchemy forms postgresql+asyncpg:// (+psycopg2, +psycopg,
// +pg8000, ...) in any letter case, and key=value strings (checked, returned as written).
// Driver-only query options are dropped (prepared_statement_cache_size, async_fallback,
// server_settings, ...), asyncpg's ssl= becomes sslmode=, and the user info is re-encoded so raw
// '@', '/', '?', '%' in a password reach libpq intact. Error::Input (naming the URL with its
// password masked) for other schemes (mysql://, sqlite:///, the Alembic template placeholder) and
// for text libpq would reject with a message echoing part of it.
Expected<std::string> ToLibpqUrl(std::string_view url);

// "postgresql://u:secret@h/db" -> "postgresql://u:***@h/db". Every form: any scheme, raw '@' '/'
// '?' '%' in the password (masked up to the last '@'), ?password= and ?sslpassword= (key names
// percent-encoded or not), key=value strings (quoted, or unquoted and running on over words
// without '='), user:password@host without a scheme. When unsure, masks too much.
std::string MaskPassword(std::string_view url);

// `text` (a message from libpq, say) with every password `url` carries replaced by ***, as written
// and decoded, and each piece of it three characters or longer (libpq's parse errors echo a word
// of a malformed string).
std::string ScrubPasswords(std::string_view text, std::string_view url);

// `url` with connect_timeout=`seconds` added, unless it sets connect_timeout itself.
std::string WithConnectTimeout(std::string_view url, int seconds);

// Quotes an identifier for SQL ("my table" -> "\"my table\"").
std::string QuoteIdent(std::string_view ident);
// Quotes a string literal ('it''s'); text with a backslash becomes E'a\\b' (backslash doubled).
std::string QuoteLiteral(std::string_view text);
// The same connection URL (URI or key=value form) with its database replaced by `dbname`.
// SQLAlchemy URLs come back as libpq URLs.
std::string WithDatabase(std::string_view url, std::string_view dbname);

// A conninfo (key=value) value in single quotes, with ' and \ escaped as libpq reads them.
std::string QuoteConninfoValue(std::string_view value);

}  // namespace stairway::db
