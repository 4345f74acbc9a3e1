#include "http/multipart.h"

#include <algorithm>
#include <cctype>

namespace ningju::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The value of `key` in a header's parameters (`form-data; name="file"; filename="a.csv"`), unquoted.
std::string Parameter(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t semi = header.find(';', pos);
    std::string_view item = header.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    pos = semi == std::string_view::npos ? header.size() : semi + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || Lower(item.substr(0, eq)) != key) continue;
    std::string_view value = item.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return "";
}

}  // namespace

StatusOr<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body, size_t max_parts) {
  if (Lower(content_type.substr(0, 19)) != "multipart/form-data") {
    return InvalidArgumentError("expected multipart/form-data", "Content-Type");
  }
  const std::string boundary = Parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    return InvalidArgumentError("multipart body without a usable boundary", "Content-Type");
  }
  const std::string delimiter = "--" + boundary;
  std::vector<FormPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return InvalidArgumentError("multipart body without its boundary", "body");
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return InvalidArgumentError("malformed multipart delimiter line", "body");
    pos += 2;
    size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return InvalidArgumentError("a multipart part has no header end", "body");
    FormPart part;
    std::string_view head = body.substr(pos, head_end - pos);
    size_t line_start = 0;
    bool has_disposition = false;
    while (line_start <= head.size()) {
      size_t line_end = head.find("\r\n", line_start);
      std::string_view line =
          head.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name = Lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-disposition") {
          has_disposition = true;
          part.name = Parameter(value, "name");
          part.filename = Parameter(value, "filename");
        } else if (name == "content-type") {
          part.content_type = std::string(value);
        }
      }
      if (line_end == std::string_view::npos) break;
      line_start = line_end + 2;
    }
    if (!has_disposition || part.name.empty()) {
      return InvalidArgumentError("a multipart part has no Content-Disposition name", "body");
    }
    size_t content_start = head_end + 4;
    size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) {
      return InvalidArgumentError("the multipart body ends before its closing boundary (truncated upload?)", "body");
    }
    part.body = std::string(body.substr(content_start, next - content_start));
    parts.push_back(std::move(part));
    if (parts.size() > max_parts) return InvalidArgumentError("too many parts in the form", "body");
    pos = next + 2;
  }
}

}  // namespace ningju::http
