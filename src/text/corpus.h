// Reading corpora: JSON lines, one object per line with a string "id" (an integer is accepted and kept as its
// decimal text) and a string "text"; other fields are ignored, blank lines skipped. Lines are numbered from 1.
//
// Errors name the line and the reason, as kInvalidArgument with field "line N":
//   line 3: invalid UTF-8 at byte 17       (byte offset within the line, counted from 0)
//   line 4: invalid JSON: syntax error while parsing object ...
//   line 5: not a JSON object
//   line 6: missing field "text"
//   line 7: field "id" must be a string
#ifndef NINGJU_TEXT_CORPUS_H_
#define NINGJU_TEXT_CORPUS_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ningju::text {

struct CorpusRecord {
  std::string id;
  std::string text;
};

// Parses one line (without its newline). kNotFound for a blank line; kInvalidArgument with the reason otherwise.
// The message does not include the line number (callers add it: see LineError).
Status ParseCorpusLine(std::string_view line, CorpusRecord* record);

// "line N: <reason>" with field "line N".
Status LineError(uint64_t line_number, const Status& reason);

// A block of whole lines of the input and the number of its first line.
struct LineChunk {
  std::string data;  // whole lines, each ending in '\n' (the last one may lack it at end of input)
  uint64_t first_line = 1;
  uint64_t end_offset = 0;  // bytes of input consumed up to the end of this chunk
  uint64_t index = 0;       // 0, 1, 2... in input order
};

// Reads a file (or standard input for "-") in chunks of whole lines. Thread-safe: Next() may be called from many
// threads; chunks come out in input order.
class LineReader {
 public:
  static StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path, size_t chunk_bytes = 4 << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next chunk; false at end of input. kInternal/kUnavailable on a read error.
  StatusOr<bool> Next(LineChunk* chunk);
  // Input size in bytes when known (a regular file), else 0.
  uint64_t total_bytes() const { return total_bytes_; }

 private:
  LineReader(std::FILE* file, bool owned, uint64_t total, size_t chunk_bytes);
  std::mutex mu_;
  std::FILE* file_;
  bool owned_;
  uint64_t total_bytes_;
  size_t chunk_bytes_;
  std::string carry_;  // a partial line left from the previous read
  uint64_t next_line_ = 1;
  uint64_t offset_ = 0;
  uint64_t next_index_ = 0;
  bool eof_ = false;
};

// Calls fn(line_number, line) for each line of `chunk` (newline and a trailing '\r' removed).
template <typename Fn>
void ForEachLine(const LineChunk& chunk, Fn fn) {
  std::string_view data = chunk.data;
  uint64_t line = chunk.first_line;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) end = data.size();
    std::string_view text = data.substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    fn(line, text);
    ++line;
    start = end + 1;
  }
}

}  // namespace ningju::text

#endif  // NINGJU_TEXT_CORPUS_H_
