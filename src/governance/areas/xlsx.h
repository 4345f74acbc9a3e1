// Office Open XML spreadsheets (.xlsx): reading the first worksheet as text (minizip + expat, streamed), and writing
// one simple sheet (libxlsxwriter). Enough for the rosters staff keep in Excel, WPS or LibreOffice; not a general
// spreadsheet library (no formulas are evaluated: a formula cell reads as its cached value).
#ifndef NINGJU_GOVERNANCE_AREAS_XLSX_H_
#define NINGJU_GOVERNANCE_AREAS_XLSX_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "governance/areas/sheet.h"

namespace ningju::areas {

// Reads the non-blank rows of the first worksheet (workbook order) of the .xlsx archive `bytes`.
// Cells become text: shared and inline strings as written (rich-text runs joined, phonetic runs dropped, _xHHHH_
// escapes decoded); numbers as Excel displays them in General format, to 15 significant digits ("89.5", not
// "89.500000000000014"; 13812345678, not 1.3812345678E10); booleans as "1"/"0"; formula cells as their cached value;
// error cells as their text ("#N/A"). A merged range's value is copied into the range's empty cells on rows that hold
// other values (staff merge the building column). Cell references (C7) place cells; rows and cells without one
// follow the previous one.
// Errors: kInvalidArgument when `bytes` is not a zip archive (an encrypted workbook or an old .xls is named as such),
// a part is missing, damaged or not well-formed XML, or a shared-string index is out of range, naming the part and,
// where it applies, the cell ("row 7, column C" in Status::field()); kResourceExhausted when a part inflates beyond
// its limit or the sheet has more rows, columns, cells or shared strings than `limits` allow (the message names the
// limit; the routes answer 413), or a part declares a DOCTYPE (no entity is ever expanded). The reader streams: each
// part is inflated in 64 KB pieces into an XML event parser, never held whole nor built into a tree, so memory is the
// cells kept and the shared strings, not the size of the XML.
StatusOr<std::vector<SheetRow>> ReadXlsxFirstWorksheet(std::string_view bytes, const SheetLimits& limits = {});

// One column of a written sheet.
struct XlsxColumn {
  enum class Type {
    kText,      // written as a string, never reinterpreted (phone numbers, unit numbers "0101")
    kInteger,   // written as a number when the text is an integer, otherwise as a string
    kDecimal2,  // written as a number shown with two decimals ("0.00") when the text is a decimal number
  };
  std::string header;
  Type type = Type::kText;
  double width = 12;  // in Excel's character units
};

struct XlsxOptions {
  // Sheet name (at most 31 characters, none of []:*?/\); "Sheet1" when empty.
  std::string sheet_name;
  // Strings are written to the shared-strings table (as Excel does) rather than inline. Inline strings let the writer
  // stream rows in constant memory; both read back the same.
  bool shared_strings = false;
};

// Writes a one-sheet workbook: a bold header row, then `rows` (each at most `columns.size()` cells; empty cells are
// left blank), and returns the .xlsx bytes. The workbook goes through a temporary file in the system temporary
// directory, removed before returning. Errors: kInvalidArgument for a bad sheet name or a row wider than the
// columns; kInternal when libxlsxwriter or the file system fails.
StatusOr<std::string> WriteXlsx(const std::vector<XlsxColumn>& columns,
                                const std::vector<std::vector<std::string>>& rows, const XlsxOptions& options = {});

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_XLSX_H_
