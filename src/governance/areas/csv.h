// RFC 4180 CSV, as spreadsheets write it: UTF-8 with an optional byte-order mark, comma-separated, records ended by
// CRLF, LF or CR, fields optionally in double quotes (a quoted field may hold commas, CR/LF and "" for one quote).
#ifndef NINGJU_GOVERNANCE_AREAS_CSV_H_
#define NINGJU_GOVERNANCE_AREAS_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "governance/areas/sheet.h"

namespace ningju::areas {

// Parses `text` into its non-blank records (a record whose fields are all empty is skipped, but still counted in the
// numbering). A quote inside an unquoted field is taken literally, as spreadsheets do.
// Errors, each naming the record ("row 7") and column in Status::field():
//   kInvalidArgument: invalid UTF-8 (with its byte offset in the file, the BOM included), an unterminated quoted
//     field (naming the row where it starts), a character other than a comma or line end after a closing quote;
//   kResourceExhausted: more than `limits.max_rows` non-blank records or a value beyond `limits.max_columns`.
StatusOr<std::vector<SheetRow>> ParseCsv(std::string_view text, const SheetLimits& limits = {});

// Appends one record to `out`: fields joined by commas, quoted when they hold a comma, quote, CR or LF (quotes
// doubled), ended by CRLF.
void AppendCsvRecord(const std::vector<std::string>& fields, std::string& out);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_CSV_H_
