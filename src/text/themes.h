// Themes: distinct texts (one per near-duplicate group) grouped by topic, each labelled by its most distinctive words
// and a representative text.
//
// Method (docs/TEXT.md says why): TF-IDF vectors over hashed Chinese character bigrams and words of other scripts,
// spherical k-means (cosine) fitted on a seeded sample with k-means++ seeding; with an automatic number of themes,
// k-means over-clusters and the centroids closer than `merge_similarity` are merged agglomeratively, then refined.
// Every text is then assigned to its nearest centroid. Labels: ICU dictionary words scored by how much more often
// they occur in the theme than in all themes. Deterministic for a given seed and thread count independent.
#ifndef NINGJU_TEXT_THEMES_H_
#define NINGJU_TEXT_THEMES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ningju::text {

struct ThemeOptions {
  // Number of themes; 0 chooses it: over-cluster with max_themes, then merge similar centroids. Default 0.
  int num_themes = 0;
  // Upper bound when choosing automatically. Default 40.
  int max_themes = 40;
  // Automatic choice: centroids at least this cosine-similar are merged. Default 0.35.
  double merge_similarity = 0.35;
  // Texts sampled to fit the centroids (all when fewer). Default 40,000.
  int sample_size = 40000;
  // Upper bound on k-means iterations (it stops earlier when no assignment changes). Default 25.
  int iterations = 25;
  // Label words per theme. Default 5.
  int label_terms = 5;
  // Member texts per theme read for labels. Default 400.
  int label_sample = 400;
  // Worker threads for the parallel steps (results do not depend on it). Default 2.
  int threads = 2;
  // Seed of the sample and of k-means++. Default 1.
  uint64_t seed = 1;
};

Status ValidateThemeOptions(const ThemeOptions& options);

struct Theme {
  std::vector<std::string> terms;  // label words, most distinctive first
  std::vector<uint32_t> texts;     // indexes into the input, ascending
  uint32_t representative = 0;     // the member closest to the theme's centroid
  uint64_t size = 0;               // sum of the members' weights
};

// Groups NORMALIZED `texts` (weights: how many items each stands for; empty means 1 each) into themes, largest
// first. kInvalidArgument for bad options or mismatched sizes.
StatusOr<std::vector<Theme>> FindThemes(std::span<const std::string_view> texts, std::span<const uint32_t> weights,
                                        const ThemeOptions& options = {});

}  // namespace ningju::text

#endif  // NINGJU_TEXT_THEMES_H_
