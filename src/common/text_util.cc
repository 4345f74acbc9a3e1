#include "common/text_util.h"

#include <charconv>

namespace ningju {

std::string MaskName(std::string_view name) {
  std::string out;
  size_t i = 0;
  bool first = true;
  while (i < name.size()) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    if (first) {
      out.append(name.substr(i, len));
      first = false;
    } else {
      out += '*';
    }
    i += len;
  }
  return out;
}

std::string_view OwnerKindOfName(std::string_view name) {
  static constexpr std::string_view kSuffixes[] = {"公司", "集团",   "中心",   "委员会", "合作社", "银行",   "医院",
                                                   "学校", "学院",   "大学",   "研究所", "研究院", "事务所", "基金会",
                                                   "协会", "幼儿园", "管理局", "管理处", "办事处", "酒店",   "商店",
                                                   "工厂", "Ltd",    "Ltd.",   "Co.",    "Inc.",   "LLC"};
  const std::string_view trimmed = Trim(name);
  for (std::string_view suffix : kSuffixes) {
    if (trimmed.size() > suffix.size() && trimmed.substr(trimmed.size() - suffix.size()) == suffix) {
      return kOwnerOrganization;
    }
  }
  return kOwnerPerson;
}

std::string MaskOwnerName(std::string_view name, std::string_view kind) {
  return kind == kOwnerOrganization ? std::string(name) : MaskName(name);
}

std::string MaskPhone(std::string_view phone) {
  if (phone.empty()) return "";
  if (phone.size() == 11) return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(7));
  if (phone.size() <= 2) return std::string(phone.size(), '*');
  return std::string(phone.size() - 2, '*') + std::string(phone.substr(phone.size() - 2));
}

// The cursor is the keys in base 36 joined by '.', prefixed by 'c': opaque enough for clients, and checked on the
// way back in.
std::string EncodeCursor(const std::vector<int64_t>& keys) {
  std::string out = "c";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += '.';
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, keys[i], 36);
    out.append(buf, end);
  }
  return out;
}

std::optional<std::vector<int64_t>> DecodeCursor(std::string_view cursor, size_t count) {
  if (cursor.size() < 2 || cursor.size() > 100 || cursor[0] != 'c') return std::nullopt;
  cursor.remove_prefix(1);
  std::vector<int64_t> keys;
  while (true) {
    size_t dot = cursor.find('.');
    std::string_view part = cursor.substr(0, dot);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v, 36);
    if (ec != std::errc() || ptr != part.data() + part.size() || part.empty()) return std::nullopt;
    keys.push_back(v);
    if (dot == std::string_view::npos) break;
    cursor.remove_prefix(dot + 1);
  }
  if (keys.size() != count) return std::nullopt;
  return keys;
}

std::string QuoteForMessage(std::string_view text, size_t max_bytes) {
  bool cut = false;
  if (text.size() > max_bytes) {
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // a continuation byte
    text = text.substr(0, end);
    cut = true;
  }
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

StatusOr<int64_t> ParseId(std::string_view text, const std::string& field) {
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return InvalidArgumentError(Msg("{} is not an id", QuoteForMessage(text)), field);
  }
  return id;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace ningju
