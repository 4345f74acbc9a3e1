// Text forms both backends share: parameters sent as text, and SQL quoted in internal error messages.
#ifndef NINGJU_STORAGE_INTERNAL_SQL_TEXT_H_
#define NINGJU_STORAGE_INTERNAL_SQL_TEXT_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace ningju::storage::internal {

inline std::string FormatInt(int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

// The shortest text that reads back as the same double ("0.1", "1e+300", "inf", "nan"): SQLite's own conversion
// keeps only 15 significant digits, and PostgreSQL's float8in accepts all of these.
inline std::string FormatDouble(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

// The first 200 bytes of a statement, for kInternal messages.
inline std::string Excerpt(std::string_view sql) {
  constexpr size_t kMax = 200;
  if (sql.size() <= kMax) return std::string(sql);
  return std::string(sql.substr(0, kMax)) + "...";
}

}  // namespace ningju::storage::internal

#endif  // NINGJU_STORAGE_INTERNAL_SQL_TEXT_H_
