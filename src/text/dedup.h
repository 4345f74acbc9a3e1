// Near-duplicate detection: MinHash signatures over character shingles of normalized text, LSH banding for
// candidates, an exact Jaccard check of the shingle sets, and union-find into groups.
//
// Texts are added one at a time (Deduplicator::Add); each finds its group among the texts added before it without
// recomputing anything else, which is what "similar cases" at intake needs. A group's representative is its earliest
// member, so adding texts never changes an existing representative except when a new text joins two groups (then the
// earlier representative wins). The result depends only on the texts and their order: it is deterministic.
//
// Shingles: overlapping runs of `shingle_size` content code points (Han, letters, digits) of the normalized text;
// spaces and punctuation are left out, so punctuation edits change nothing. Each shingle is hashed to 64 bits: the
// high 32 bits form the shingle set compared exactly, the whole hash feeds one-permutation MinHash with optimal
// densification (Shrivastava 2017), which costs one hash per shingle instead of one per shingle and permutation.
#ifndef NINGJU_TEXT_DEDUP_H_
#define NINGJU_TEXT_DEDUP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ningju::text {

struct DedupOptions {
  // Two texts are near-duplicates when the Jaccard similarity of their shingle sets is at least this. Default 0.8.
  double threshold = 0.8;
  // Code points per shingle. Default 3.
  int shingle_size = 3;
  // LSH: the signature has bands * rows MinHash values; two texts become candidates when all rows of one band agree.
  // With 20 x 6 a pair at Jaccard 0.8 is a candidate with probability 0.998, a pair at 0.3 with 0.015.
  int bands = 20;
  int rows = 6;
  // An added text whose best match is at least this similar is not stored as an exemplar: its match already stands
  // for it. Keeps memory flat for large form-letter campaigns. 1.0 stores every text.
  double exemplar_similarity = 0.95;
  // A bucket (texts agreeing on one band) takes at most this many texts of different groups. Default 16.
  size_t max_bucket = 16;
  // Bound on stored exemplars (0: no bound). When reached, the older half is forgotten, except groups that keep
  // receiving texts (they are stored again as they match). Memory for the index is then bounded; a text can only
  // find a forgotten group's members through newer ones.
  size_t max_exemplars = 0;
  // Hash seed. Results are deterministic for a given seed.
  uint64_t seed = 0x6e696e676a75ULL;
};

// Checks ranges: threshold in (0, 1], shingle_size in [1, 8], bands and rows >= 1, bands * rows <= 1024.
Status ValidateDedupOptions(const DedupOptions& options);

struct Fingerprint {
  std::vector<uint32_t> shingles;   // sorted, distinct shingle hashes; empty for a text without content
  std::vector<uint32_t> signature;  // bands * rows MinHash values
};

// Fills `*out` from NORMALIZED text (see text/normalize.h). Reuses `*out`'s storage.
void ComputeFingerprint(std::string_view normalized, const DedupOptions& options, Fingerprint* out);

// |a ∩ b| / |a ∪ b| of two sorted, distinct sets; 0 when both are empty.
double Jaccard(std::span<const uint32_t> a, std::span<const uint32_t> b);

// One verified near-duplicate: an earlier item and its similarity.
struct DuplicateMatch {
  uint32_t item = 0;
  double similarity = 0;
};

// Incremental near-duplicate grouping. Items are numbered 0, 1, 2... in the order they are added.
// Not thread-safe (compute fingerprints in parallel, add them from one thread).
class Deduplicator {
 public:
  // REQUIRES: ValidateDedupOptions(options).ok().
  explicit Deduplicator(const DedupOptions& options = {});
  ~Deduplicator();
  Deduplicator(const Deduplicator&) = delete;
  Deduplicator& operator=(const Deduplicator&) = delete;

  // Adds the next item and returns its number. It joins (and merges) the groups of every stored text it matches.
  uint32_t Add(const Fingerprint& fingerprint);

  // The stored texts similar to `fingerprint`, without adding it; best first, one per group.
  std::vector<DuplicateMatch> FindSimilar(const Fingerprint& fingerprint) const;

  // The representative (earliest member) of `item`'s group as of now. REQUIRES: item < size().
  uint32_t Representative(uint32_t item) const;
  size_t size() const;

  struct Stats {
    uint64_t candidates = 0;  // candidate exemplars checked exactly
    uint64_t verified = 0;    // of which similar enough
    uint64_t exemplars = 0;   // currently stored
    uint64_t stored_shingles = 0;
    uint64_t forgotten = 0;     // exemplars dropped by the max_exemplars bound
    uint64_t buckets_full = 0;  // insertions skipped because the bucket was full
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ningju::text

#endif  // NINGJU_TEXT_DEDUP_H_
