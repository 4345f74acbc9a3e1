#include "text/snippet.h"

#include <algorithm>
#include <utility>

#include "text/internal/unicode.h"

namespace ningju::text {
namespace {

// The byte length of the UTF-8 sequence starting with `lead`.
size_t SequenceLength(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

}  // namespace

std::string Snippet::Render(std::string_view open, std::string_view close) const {
  std::string out;
  for (const SnippetPart& p : parts) {
    if (p.highlighted) out += open;
    out += p.text;
    if (p.highlighted) out += close;
  }
  return out;
}

Snippet MakeSnippet(const Normalizer& normalizer, std::string_view original, const std::vector<std::string>& tokens,
                    size_t max_chars) {
  const MappedText mapped = normalizer.NormalizeWithOrigin(original);
  // Matches as byte ranges of the original, merged.
  std::vector<std::pair<size_t, size_t>> ranges;
  for (const std::string& token : tokens) {
    if (token.empty()) continue;
    for (size_t at = mapped.text.find(token); at != std::string::npos; at = mapped.text.find(token, at + 1)) {
      const size_t last = at + token.size() - 1;  // last byte of the match in the normalized text
      const size_t begin = mapped.origin[at];
      const size_t end =
          mapped.origin[last] + SequenceLength(static_cast<unsigned char>(original[mapped.origin[last]]));
      ranges.emplace_back(begin, std::min(end, original.size()));
    }
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<size_t, size_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }

  // The window: start a quarter of the width before the first match, on a code point boundary.
  std::vector<size_t> starts;  // byte offset of every code point, plus the end
  for (size_t i = 0; i < original.size();) {
    starts.push_back(i);
    i += SequenceLength(static_cast<unsigned char>(original[i]));
  }
  starts.push_back(original.size());
  const size_t chars = starts.size() - 1;
  size_t first_char = 0;
  if (!merged.empty()) {
    const size_t hit =
        static_cast<size_t>(std::lower_bound(starts.begin(), starts.end(), merged.front().first) - starts.begin());
    first_char = hit > max_chars / 4 ? hit - max_chars / 4 : 0;
  }
  if (chars > max_chars && first_char + max_chars > chars) first_char = chars - max_chars;
  const size_t last_char = std::min(chars, first_char + max_chars);
  const size_t from = starts[first_char], to = starts[last_char];

  Snippet snippet;
  auto add = [&snippet](std::string_view text, bool highlighted) {
    if (text.empty()) return;
    if (!snippet.parts.empty() && snippet.parts.back().highlighted == highlighted) {
      snippet.parts.back().text += text;
    } else {
      snippet.parts.push_back(SnippetPart{std::string(text), highlighted});
    }
  };
  if (from > 0) add("…", false);
  size_t at = from;
  for (const auto& [begin, end] : merged) {
    if (end <= from || begin >= to) continue;
    const size_t b = std::max(begin, from), e = std::min(end, to);
    add(original.substr(at, b - at), false);
    add(original.substr(b, e - b), true);
    at = e;
  }
  add(original.substr(at, to - at), false);
  if (to < original.size()) add("…", false);
  return snippet;
}

}  // namespace ningju::text
