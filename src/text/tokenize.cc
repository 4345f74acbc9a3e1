#include "text/tokenize.h"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

#include "common/utf8.h"
#include "text/internal/unicode.h"

namespace ningju::text {
namespace internal {

bool IsWordChar(uint32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
  if (IsHan(c)) return false;
  return u_isalnum(static_cast<UChar32>(c)) || u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK;
}

}  // namespace internal
namespace {

using internal::IsHan;
using internal::IsWordChar;
using internal::NextCodePoint;

const std::unordered_set<std::string_view>& Stopwords() {
  // Function words only: content words that happen to be frequent (小区, 居民) are left to IDF.
  static const auto* const kStopwords = new std::unordered_set<std::string_view>{
      "的",     "了",   "是",   "在",   "和",   "与",   "及",   "或",   "也",   "就",   "都",   "而",   "并",   "但",
      "把",     "被",   "让",   "给",   "对",   "向",   "从",   "到",   "这",   "那",   "之",   "其",   "个",   "着",
      "过",     "吗",   "呢",   "吧",   "啊",   "哦",   "呀",   "么",   "嘛",   "我",   "你",   "他",   "她",   "它",
      "您",     "们",   "有",   "很",   "又",   "还",   "再",   "才",   "更",   "最",   "地",   "得",   "于",   "以",
      "为",     "等",   "要",   "会",   "能",   "将",   "该",   "所",   "此",   "每",   "各",   "些",   "啦",   "哈",
      "嗯",     "我们", "你们", "他们", "她们", "它们", "这个", "那个", "这些", "那些", "这样", "那样", "一个", "一些",
      "没有",   "不是", "就是", "还是", "因为", "所以", "如果", "但是", "而且", "可以", "已经", "非常", "什么", "怎么",
      "为什么", "自己", "一下", "有的", "也是", "还有", "以及", "进行", "这里", "那里", "然后", "或者", "以后", "以前",
      "现在",   "目前", "大家", "觉得", "认为", "真的", "一直", "一定", "应该", "希望", "请",   "the",  "a",    "an",
      "and",    "or",   "of",   "to",   "in",   "on",   "at",   "for",  "is",   "are",  "was",  "were", "be",   "been",
      "it",     "its",  "this", "that", "with", "as",   "by",   "from", "not",  "no",   "but",  "we",   "i",    "you"};
  return *kStopwords;
}

// Walks normalized text as runs: a Han run (`han` = true) or a word run (letters and digits of other scripts).
template <typename Fn>
void ForEachRun(std::string_view s, Fn fn) {
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    uint32_t c = NextCodePoint(s, &i);
    if (IsHan(c)) {
      size_t end = i;
      while (end < s.size()) {
        size_t next = end;
        if (!IsHan(NextCodePoint(s, &next))) break;
        end = next;
      }
      fn(s.substr(start, end - start), true);
      i = end;
    } else if (IsWordChar(c)) {
      size_t end = i;
      while (end < s.size()) {
        size_t next = end;
        if (!IsWordChar(NextCodePoint(s, &next))) break;
        end = next;
      }
      fn(s.substr(start, end - start), false);
      i = end;
    }
  }
}

// Byte offsets of the code points of a Han run (which holds only 3- and 4-byte sequences), plus the end.
std::vector<size_t> CodePointStarts(std::string_view run) {
  std::vector<size_t> starts;
  size_t i = 0;
  while (i < run.size()) {
    starts.push_back(i);
    NextCodePoint(run, &i);
  }
  starts.push_back(run.size());
  return starts;
}

}  // namespace

bool IsStopword(std::string_view token) { return Stopwords().count(token) > 0; }

std::vector<std::string> SearchTokensOfNormalized(std::string_view normalized) {
  std::vector<std::string> tokens;
  ForEachRun(normalized, [&tokens](std::string_view run, bool han) {
    if (!han) {
      if (!IsStopword(run)) tokens.emplace_back(run);
      return;
    }
    const std::vector<size_t> at = CodePointStarts(run);
    const size_t n = at.size() - 1;
    for (size_t k = 0; k < n; ++k) {
      std::string_view unigram = run.substr(at[k], at[k + 1] - at[k]);
      if (!IsStopword(unigram)) tokens.emplace_back(unigram);
      if (k + 1 < n) tokens.emplace_back(run.substr(at[k], at[k + 2] - at[k]));
    }
  });
  return tokens;
}

std::vector<std::string> QueryTokensOfNormalized(std::string_view normalized) {
  std::vector<std::string> tokens;
  auto add = [&tokens](std::string_view t) {
    if (std::find(tokens.begin(), tokens.end(), t) == tokens.end()) tokens.emplace_back(t);
  };
  ForEachRun(normalized, [&](std::string_view run, bool han) {
    if (!han) {
      if (!IsStopword(run)) add(run);
      return;
    }
    const std::vector<size_t> at = CodePointStarts(run);
    const size_t n = at.size() - 1;
    if (n == 1) {
      if (!IsStopword(run)) add(run);
      return;
    }
    for (size_t k = 0; k + 1 < n; ++k) add(run.substr(at[k], at[k + 2] - at[k]));
  });
  return tokens;
}

StatusOr<std::vector<std::string>> SearchTokens(const Normalizer& normalizer, std::string_view text) {
  ASSIGN_OR_RETURN(std::string normalized, normalizer.Normalize(text));
  return SearchTokensOfNormalized(normalized);
}

StatusOr<std::vector<std::string>> QueryTokens(const Normalizer& normalizer, std::string_view query) {
  RETURN_IF_ERROR(utf8::Validate(query));
  // Spaces separate query terms ("电梯 老人" is two terms, not the text 电梯老人, which normalization would make of
  // it), so each term is normalized on its own.
  std::string spaced;  // the query with each ideographic space made an ASCII one: it separates terms too
  spaced.reserve(query.size());
  for (size_t k = 0; k < query.size(); ++k) {
    if (query.compare(k, 3, "\u3000") == 0) {
      spaced.push_back(' ');
      k += 2;
    } else {
      spaced.push_back(query[k]);
    }
  }
  query = spaced;
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < query.size()) {
    const size_t end = query.find_first_of(" \t\n\r\f\v", i);
    const std::string_view term = query.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    i = end == std::string_view::npos ? query.size() : end + 1;
    if (term.empty()) continue;
    for (std::string& t : QueryTokensOfNormalized(normalizer.NormalizeValid(term))) {
      if (std::find(tokens.begin(), tokens.end(), t) == tokens.end()) tokens.push_back(std::move(t));
    }
  }
  return tokens;
}

std::string JoinTokens(const std::vector<std::string>& tokens) {
  std::string joined;
  for (const std::string& t : tokens) {
    if (!joined.empty()) joined.push_back(' ');
    joined += t;
  }
  return joined;
}

struct WordSegmenter::Impl {
  std::unique_ptr<icu::BreakIterator> breaker;
};

WordSegmenter::WordSegmenter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WordSegmenter::~WordSegmenter() = default;

StatusOr<std::unique_ptr<WordSegmenter>> WordSegmenter::Create() {
  auto impl = std::make_unique<Impl>();
  UErrorCode error = U_ZERO_ERROR;
  impl->breaker.reset(icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), error));
  if (U_FAILURE(error) || impl->breaker == nullptr) {
    return InternalError(Msg("ICU word break iterator unavailable: {}", u_errorName(error)));
  }
  return std::unique_ptr<WordSegmenter>(new WordSegmenter(std::move(impl)));
}

std::vector<std::string> WordSegmenter::Words(std::string_view normalized) {
  std::vector<std::string> words;
  const icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(normalized.data(), static_cast<int32_t>(normalized.size())));
  icu::BreakIterator& breaker = *impl_->breaker;
  breaker.setText(text);
  int32_t start = breaker.first();
  std::string word;
  for (int32_t end = breaker.next(); end != icu::BreakIterator::DONE; start = end, end = breaker.next()) {
    const int32_t status = breaker.getRuleStatus();
    // Letters, kana and ideographs; numbers and punctuation are not label material.
    if (status < UBRK_WORD_LETTER || status >= UBRK_WORD_IDEO_LIMIT) continue;
    if (text.countChar32(start, end - start) < 2) continue;
    word.clear();
    text.tempSubStringBetween(start, end).toUTF8String(word);
    if (IsStopword(word)) continue;
    words.push_back(word);
  }
  return words;
}

}  // namespace ningju::text
