#include "text/dedup.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <string>
#include <utility>

#include "text/internal/unicode.h"

namespace ningju::text {
namespace {

constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
constexpr double kQuickMargin = 0.2;

inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// An open-addressing multimap from 32-bit band keys to exemplar numbers: 8 bytes a slot, linear probing.
// Equal keys sit in one probe run, so a lookup visits them all before the first empty slot.
class BandTable {
 public:
  BandTable() { Rehash(1 << 12); }

  void Insert(uint32_t key, uint32_t value) {
    if ((size_ + 1) * 10 > slots_.size() * 7) Rehash(slots_.size() * 2);
    Place(key, value);
    ++size_;
  }

  void Prefetch(uint32_t key) const { __builtin_prefetch(&slots_[Home(key)]); }

  template <typename Fn>
  void ForEach(uint32_t key, Fn fn) const {
    for (size_t i = Home(key); slots_[i].value != kEmpty; i = (i + 1) & mask_) {
      if (slots_[i].key == key) fn(slots_[i].value);
    }
  }

 private:
  struct Slot {
    uint32_t key;
    uint32_t value;
  };

  size_t Home(uint32_t key) const { return (uint64_t{key} * 0x9E3779B97F4A7C15ULL) >> shift_; }

  void Place(uint32_t key, uint32_t value) {
    size_t i = Home(key);
    while (slots_[i].value != kEmpty) i = (i + 1) & mask_;
    slots_[i] = Slot{key, value};
  }

  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{0, kEmpty});
    mask_ = capacity - 1;
    shift_ = 64 - std::countr_zero(capacity);
    for (const Slot& s : old) {
      if (s.value != kEmpty) Place(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
  int shift_ = 64;
};

// Append-only storage in fixed blocks: growing never copies, and a run appended at once stays contiguous.
template <typename T>
class BlockArena {
 public:
  static constexpr size_t kBlock = size_t{1} << 20;

  // Appends `values` (at most kBlock of them) and returns the position of the first.
  uint32_t Append(std::span<const T> values) {
    if (blocks_.empty() || used_ + values.size() > kBlock) {
      blocks_.push_back(std::make_unique<T[]>(kBlock));
      used_ = 0;
    }
    std::copy(values.begin(), values.end(), blocks_.back().get() + used_);
    const auto position = static_cast<uint32_t>((blocks_.size() - 1) * kBlock + used_);
    used_ += values.size();
    size_ += values.size();
    return position;
  }
  const T* At(uint32_t position) const { return blocks_[position / kBlock].get() + position % kBlock; }
  size_t size() const { return size_; }

 private:
  std::vector<std::unique_ptr<T[]>> blocks_;
  size_t used_ = 0;
  size_t size_ = 0;
};

struct Exemplar {
  uint32_t item;
  uint32_t offset;  // of the shingles in Generation::arena
  uint32_t count;
  uint32_t signature;  // offset in Generation::signatures
};

// The stored exemplars. Two generations exist only under max_exemplars: new ones go to the current one, and when it
// is half full the previous generation is dropped whole.
struct Generation {
  BandTable table;
  BlockArena<uint32_t> arena;
  std::vector<Exemplar> exemplars;
  BlockArena<uint16_t> signatures;  // the low 16 bits of each exemplar's MinHash values, for the quick filter

  std::span<const uint32_t> Shingles(uint32_t e) const { return {arena.At(exemplars[e].offset), exemplars[e].count}; }
};

}  // namespace

Status ValidateDedupOptions(const DedupOptions& o) {
  if (!(o.threshold > 0 && o.threshold <= 1)) return InvalidArgumentError("threshold must be in (0, 1]", "threshold");
  if (o.shingle_size < 1 || o.shingle_size > 8) {
    return InvalidArgumentError("shingle size must be in [1, 8]", "shingle_size");
  }
  if (o.bands < 1 || o.rows < 1 || o.bands * o.rows > 1024) {
    return InvalidArgumentError("bands and rows must be >= 1 with bands * rows <= 1024", "bands");
  }
  if (o.max_bucket < 1) return InvalidArgumentError("max bucket must be >= 1", "max_bucket");
  if (!(o.exemplar_similarity > 0 && o.exemplar_similarity <= 1)) {
    return InvalidArgumentError("exemplar similarity must be in (0, 1]", "exemplar_similarity");
  }
  return OkStatus();
}

void ComputeFingerprint(std::string_view normalized, const DedupOptions& options, Fingerprint* out) {
  thread_local std::vector<uint32_t> content;
  thread_local std::vector<uint8_t> filled;
  content.clear();
  for (size_t i = 0; i < normalized.size();) {
    const uint32_t c = internal::NextCodePoint(normalized, &i);
    if (internal::IsContent(c)) content.push_back(c);
  }
  const size_t k = static_cast<size_t>(options.shingle_size);
  const size_t num_hashes = static_cast<size_t>(options.bands) * static_cast<size_t>(options.rows);
  out->shingles.clear();
  out->signature.assign(num_hashes, kEmpty);
  if (content.empty()) return;

  filled.assign(num_hashes, 0);
  const size_t count = content.size() >= k ? content.size() - k + 1 : 1;
  const size_t width = std::min(k, content.size());
  const uint64_t seed = Mix64(options.seed);
  for (size_t s = 0; s < count; ++s) {
    uint64_t key;
    if (width <= 3) {
      key = 0;
      for (size_t j = 0; j < width; ++j) key = (key << 21) | content[s + j];
      key = Mix64(key ^ seed);
    } else {
      key = XXH3_64bits_withSeed(&content[s], width * sizeof(uint32_t), seed);
    }
    const uint32_t value = static_cast<uint32_t>(key >> 32);
    out->shingles.push_back(value);
    const size_t bin = (uint64_t{static_cast<uint32_t>(key)} * num_hashes) >> 32;
    if (!filled[bin] || value < out->signature[bin]) {
      out->signature[bin] = value;
      filled[bin] = 1;
    }
  }
  std::sort(out->shingles.begin(), out->shingles.end());
  out->shingles.erase(std::unique(out->shingles.begin(), out->shingles.end()), out->shingles.end());

  // Optimal densification: an empty bin borrows the value of the first filled bin on its own pseudo-random probe
  // sequence. The sequence depends only on the bin, so equal texts borrow equally and similar texts mostly do.
  for (size_t bin = 0; bin < num_hashes; ++bin) {
    if (filled[bin]) continue;
    for (uint64_t attempt = 1;; ++attempt) {
      const uint64_t h = Mix64(seed ^ (uint64_t{bin} << 32) ^ attempt);
      const size_t from = (uint64_t{static_cast<uint32_t>(h)} * num_hashes) >> 32;
      if (filled[from] == 1) {
        out->signature[bin] = out->signature[from];
        break;
      }
    }
  }
}

double Jaccard(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  if (a.empty() && b.empty()) return 0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

struct Deduplicator::Impl {
  DedupOptions options;
  mutable std::vector<uint32_t> parent;
  std::unique_ptr<Generation> current = std::make_unique<Generation>();
  std::unique_ptr<Generation> previous;
  Stats stats;
  std::vector<uint32_t> keys;

  uint32_t Find(uint32_t x) const {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  void Union(uint32_t a, uint32_t b) {
    const uint32_t ra = Find(a), rb = Find(b);
    if (ra == rb) return;
    if (ra < rb) {
      parent[rb] = ra;
    } else {
      parent[ra] = rb;
    }
  }

  void BandKeys(const Fingerprint& fp, std::vector<uint32_t>* out) const {
    out->resize(static_cast<size_t>(options.bands));
    const size_t rows = static_cast<size_t>(options.rows);
    for (size_t b = 0; b < out->size(); ++b) {
      const uint64_t h = XXH3_64bits_withSeed(&fp.signature[b * rows], rows * sizeof(uint32_t), options.seed + b);
      (*out)[b] = static_cast<uint32_t>(h ^ (h >> 32));
    }
  }

  // Calls fn(generation, exemplar) for each exemplar sharing a band with `keys`, each at most once per generation.
  template <typename Fn>
  void ForEachCandidate(const std::vector<uint32_t>& band_keys, Fn fn) const {
    thread_local std::vector<uint32_t> seen;
    for (const Generation* g : {current.get(), previous.get()}) {
      if (g == nullptr) continue;
      seen.clear();
      for (uint32_t key : band_keys) g->table.Prefetch(key);
      for (uint32_t key : band_keys) {
        g->table.ForEach(key, [&](uint32_t e) {
          if (std::find(seen.begin(), seen.end(), e) != seen.end()) return;
          seen.push_back(e);
          fn(*g, e);
        });
      }
    }
  }

  // The share of agreeing MinHash values estimates the Jaccard similarity (standard error 0.037 for 120 values at
  // 0.8). Pairs estimated far below the threshold skip the exact check; the margin keeps the chance of skipping a
  // true near-duplicate negligible (over 5 standard errors). Texts with fewer shingles than half the values have
  // mostly borrowed (densified) values and a coarser estimate: they go straight to the exact check, which is cheap
  // for them.
  bool QuickFilter(const Generation& g, uint32_t e, const std::vector<uint32_t>& signature, size_t count) const {
    const size_t k = signature.size();
    if (2 * count < k || 2 * size_t{g.exemplars[e].count} < k) return true;
    const uint16_t* stored = g.signatures.At(g.exemplars[e].signature);
    size_t agree = 0;
    for (size_t i = 0; i < k; ++i) agree += stored[i] == static_cast<uint16_t>(signature[i]);
    return static_cast<double>(agree) >= (options.threshold - kQuickMargin) * static_cast<double>(k);
  }

  bool CouldReach(size_t a, size_t b) const {
    const double lo = static_cast<double>(std::min(a, b)), hi = static_cast<double>(std::max(a, b));
    return lo >= options.threshold * hi;
  }
};

Deduplicator::Deduplicator(const DedupOptions& options) : impl_(std::make_unique<Impl>()) { impl_->options = options; }
Deduplicator::~Deduplicator() = default;

size_t Deduplicator::size() const { return impl_->parent.size(); }

uint32_t Deduplicator::Representative(uint32_t item) const { return impl_->Find(item); }

Deduplicator::Stats Deduplicator::stats() const {
  Stats s = impl_->stats;
  s.exemplars = impl_->current->exemplars.size() + (impl_->previous ? impl_->previous->exemplars.size() : 0);
  s.stored_shingles = impl_->current->arena.size() + (impl_->previous ? impl_->previous->arena.size() : 0);
  return s;
}

uint32_t Deduplicator::Add(const Fingerprint& fp) {
  Impl& m = *impl_;
  const auto x = static_cast<uint32_t>(m.parent.size());
  m.parent.push_back(x);
  if (fp.shingles.empty()) return x;

  m.BandKeys(fp, &m.keys);
  double best_current = 0;  // best match stored in the current generation
  m.ForEachCandidate(m.keys, [&](const Generation& g, uint32_t e) {
    const Exemplar& ex = g.exemplars[e];
    if (m.Find(ex.item) == m.Find(x)) return;
    if (!m.CouldReach(ex.count, fp.shingles.size())) return;
    if (!m.QuickFilter(g, e, fp.signature, fp.shingles.size())) return;
    ++m.stats.candidates;
    const double j = Jaccard(g.Shingles(e), fp.shingles);
    if (j >= m.options.threshold) {
      ++m.stats.verified;
      m.Union(x, ex.item);
      if (&g == m.current.get()) best_current = std::max(best_current, j);
    }
  });
  if (best_current >= m.options.exemplar_similarity) return x;

  // Store x in every band of the current generation whose bucket does not yet hold a member of x's group.
  Generation& g = *m.current;
  const auto e = static_cast<uint32_t>(g.exemplars.size());
  const uint32_t root = m.Find(x);
  bool stored = false;
  for (uint32_t key : m.keys) {
    bool present = false;
    size_t occupants = 0;
    g.table.ForEach(key, [&](uint32_t other) {
      ++occupants;
      present = present || m.Find(g.exemplars[other].item) == root;
    });
    // A full bucket holds texts that share only common material (a stock phrase): one more adds cost, not recall,
    // since a true near-duplicate shares several bands.
    if (present) continue;
    if (occupants >= m.options.max_bucket) {
      ++m.stats.buckets_full;
      continue;
    }
    g.table.Insert(key, e);
    stored = true;
  }
  if (!stored) return x;
  thread_local std::vector<uint16_t> low;
  low.assign(fp.signature.begin(), fp.signature.end());
  // Texts longer than a block (a million shingles) keep the first block's worth for the exact check.
  const std::span<const uint32_t> shingles(fp.shingles.data(),
                                           std::min(fp.shingles.size(), BlockArena<uint32_t>::kBlock));
  g.exemplars.push_back(
      Exemplar{x, g.arena.Append(shingles), static_cast<uint32_t>(shingles.size()), g.signatures.Append(low)});
  if (m.options.max_exemplars > 0 && g.exemplars.size() >= (m.options.max_exemplars + 1) / 2) {
    if (m.previous) m.stats.forgotten += m.previous->exemplars.size();
    m.previous = std::move(m.current);
    m.current = std::make_unique<Generation>();
  }
  return x;
}

std::vector<DuplicateMatch> Deduplicator::FindSimilar(const Fingerprint& fp) const {
  const Impl& m = *impl_;
  std::vector<DuplicateMatch> matches;
  if (fp.shingles.empty()) return matches;
  std::vector<uint32_t> keys;
  m.BandKeys(fp, &keys);
  m.ForEachCandidate(keys, [&](const Generation& g, uint32_t e) {
    const Exemplar& ex = g.exemplars[e];
    if (!m.CouldReach(ex.count, fp.shingles.size())) return;
    if (!m.QuickFilter(g, e, fp.signature, fp.shingles.size())) return;
    const double j = Jaccard(g.Shingles(e), fp.shingles);
    if (j < m.options.threshold) return;
    const uint32_t rep = m.Find(ex.item);
    for (DuplicateMatch& match : matches) {
      if (match.item == rep) {
        match.similarity = std::max(match.similarity, j);
        return;
      }
    }
    matches.push_back(DuplicateMatch{rep, j});
  });
  std::sort(matches.begin(), matches.end(), [](const DuplicateMatch& a, const DuplicateMatch& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.item < b.item;
  });
  return matches;
}

}  // namespace ningju::text
