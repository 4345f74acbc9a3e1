// Normalization of Chinese (and mixed Latin) text for analysis: the form every token, shingle and feature is made
// from. The original text is always kept by the caller; normalization only feeds analysis.
//
// The steps, in order:
//   1. UTF-8 validation (an invalid sequence is refused with its byte offset).
//   2. ICU NFKC_Casefold: compatibility forms (full-width ASCII, ideographic space, circled digits, compatibility
//      ideographs) to their plain forms, Latin case folded, default-ignorable code points (zero-width spaces and
//      joiners, soft hyphen, BOM) removed.
//   3. Folding: control and format characters removed; every run of white space becomes one ASCII space and the ends
//      are trimmed; punctuation variants fold to one ASCII form (。→. 、→, “”「」『』《》→" 【】〔〕→[] ——→- and so on)
//      and a run of the same punctuation mark becomes one.
//   4. Traditional to simplified Chinese with OpenCC (t2s: phrases, then characters), applied only to texts that
//      contain a character OpenCC would change, so simplified input pays nothing for it.
//
// Thread-safety: a Normalizer is immutable after Create(); all methods are const and safe from many threads.
#ifndef NINGJU_TEXT_NORMALIZE_H_
#define NINGJU_TEXT_NORMALIZE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ningju::text {

struct NormalizerOptions {
  // The OpenCC configuration for traditional to simplified. A bare file name is looked up in the OpenCC data
  // directories (/usr/share/opencc, /usr/local/share/opencc); an absolute path is used as is. Default: t2s.json.
  std::string opencc_config = "t2s.json";
};

// The normalized text with, for each of its bytes, the byte offset in the original of the code point it came from.
// origin.size() == text.size() + 1; origin.back() is the original's size.
struct MappedText {
  std::string text;
  std::vector<uint32_t> origin;
};

class Normalizer {
 public:
  // Loads ICU's NFKC_Casefold data and the OpenCC dictionaries. kNotFound when the OpenCC configuration or its
  // dictionaries are missing; kInternal when ICU fails.
  static StatusOr<std::unique_ptr<Normalizer>> Create(const NormalizerOptions& options = {});

  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // kInvalidArgument "invalid UTF-8 at byte N" when `text` is not valid UTF-8; the normalized text otherwise.
  StatusOr<std::string> Normalize(std::string_view text) const;

  // REQUIRES: `text` is valid UTF-8. Writes the normalized text to `*out` (replacing its contents); reusing `out`
  // across calls avoids allocations in hot loops.
  void NormalizeValid(std::string_view text, std::string* out) const;
  std::string NormalizeValid(std::string_view text) const;

  // REQUIRES: valid UTF-8. The same steps applied code point by code point so that every output byte knows where it
  // came from (used to highlight search hits in the original text). Equal to NormalizeValid() except where NFKC
  // composes across code points or OpenCC converts by phrase; both are rare and only affect highlighting.
  MappedText NormalizeWithOrigin(std::string_view text) const;

  // True when OpenCC's t2s changes the code point `c` on its own or starts a phrase it converts.
  bool IsTraditional(uint32_t c) const;

 private:
  struct Impl;
  explicit Normalizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ningju::text

#endif  // NINGJU_TEXT_NORMALIZE_H_
