// A generator of synthetic Chinese comment corpora with known truth, for measuring the text engine.
//
// Organic comments are written from per-theme sentence templates with slots (places, buildings, times, amounts,
// departments, synonyms) plus personal and generic sentences, about 150 characters each, so every comment is
// distinct and belongs to one known theme. Form-letter campaigns take one such comment (a longer one) and copy it
// with light edits: names inserted, sentences reordered, punctuation changed, a sentence added, a synonym swapped,
// full-width characters, zero-width spaces and traditional characters (OpenCC s2t). Campaign sizes are heavy-tailed.
// Deterministic for a given seed.
#ifndef NINGJU_BENCH_TEXT_CORPUS_GENERATOR_H_
#define NINGJU_BENCH_TEXT_CORPUS_GENERATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ningju::text::bench {

struct GeneratorOptions {
  uint64_t count = 10000;
  uint64_t seed = 42;
  // Share of comments that are campaign copies.
  double campaign_share = 0.3;
  // Mean copies per campaign (sizes follow a heavy-tailed law with this mean, at least 3).
  double mean_campaign_size = 200;
  // Per-copy edit probabilities.
  double p_name = 0.6, p_reorder = 0.3, p_punct = 0.5, p_fullwidth = 0.15, p_traditional = 0.1, p_zero_width = 0.05,
         p_synonym = 0.3, p_extra_sentence = 0.15;
};

struct GeneratedComment {
  std::string id;
  std::string text;
  int theme = 0;
  int64_t campaign = -1;  // -1 for organic comments
};

class CorpusGenerator {
 public:
  explicit CorpusGenerator(const GeneratorOptions& options);
  ~CorpusGenerator();

  // The next comment; false after `count`. Campaign copies are scattered through the stream.
  bool Next(GeneratedComment* comment);

  static int NumThemes();
  static std::string ThemeName(int theme);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ningju::text::bench

#endif  // NINGJU_BENCH_TEXT_CORPUS_GENERATOR_H_
