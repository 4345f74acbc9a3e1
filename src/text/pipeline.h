// The batch pipeline behind `ningju text dedup|themes` and the benchmarks: read JSON lines, normalize, fingerprint,
// group near-duplicates and (optionally) find themes over the distinct texts.
//
// Reading, parsing, normalization and fingerprints run on `threads` worker threads, chunk by chunk; the chunks are
// then added to the Deduplicator in input order on the calling thread, so the result does not depend on the number
// of threads. Memory: texts are never all held; per item the pipeline keeps its id and its group (about 16 bytes plus
// the id), the dedup index keeps its exemplars (bounded by DedupOptions::max_exemplars) and, with themes, the
// normalized text of each distinct group is kept.
#ifndef NINGJU_TEXT_PIPELINE_H_
#define NINGJU_TEXT_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "text/dedup.h"
#include "text/normalize.h"
#include "text/themes.h"

namespace ningju::text {

// Ids in input order, packed.
class IdList {
 public:
  void Add(std::string_view id) {
    bytes_.append(id);
    ends_.push_back(bytes_.size());
  }
  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  size_t size() const { return ends_.size(); }

 private:
  std::string bytes_;
  std::vector<uint64_t> ends_;
};

struct PipelineOptions {
  DedupOptions dedup;
  ThemeOptions themes;
  bool find_themes = false;
  // Worker threads for reading, normalizing and fingerprinting. Default 2.
  int threads = 2;
  // Bytes of input per work unit. Default 4 MiB.
  size_t chunk_bytes = 4 << 20;
  // Called from the calling thread after each chunk: (bytes read, total bytes or 0 if unknown, items so far).
  std::function<void(uint64_t, uint64_t, uint64_t)> progress;
};

struct PipelineTimings {
  double read_and_dedup_seconds = 0;
  double themes_seconds = 0;
};

struct PipelineResult {
  IdList ids;
  std::vector<uint32_t> group;  // per item: the item number of its group's representative (earliest member)
  uint64_t groups = 0;          // number of distinct groups
  std::vector<Theme> themes;    // with find_themes; Theme::texts hold representative item numbers
  Deduplicator::Stats dedup_stats;
  PipelineTimings timings;
};

// Runs the pipeline over the JSON-lines file `path` ("-" for standard input). Bad input stops it with
// kInvalidArgument "line N: reason" (see text/corpus.h); a missing file is kNotFound.
StatusOr<PipelineResult> RunPipeline(const std::string& path, const Normalizer& normalizer,
                                     const PipelineOptions& options);

// Members of each group: for every representative r, the items whose group is r, in input order.
// Returns offsets (size items + 1, indexed by representative) into `members`.
void GroupMembers(const std::vector<uint32_t>& group, std::vector<uint32_t>* offsets, std::vector<uint32_t>* members);

// Writes the dedup CSV ("id,group" then one row per item) to `out`.
Status WriteDedupCsv(const PipelineResult& result, std::FILE* out);

// Writes the themes JSON to `out`:
// {"themes": [{"terms": [...], "size": N, "representative": "id", "members": ["id", ...]}, ...]}
// largest theme first; "size" counts items (near-duplicates included), "members" lists every item's id.
Status WriteThemesJson(const PipelineResult& result, std::FILE* out);

// RFC 4180 field quoting: as is unless it holds a comma, a quote, CR or LF.
std::string CsvField(std::string_view s);
// A JSON string literal, quotes included.
std::string JsonString(std::string_view s);

}  // namespace ningju::text

#endif  // NINGJU_TEXT_PIPELINE_H_
