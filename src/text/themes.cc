#include "text/themes.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <thread>
#include <unordered_map>
#include <utility>

#include "text/internal/parallel.h"
#include "text/internal/unicode.h"
#include "text/tokenize.h"

namespace ningju::text {
namespace {

constexpr int kDimBits = 18;
constexpr uint32_t kDims = 1u << kDimBits;

struct Entry {
  uint32_t id;
  float value;
};
using SparseVector = std::vector<Entry>;

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Uniform double in [0, 1).
double Uniform(uint64_t* state) { return static_cast<double>(SplitMix(state) >> 11) * 0x1.0p-53; }

bool IsStopChar(uint32_t c) {
  std::string s;
  internal::AppendUtf8(c, &s);
  return IsStopword(s);
}

// Feature ids of normalized text, sorted with repeats: Han bigrams (pairs with a function-word character are left
// out), a lone Han character, and words of other scripts.
class Featurizer {
 public:
  Featurizer() : stop_(0x10000, false) {
    // Function-word characters of the stopword list, as a bitmap over the BMP.
    for (uint32_t c = 0x4E00; c <= 0x9FFF; ++c) stop_[c] = IsStopChar(c);
  }

  void Ids(std::string_view s, std::vector<uint32_t>* ids) const {
    ids->clear();
    uint32_t prev = 0;  // previous Han code point in the current run, 0 when none
    size_t run_length = 0;
    size_t i = 0;
    while (i < s.size()) {
      const size_t start = i;
      const uint32_t c = internal::NextCodePoint(s, &i);
      if (internal::IsHan(c)) {
        if (prev != 0 && !IsStop(prev) && !IsStop(c)) ids->push_back(Hash((uint64_t{prev} << 21) | c, 1));
        prev = c;
        ++run_length;
        continue;
      }
      if (run_length == 1 && !IsStop(prev)) ids->push_back(Hash(prev, 2));
      prev = 0;
      run_length = 0;
      if (internal::IsWordChar(c)) {
        size_t end = i;
        while (end < s.size()) {
          size_t next = end;
          if (!internal::IsWordChar(internal::NextCodePoint(s, &next))) break;
          end = next;
        }
        std::string_view word = s.substr(start, end - start);
        if (!IsStopword(word))
          ids->push_back(static_cast<uint32_t>(XXH3_64bits(word.data(), word.size())) & (kDims - 1));
        i = end;
      }
    }
    if (run_length == 1 && !IsStop(prev)) ids->push_back(Hash(prev, 2));
    std::sort(ids->begin(), ids->end());
  }

 private:
  static uint32_t Hash(uint64_t key, uint64_t kind) {
    uint64_t x = key * 0x9E3779B97F4A7C15ULL + kind;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return static_cast<uint32_t>(x) & (kDims - 1);
  }
  bool IsStop(uint32_t c) const { return c < stop_.size() && stop_[c]; }
  std::vector<bool> stop_;
};

// TF-IDF, sublinear term frequency, unit length.
void Vectorize(const std::vector<uint32_t>& ids, const std::vector<float>& idf, SparseVector* out) {
  out->clear();
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    const float tf = 1.0f + std::log(static_cast<float>(j - i));
    out->push_back(Entry{ids[i], tf * idf[ids[i]]});
    i = j;
  }
  double norm = 0;
  for (const Entry& e : *out) norm += double{e.value} * e.value;
  if (norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (Entry& e : *out) e.value *= inv;
  }
}

// k unit centroids stored feature-major (dims x k) for fast scoring of sparse vectors.
class Centroids {
 public:
  explicit Centroids(const std::vector<std::vector<float>>& dense) { Assign(dense); }
  void Assign(const std::vector<std::vector<float>>& dense) {
    k_ = dense.size();
    const size_t dims = dense.empty() ? 0 : dense[0].size();
    t_.resize(dims * k_);
    for (size_t c = 0; c < k_; ++c) {
      for (size_t d = 0; d < dims; ++d) t_[d * k_ + c] = dense[c][d];
    }
  }
  // The nearest centroid (lowest index on ties) and its cosine.
  std::pair<uint32_t, float> Nearest(const SparseVector& v, std::vector<float>* scores) const {
    scores->assign(k_, 0.0f);
    float* s = scores->data();
    for (const Entry& e : v) {
      const float* row = &t_[size_t{e.id} * k_];
      for (size_t c = 0; c < k_; ++c) s[c] += e.value * row[c];
    }
    uint32_t best = 0;
    for (size_t c = 1; c < k_; ++c) {
      if (s[c] > s[best]) best = static_cast<uint32_t>(c);
    }
    return {best, k_ == 0 ? 0.0f : s[best]};
  }
  size_t k() const { return k_; }

 private:
  size_t k_;
  std::vector<float> t_;
};

float Dot(const SparseVector& v, const std::vector<float>& dense) {
  float s = 0;
  for (const Entry& e : v) s += e.value * dense[e.id];
  return s;
}

void NormalizeDense(std::vector<float>* v) {
  double norm = 0;
  for (float x : *v) norm += double{x} * x;
  if (norm <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& x : *v) x *= inv;
}

// Spherical k-means on `points` from `centroids` (unit). Returns the assignment; centroids are updated in place,
// sums[c] receives the member sum of cluster c. Sequential accumulation keeps results independent of threads.
std::vector<uint32_t> KMeans(const std::vector<SparseVector>& points, std::vector<std::vector<float>>* centroids,
                             std::vector<std::vector<float>>* sums, int iterations, int threads) {
  std::vector<uint32_t> assign(points.size(), UINT32_MAX);
  const size_t k = centroids->size();
  const size_t dims = k == 0 ? 0 : (*centroids)[0].size();
  Centroids scorer(*centroids);
  sums->assign(k, std::vector<float>(dims, 0.0f));
  for (int it = 0; it < iterations; ++it) {
    if (it > 0) scorer.Assign(*centroids);
    std::vector<uint32_t> next(points.size());
    internal::ParallelFor(points.size(), threads, [&](size_t begin, size_t end, int) {
      std::vector<float> scores;
      for (size_t i = begin; i < end; ++i) next[i] = scorer.Nearest(points[i], &scores).first;
    });
    const bool changed = next != assign;
    assign = std::move(next);
    for (std::vector<float>& sum : *sums) std::fill(sum.begin(), sum.end(), 0.0f);
    std::vector<size_t> counts(k, 0);
    for (size_t i = 0; i < points.size(); ++i) {
      std::vector<float>& sum = (*sums)[assign[i]];
      for (const Entry& e : points[i]) sum[e.id] += e.value;
      ++counts[assign[i]];
    }
    for (size_t c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;  // an empty cluster keeps its centroid
      (*centroids)[c] = (*sums)[c];
      NormalizeDense(&(*centroids)[c]);
    }
    if (!changed) break;
  }
  return assign;
}

// k-means++ seeding over `points` (unit vectors, distance 1 - cosine).
std::vector<std::vector<float>> SeedCentroids(const std::vector<SparseVector>& points, size_t k, size_t dims,
                                              uint64_t* rng) {
  std::vector<std::vector<float>> centroids;
  std::vector<double> distance(points.size(), 2.0);
  size_t pick = static_cast<size_t>(Uniform(rng) * static_cast<double>(points.size()));
  while (centroids.size() < k) {
    std::vector<float> c(dims, 0.0f);
    for (const Entry& e : points[pick]) c[e.id] = e.value;
    for (size_t i = 0; i < points.size(); ++i) distance[i] = std::min(distance[i], 1.0 - double{Dot(points[i], c)});
    centroids.push_back(std::move(c));
    double total = 0;
    for (double d : distance) total += std::max(d, 0.0);
    if (total <= 0) break;  // fewer distinct points than k
    double target = Uniform(rng) * total;
    pick = points.size() - 1;
    for (size_t i = 0; i < points.size(); ++i) {
      target -= std::max(distance[i], 0.0);
      if (target < 0) {
        pick = i;
        break;
      }
    }
  }
  return centroids;
}

// Merges the most similar pair of centroids while their cosine is at least `threshold`.
void MergeCentroids(std::vector<std::vector<float>>* centroids, std::vector<std::vector<float>>* sums,
                    double threshold) {
  auto cosine = [&](size_t a, size_t b) {
    double s = 0;
    const std::vector<float>& x = (*centroids)[a];
    const std::vector<float>& y = (*centroids)[b];
    for (size_t d = 0; d < x.size(); ++d) s += double{x[d]} * y[d];
    return s;
  };
  const size_t k = centroids->size();
  std::vector<std::vector<double>> sim(k, std::vector<double>(k, -1));
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b) sim[a][b] = cosine(a, b);
  }
  std::vector<bool> alive(k, true);
  for (;;) {
    double best = -1;
    size_t ba = 0, bb = 0;
    for (size_t a = 0; a < k; ++a) {
      if (!alive[a]) continue;
      for (size_t b = a + 1; b < k; ++b) {
        if (alive[b] && sim[a][b] > best) {
          best = sim[a][b];
          ba = a;
          bb = b;
        }
      }
    }
    if (best < threshold) break;
    for (size_t d = 0; d < (*sums)[ba].size(); ++d) (*sums)[ba][d] += (*sums)[bb][d];
    (*centroids)[ba] = (*sums)[ba];
    NormalizeDense(&(*centroids)[ba]);
    alive[bb] = false;
    for (size_t o = 0; o < k; ++o) {
      if (!alive[o] || o == ba) continue;
      const double s = cosine(std::min(o, ba), std::max(o, ba));
      sim[std::min(o, ba)][std::max(o, ba)] = s;
    }
  }
  std::vector<std::vector<float>> kept, kept_sums;
  for (size_t c = 0; c < k; ++c) {
    if (!alive[c]) continue;
    kept.push_back(std::move((*centroids)[c]));
    kept_sums.push_back(std::move((*sums)[c]));
  }
  *centroids = std::move(kept);
  *sums = std::move(kept_sums);
}

std::vector<std::string> LabelTheme(const std::unordered_map<std::string, uint32_t>& df_theme, size_t n_theme,
                                    const std::unordered_map<std::string, uint32_t>& df_all, size_t n_all, int count) {
  const double min_df = std::max(2.0, 0.02 * static_cast<double>(n_theme));
  std::vector<std::pair<double, std::string>> scored;
  for (const auto& [word, df] : df_theme) {
    if (df < min_df && !(n_theme < 3 && df >= 1)) continue;
    const double p = static_cast<double>(df) / static_cast<double>(n_theme);
    const double q = (static_cast<double>(df_all.at(word)) + 1) / (static_cast<double>(n_all) + 1);
    if (p <= q) continue;
    scored.emplace_back(p * std::log(p / q), word);
  }
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::vector<std::string> terms;
  for (size_t i = 0; i < scored.size() && static_cast<int>(terms.size()) < count; ++i) {
    // Skip a word contained in a better one already chosen ("分类" after "垃圾分类").
    bool covered = false;
    for (const std::string& t : terms) covered = covered || t.find(scored[i].second) != std::string::npos;
    if (!covered) terms.push_back(scored[i].second);
  }
  return terms;
}

}  // namespace

Status ValidateThemeOptions(const ThemeOptions& o) {
  if (o.num_themes < 0) return InvalidArgumentError("number of themes must be >= 0", "num_themes");
  if (o.max_themes < 1 || o.max_themes > 1000)
    return InvalidArgumentError("max themes must be in [1, 1000]", "max_themes");
  if (o.num_themes > 1000) return InvalidArgumentError("number of themes must be <= 1000", "num_themes");
  if (o.sample_size < 1) return InvalidArgumentError("sample size must be >= 1", "sample_size");
  if (o.iterations < 1) return InvalidArgumentError("iterations must be >= 1", "iterations");
  if (o.threads < 1) return InvalidArgumentError("threads must be >= 1", "threads");
  if (o.label_terms < 0 || o.label_sample < 1) return InvalidArgumentError("bad label settings", "label_terms");
  return OkStatus();
}

StatusOr<std::vector<Theme>> FindThemes(std::span<const std::string_view> texts, std::span<const uint32_t> weights,
                                        const ThemeOptions& options) {
  RETURN_IF_ERROR(ValidateThemeOptions(options));
  if (!weights.empty() && weights.size() != texts.size()) {
    return InvalidArgumentError("weights and texts differ in size", "weights");
  }
  const size_t n = texts.size();
  if (n == 0) return std::vector<Theme>{};
  const int threads = options.threads;
  const Featurizer featurizer;

  // Document frequencies over all texts, then IDF.
  std::vector<std::vector<uint32_t>> df_parts(static_cast<size_t>(threads));
  internal::ParallelFor(n, threads, [&](size_t begin, size_t end, int t) {
    std::vector<uint32_t>& df = df_parts[static_cast<size_t>(t)];
    df.assign(kDims, 0);
    std::vector<uint32_t> ids;
    for (size_t i = begin; i < end; ++i) {
      featurizer.Ids(texts[i], &ids);
      for (size_t j = 0; j < ids.size(); ++j) {
        if (j == 0 || ids[j] != ids[j - 1]) ++df[ids[j]];
      }
    }
  });
  std::vector<float> idf(kDims);
  for (uint32_t d = 0; d < kDims; ++d) {
    uint64_t df = 0;
    for (const auto& part : df_parts) df += part.empty() ? 0 : part[d];
    idf[d] = static_cast<float>(std::log((static_cast<double>(n) + 1) / (static_cast<double>(df) + 1)) + 1);
  }
  df_parts.clear();

  // A seeded sample, in input order.
  uint64_t rng = options.seed ^ 0x7468656D6573ULL;
  std::vector<uint32_t> sample(n);
  std::iota(sample.begin(), sample.end(), 0u);
  const size_t sample_size = std::min(n, static_cast<size_t>(options.sample_size));
  if (sample_size < n) {
    for (size_t i = 0; i < sample_size; ++i) {
      const size_t j = i + static_cast<size_t>(Uniform(&rng) * static_cast<double>(n - i));
      std::swap(sample[i], sample[j]);
    }
    sample.resize(sample_size);
    std::sort(sample.begin(), sample.end());
  }
  std::vector<SparseVector> points(sample.size());
  internal::ParallelFor(sample.size(), threads, [&](size_t begin, size_t end, int) {
    std::vector<uint32_t> ids;
    for (size_t i = begin; i < end; ++i) {
      featurizer.Ids(texts[sample[i]], &ids);
      Vectorize(ids, idf, &points[i]);
    }
  });

  // Centroids live in the sample's vocabulary: features no sampled text has would only hold zeros.
  std::vector<int32_t> compact(kDims, -1);
  uint32_t dims = 0;
  for (SparseVector& v : points) {
    for (Entry& e : v) {
      if (compact[e.id] < 0) compact[e.id] = static_cast<int32_t>(dims++);
      e.id = static_cast<uint32_t>(compact[e.id]);
    }
  }

  // Fit.
  size_t k;
  if (options.num_themes > 0) {
    k = std::min<size_t>(static_cast<size_t>(options.num_themes), points.size());
  } else {
    const auto guess = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(points.size()) / 2.0)));
    k = std::clamp<size_t>(guess, 1, static_cast<size_t>(options.max_themes));
  }
  std::vector<std::vector<float>> centroids = SeedCentroids(points, k, std::max<uint32_t>(dims, 1), &rng);
  std::vector<std::vector<float>> sums;
  KMeans(points, &centroids, &sums, options.iterations, threads);
  if (options.num_themes == 0 && centroids.size() > 1) {
    MergeCentroids(&centroids, &sums, options.merge_similarity);
    KMeans(points, &centroids, &sums, options.iterations, threads);
  }
  sums.clear();
  points.clear();

  // Assign every text; remember each theme's most central member.
  const Centroids scorer(centroids);
  k = centroids.size();
  centroids.clear();
  std::vector<uint32_t> assign(n);
  std::vector<float> closeness(n);
  internal::ParallelFor(n, threads, [&](size_t begin, size_t end, int) {
    std::vector<uint32_t> ids;
    SparseVector v;
    std::vector<float> scores;
    for (size_t i = begin; i < end; ++i) {
      featurizer.Ids(texts[i], &ids);
      Vectorize(ids, idf, &v);
      size_t kept = 0;
      for (const Entry& e : v) {
        if (compact[e.id] >= 0) v[kept++] = Entry{static_cast<uint32_t>(compact[e.id]), e.value};
      }
      v.resize(kept);
      std::tie(assign[i], closeness[i]) = scorer.Nearest(v, &scores);
    }
  });
  std::vector<Theme> themes(k);
  std::vector<float> best(k, -2.0f);
  for (size_t i = 0; i < n; ++i) {
    Theme& t = themes[assign[i]];
    t.texts.push_back(static_cast<uint32_t>(i));
    t.size += weights.empty() ? 1 : weights[i];
    if (closeness[i] > best[assign[i]]) {
      best[assign[i]] = closeness[i];
      t.representative = static_cast<uint32_t>(i);
    }
  }
  themes.erase(std::remove_if(themes.begin(), themes.end(), [](const Theme& t) { return t.texts.empty(); }),
               themes.end());

  // Labels from an evenly spaced sample of each theme's members.
  std::vector<std::unordered_map<std::string, uint32_t>> df_theme(themes.size());
  std::vector<size_t> n_theme(themes.size());
  std::vector<Status> errors(static_cast<size_t>(threads));
  internal::ParallelFor(themes.size(), threads, [&](size_t begin, size_t end, int t) {
    auto segmenter = WordSegmenter::Create();
    if (!segmenter.ok()) {
      errors[static_cast<size_t>(t)] = segmenter.status();
      return;
    }
    for (size_t th = begin; th < end; ++th) {
      const std::vector<uint32_t>& members = themes[th].texts;
      const size_t take = std::min(members.size(), static_cast<size_t>(options.label_sample));
      n_theme[th] = take;
      for (size_t s = 0; s < take; ++s) {
        const uint32_t text = members[s * members.size() / take];
        std::vector<std::string> words = (*segmenter)->Words(texts[text]);
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
        for (std::string& w : words) ++df_theme[th][std::move(w)];
      }
    }
  });
  for (const Status& s : errors) RETURN_IF_ERROR(s);
  std::unordered_map<std::string, uint32_t> df_all;
  size_t n_all = 0;
  for (size_t th = 0; th < themes.size(); ++th) {
    n_all += n_theme[th];
    for (const auto& [word, df] : df_theme[th]) df_all[word] += df;
  }
  for (size_t th = 0; th < themes.size(); ++th) {
    themes[th].terms = LabelTheme(df_theme[th], n_theme[th], df_all, n_all, options.label_terms);
  }
  std::sort(themes.begin(), themes.end(), [](const Theme& a, const Theme& b) {
    return a.size != b.size ? a.size > b.size : a.representative < b.representative;
  });
  return themes;
}

}  // namespace ningju::text
