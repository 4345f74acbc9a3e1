#include "text/corpus.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "common/utf8.h"

namespace ningju::text {
namespace {

// SAX handler that keeps the top-level "id" and "text" and nothing else (no DOM is built).
class RecordHandler : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit RecordHandler(CorpusRecord* record) : record_(record) {}

  bool null() override { return Scalar(Kind::kOther); }
  bool boolean(bool) override { return Scalar(Kind::kOther); }
  bool number_integer(number_integer_t v) override { return Number(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Number(std::to_string(v)); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(Kind::kOther); }
  bool string(string_t& v) override {
    if (depth_ == 1) {
      if (key_ == Key::kId) {
        record_->id = std::move(v);
        has_id_ = true;
      } else if (key_ == Key::kText) {
        record_->text = std::move(v);
        has_text_ = true;
      }
    }
    return true;
  }
  bool binary(binary_t&) override { return Scalar(Kind::kOther); }
  bool start_object(std::size_t) override {
    if (depth_ == 0) top_object_ = true;
    return Open();
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = k == "id" ? Key::kId : k == "text" ? Key::kText : Key::kOther;
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> "parse error at column 5: ..."
    if (size_t p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    if (size_t p = what.find("line 1, "); p != std::string::npos) what.erase(p, 8);
    error_ = InvalidArgumentError(Msg("invalid JSON: {}", what));
    return false;
  }

  Status Finish() const {
    if (!error_.ok()) return error_;
    if (!top_object_) return InvalidArgumentError("not a JSON object");
    if (bad_id_) return InvalidArgumentError("field \"id\" must be a string", "id");
    if (bad_text_) return InvalidArgumentError("field \"text\" must be a string", "text");
    if (!has_id_) return InvalidArgumentError("missing field \"id\"", "id");
    if (!has_text_) return InvalidArgumentError("missing field \"text\"", "text");
    return OkStatus();
  }

 private:
  enum class Key { kOther, kId, kText };
  enum class Kind { kOther };

  bool Scalar(Kind) {
    MarkWrongType();
    return true;
  }
  bool Number(std::string digits) {
    if (depth_ == 1 && key_ == Key::kId) {
      record_->id = std::move(digits);
      has_id_ = true;
    } else {
      MarkWrongType();
    }
    return true;
  }
  bool Open() {
    MarkWrongType();
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }
  void MarkWrongType() {
    if (depth_ != 1) return;
    if (key_ == Key::kId) bad_id_ = true;
    if (key_ == Key::kText) bad_text_ = true;
  }

  CorpusRecord* record_;
  int depth_ = 0;
  Key key_ = Key::kOther;
  bool top_object_ = false;
  bool has_id_ = false, has_text_ = false, bad_id_ = false, bad_text_ = false;
  Status error_;
};

}  // namespace

Status ParseCorpusLine(std::string_view line, CorpusRecord* record) {
  if (std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; })) {
    return NotFoundError("blank line");
  }
  if (std::optional<size_t> bad = utf8::FindInvalid(line)) {
    return InvalidArgumentError(Msg("invalid UTF-8 at byte {}", *bad));
  }
  record->id.clear();
  record->text.clear();
  RecordHandler handler(record);
  nlohmann::json::sax_parse(line, &handler, nlohmann::json::input_format_t::json, /*strict=*/true);
  return handler.Finish();
}

Status LineError(uint64_t line_number, const Status& reason) {
  const std::string where = "line " + std::to_string(line_number);
  return Status(reason.code(), where + ": " + reason.message(), where);
}

LineReader::LineReader(std::FILE* file, bool owned, uint64_t total, size_t chunk_bytes)
    : file_(file), owned_(owned), total_bytes_(total), chunk_bytes_(chunk_bytes) {}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

StatusOr<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, size_t chunk_bytes) {
  if (path == "-") {
    return std::unique_ptr<LineReader>(new LineReader(stdin, false, 0, std::max<size_t>(chunk_bytes, 1)));
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    if (err == ENOENT) return NotFoundError(Msg("{}: {}", path, std::strerror(err)));
    return UnavailableError(Msg("{}: {}", path, std::strerror(err)));
  }
  struct stat st {};
  uint64_t total = 0;
  if (fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode)) total = static_cast<uint64_t>(st.st_size);
  return std::unique_ptr<LineReader>(new LineReader(file, true, total, std::max<size_t>(chunk_bytes, 1)));
}

StatusOr<bool> LineReader::Next(LineChunk* chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  if (eof_ && carry_.empty()) return false;
  chunk->data.assign(carry_);  // keeps the chunk's buffer from the last call
  carry_.clear();
  // Read until the chunk holds at least chunk_bytes_ and a newline, or the input ends.
  while (!eof_) {
    const size_t have = chunk->data.size();
    const size_t want = std::max(chunk_bytes_, have / 2 + 1);
    chunk->data.resize(have + want);
    const size_t got = std::fread(chunk->data.data() + have, 1, want, file_);
    chunk->data.resize(have + got);
    if (got < want) {
      if (std::ferror(file_)) return UnavailableError(Msg("read error: {}", std::strerror(errno)));
      eof_ = true;
    }
    if (chunk->data.size() >= chunk_bytes_ && chunk->data.find('\n', have) != std::string::npos) break;
  }
  if (!eof_) {
    const size_t last = chunk->data.rfind('\n');
    carry_.assign(chunk->data, last + 1, std::string::npos);
    chunk->data.resize(last + 1);
  }
  if (chunk->data.empty()) return false;
  chunk->first_line = next_line_;
  chunk->index = next_index_++;
  next_line_ += static_cast<uint64_t>(std::count(chunk->data.begin(), chunk->data.end(), '\n'));
  if (!chunk->data.empty() && chunk->data.back() != '\n') ++next_line_;
  offset_ += chunk->data.size();
  chunk->end_offset = offset_;
  return true;
}

}  // namespace ningju::text
