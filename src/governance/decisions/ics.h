// A small iCalendar (RFC 5545) writer for the meetings feed: VCALENDAR with VEVENTs, CRLF line endings, content
// lines folded at 75 octets without splitting a UTF-8 character (§3.1), TEXT values escaped (§3.3.11).
#ifndef NINGJU_GOVERNANCE_DECISIONS_ICS_H_
#define NINGJU_GOVERNANCE_DECISIONS_ICS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace ningju::decisions {

// Escapes a TEXT value: backslash, semicolon and comma get a backslash; a line break (CRLF, CR or LF) becomes "\n".
std::string IcsEscapeText(std::string_view text);

// One content line, folded: at most 75 octets a line, continuation lines starting with one space; each line ends
// with CRLF. A UTF-8 sequence is never split (a line may then be shorter than 75 octets).
std::string IcsFoldLine(std::string_view line);

struct IcsEvent {
  std::string uid;  // stable across changes: "meeting-12@ningju.example"
  Instant dtstamp;  // when the event was last changed
  Instant start;
  Instant end;
  std::string summary;
  std::string location;
  std::string description;
  std::string url;
  bool cancelled = false;  // STATUS:CANCELLED, else STATUS:CONFIRMED
  int64_t sequence = 0;
};

// The whole calendar. `name` becomes X-WR-CALNAME; times are written in UTC.
std::string WriteCalendar(std::string_view prodid, std::string_view name, const std::vector<IcsEvent>& events);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_ICS_H_
