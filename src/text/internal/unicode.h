// Small code point helpers shared by the text module. Private to src/text.
#ifndef NINGJU_TEXT_INTERNAL_UNICODE_H_
#define NINGJU_TEXT_INTERNAL_UNICODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ningju::text::internal {

inline void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Decodes the code point at `*i` of valid UTF-8 `s` and advances `*i`.
inline uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + *i;
  const uint32_t b0 = p[0];
  if (b0 < 0x80) {
    *i += 1;
    return b0;
  }
  if (b0 < 0xE0) {
    *i += 2;
    return ((b0 & 0x1F) << 6) | (p[1] & 0x3F);
  }
  if (b0 < 0xF0) {
    *i += 3;
    return ((b0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  }
  *i += 4;
  return ((b0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

// Chinese ideographs (CJK Unified Ideographs, Extension A, compatibility block, Extensions B-F) and the iteration
// mark 〇. These are written without spaces and are tokenized by character n-grams.
inline bool IsHan(uint32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3007 || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x2FFFF);
}

// A letter or digit of a space-separated script (after normalization: lower-case Latin, digits, Cyrillic...).
bool IsWordChar(uint32_t c);

// A code point that carries content for near-duplicate shingles: Han, letters and digits (no spaces, punctuation).
inline bool IsContent(uint32_t c) { return IsHan(c) || IsWordChar(c); }

}  // namespace ningju::text::internal

#endif  // NINGJU_TEXT_INTERNAL_UNICODE_H_
