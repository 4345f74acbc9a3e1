#include "governance/decisions/ics.h"

#include <fmt/format.h>

namespace ningju::decisions {
namespace {

constexpr size_t kMaxOctets = 75;

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string IcsEscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
      case ';':
      case ',':
        out += '\\';
        out += c;
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        // Other control characters are not allowed in TEXT (RFC 5545 §3.3.11); tabs are.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') break;
        if (c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

std::string IcsFoldLine(std::string_view line) {
  std::string out;
  size_t pos = 0;
  bool first = true;
  do {
    // A continuation line starts with a space, which counts toward its 75 octets.
    const size_t room = first ? kMaxOctets : kMaxOctets - 1;
    size_t take = std::min(room, line.size() - pos);
    if (pos + take < line.size()) {
      // Step back to the start of a UTF-8 sequence so that no character is split between lines.
      while (take > 0 && IsContinuation(static_cast<unsigned char>(line[pos + take]))) --take;
      if (take == 0) take = std::min(room, line.size() - pos);  // not UTF-8: fold anyway
    }
    if (!first) out += ' ';
    out.append(line.substr(pos, take));
    out += "\r\n";
    pos += take;
    first = false;
  } while (pos < line.size());
  return out;
}

std::string WriteCalendar(std::string_view prodid, std::string_view name, const std::vector<IcsEvent>& events) {
  std::string out;
  auto line = [&](std::string_view name_and_value) { out += IcsFoldLine(name_and_value); };
  auto text = [&](std::string_view property, std::string_view value) {
    line(std::string(property) + ":" + IcsEscapeText(value));
  };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:" + std::string(prodid));
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  text("X-WR-CALNAME", name);
  line("X-WR-TIMEZONE:Asia/Shanghai");
  for (const IcsEvent& e : events) {
    line("BEGIN:VEVENT");
    line("UID:" + e.uid);
    line("DTSTAMP:" + FormatUtcBasic(e.dtstamp));
    line("DTSTART:" + FormatUtcBasic(e.start));
    line("DTEND:" + FormatUtcBasic(e.end));
    line("SEQUENCE:" + std::to_string(e.sequence));
    line(std::string("STATUS:") + (e.cancelled ? "CANCELLED" : "CONFIRMED"));
    text("SUMMARY", e.summary);
    if (!e.location.empty()) text("LOCATION", e.location);
    if (!e.description.empty()) text("DESCRIPTION", e.description);
    if (!e.url.empty()) line("URL:" + e.url);
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace ningju::decisions
