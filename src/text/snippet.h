// Highlighted snippets of ORIGINAL text for search results. Matching happens on the normalized text (so a query in
// simplified characters highlights traditional ones, full-width digits, etc.) and is mapped back to the original
// through Normalizer::NormalizeWithOrigin.
#ifndef NINGJU_TEXT_SNIPPET_H_
#define NINGJU_TEXT_SNIPPET_H_

#include <string>
#include <string_view>
#include <vector>

#include "text/normalize.h"

namespace ningju::text {

struct SnippetPart {
  std::string text;  // a piece of the original text
  bool highlighted = false;
};

struct Snippet {
  std::vector<SnippetPart> parts;
  // The parts joined, highlighted ones between `open` and `close`. No escaping: HTML callers escape each part.
  std::string Render(std::string_view open, std::string_view close) const;
};

// A window of about `max_chars` code points of valid UTF-8 `original` around the first match of any of the
// (normalized) `tokens`, with every match in it highlighted; "…" marks a cut. Without a match: the start of the text.
Snippet MakeSnippet(const Normalizer& normalizer, std::string_view original, const std::vector<std::string>& tokens,
                    size_t max_chars = 80);

}  // namespace ningju::text

#endif  // NINGJU_TEXT_SNIPPET_H_
