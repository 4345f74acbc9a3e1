#include "governance/areas/csv.h"

#include <optional>
#include <string>
#include <utility>

#include "common/utf8.h"

namespace ningju::areas {
namespace {

std::string Place(int64_t record, size_t column) {
  return fmt::format("row {}, column {}", record, ColumnLetters(column));
}

bool AllEmpty(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) {
    if (!f.empty()) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::vector<SheetRow>> ParseCsv(std::string_view text, const SheetLimits& limits) {
  // One pass over the bytes. The delimiters are ASCII, so the split is correct even around invalid UTF-8; the first
  // invalid byte is located beforehand and reported when the scan reaches it, with the record and column it is in.
  const std::optional<size_t> invalid_at = utf8::FindInvalid(text);
  size_t i = 0;
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;

  std::vector<SheetRow> rows;
  std::vector<std::string> fields;
  std::string field;
  int64_t record = 1;

  auto check_utf8 = [&](size_t begin, size_t end) -> Status {
    if (invalid_at && *invalid_at >= begin && *invalid_at < end) {
      return InvalidArgumentError(Msg("invalid UTF-8 at byte offset {} of the file", *invalid_at),
                                  Place(record, fields.size()));
    }
    return OkStatus();
  };
  auto end_field = [&]() -> Status {
    if (fields.size() >= limits.max_columns && !field.empty()) {
      return ResourceExhaustedError(Msg("more than {} columns ({})", limits.max_columns, Place(record, fields.size())));
    }
    // Empty fields past the limit are dropped rather than kept: a line of a million commas costs nothing.
    if (fields.size() < limits.max_columns) fields.push_back(std::move(field));
    field.clear();
    return OkStatus();
  };
  auto end_record = [&]() -> Status {
    while (!fields.empty() && fields.back().empty()) fields.pop_back();
    if (!AllEmpty(fields)) {
      if (rows.size() >= limits.max_rows) {
        return ResourceExhaustedError(Msg("more than {} non-blank rows (at row {})", limits.max_rows, record));
      }
      rows.push_back(SheetRow{record, std::move(fields)});
    }
    fields.clear();
    ++record;
    return OkStatus();
  };

  const size_t n = text.size();
  if (i >= n) return rows;
  while (true) {
    // At the start of a field.
    if (i < n && text[i] == '"') {
      const int64_t start_record = record;
      const size_t start_column = fields.size();
      ++i;
      while (true) {
        const size_t quote = text.find('"', i);
        if (quote == std::string_view::npos) {
          return InvalidArgumentError("quoted field is not closed before the end of the file",
                                      Place(start_record, start_column));
        }
        RETURN_IF_ERROR(check_utf8(i, quote));
        // Records are numbered by where they start, so newlines inside quotes do not move the count.
        field.append(text.substr(i, quote - i));
        i = quote + 1;
        if (i < n && text[i] == '"') {
          field.push_back('"');
          ++i;
          continue;
        }
        break;
      }
      if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return InvalidArgumentError(
            "unexpected character after the closing quote of a field (a quote inside a "
            "quoted field must be doubled)",
            Place(record, fields.size()));
      }
    } else {
      const size_t end = text.find_first_of(",\r\n", i);
      const size_t stop = end == std::string_view::npos ? n : end;
      RETURN_IF_ERROR(check_utf8(i, stop));
      field.append(text.substr(i, stop - i));
      i = stop;
    }
    // After a field: a comma, a line end, or the end of the text.
    RETURN_IF_ERROR(end_field());
    if (i >= n) {
      RETURN_IF_ERROR(end_record());
      break;
    }
    if (text[i] == ',') {
      ++i;
      continue;
    }
    // CRLF, LF or a lone CR.
    if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
    ++i;
    RETURN_IF_ERROR(end_record());
    if (i >= n) break;
  }
  return rows;
}

void AppendCsvRecord(const std::vector<std::string>& fields, std::string& out) {
  for (size_t k = 0; k < fields.size(); ++k) {
    if (k > 0) out.push_back(',');
    const std::string& f = fields[k];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out.append(f);
      continue;
    }
    out.push_back('"');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.append("\r\n");
}

}  // namespace ningju::areas
