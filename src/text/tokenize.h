// Tokens of normalized text, for full-text search and for theme labels.
//
// Search tokens are context-free, so that a query finds every text that contains it as a substring, whatever the
// words around it (a dictionary segmenter cuts the same characters differently in different sentences):
//   - Chinese runs: every character (unigram, stopwords left out) and every pair of adjacent characters (bigram);
//   - other scripts: lower-cased words and numbers (runs of letters or digits), stopwords left out.
// A query is the bigrams of its Chinese runs (the character itself for a one-character run) and its words, all
// required. Both SQLite FTS5 and PostgreSQL index the same tokens (see text/search), so one query finds the same
// items on both.
//
// Words (ICU's dictionary word breaks for Chinese) are the readable terms used for theme labels.
#ifndef NINGJU_TEXT_TOKENIZE_H_
#define NINGJU_TEXT_TOKENIZE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "text/normalize.h"

namespace ningju::text {

// True for the built-in stopwords (Chinese function words and pronouns, English function words).
bool IsStopword(std::string_view token);

// The search tokens of NORMALIZED text, in text order (repeats kept: they count for ranking).
std::vector<std::string> SearchTokensOfNormalized(std::string_view normalized);

// The tokens a query requires, from NORMALIZED query text: distinct, in query order. Empty when the query has no
// searchable content (only punctuation or stopwords).
std::vector<std::string> QueryTokensOfNormalized(std::string_view normalized);

// Normalizes then tokenizes. kInvalidArgument for invalid UTF-8. In a query, white space separates terms.
StatusOr<std::vector<std::string>> SearchTokens(const Normalizer& normalizer, std::string_view text);
StatusOr<std::vector<std::string>> QueryTokens(const Normalizer& normalizer, std::string_view query);

// Tokens joined by single spaces: the document form stored in a full-text index.
std::string JoinTokens(const std::vector<std::string>& tokens);

// Dictionary words of normalized text. Not thread-safe: use one per thread.
class WordSegmenter {
 public:
  static StatusOr<std::unique_ptr<WordSegmenter>> Create();
  ~WordSegmenter();
  WordSegmenter(const WordSegmenter&) = delete;
  WordSegmenter& operator=(const WordSegmenter&) = delete;

  // The words of NORMALIZED text in order: Chinese dictionary words and words of other scripts, without
  // punctuation, stopwords, numbers and one-character words.
  std::vector<std::string> Words(std::string_view normalized);

 private:
  struct Impl;
  explicit WordSegmenter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ningju::text

#endif  // NINGJU_TEXT_TOKENIZE_H_
