#include "text/pipeline.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "text/corpus.h"

namespace ningju::text {
namespace {

// One chunk after the parallel stage: ids, fingerprints and (for themes) normalized texts, packed.
struct ProcessedChunk {
  // Empties the chunk for reuse, keeping its buffers (a fresh multi-megabyte allocation per chunk costs page faults).
  void Clear() {
    end_offset = 0;
    error = OkStatus();
    count = 0;
    ids.clear();
    id_ends.clear();
    shingles.clear();
    shingle_ends.clear();
    signatures.clear();
    normalized.clear();
    normalized_ends.clear();
  }

  uint64_t end_offset = 0;
  Status error;
  size_t count = 0;
  std::string ids;
  std::vector<uint32_t> id_ends;
  std::vector<uint32_t> shingles;
  std::vector<uint32_t> shingle_ends;
  std::vector<uint32_t> signatures;  // count * (bands * rows)
  std::string normalized;
  std::vector<uint32_t> normalized_ends;
};

void ProcessChunk(const LineChunk& chunk, const Normalizer& normalizer, const PipelineOptions& options,
                  ProcessedChunk* out) {
  CorpusRecord record;
  std::string normalized;
  Fingerprint fp;
  out->end_offset = chunk.end_offset;
  // Reserve from the chunk's size so that the arrays do not grow by copying.
  const size_t lines = static_cast<size_t>(std::count(chunk.data.begin(), chunk.data.end(), '\n')) + 1;
  const size_t sig_size = static_cast<size_t>(options.dedup.bands) * static_cast<size_t>(options.dedup.rows);
  out->id_ends.reserve(lines);
  out->shingle_ends.reserve(lines);
  out->signatures.reserve(lines * sig_size);
  out->shingles.reserve(chunk.data.size() / 3 + lines);
  if (options.find_themes) {
    out->normalized.reserve(chunk.data.size());
    out->normalized_ends.reserve(lines);
  }
  ForEachLine(chunk, [&](uint64_t line_number, std::string_view line) {
    if (!out->error.ok()) return;
    Status st = ParseCorpusLine(line, &record);
    if (st.code() == StatusCode::kNotFound) return;  // blank line
    if (!st.ok()) {
      out->error = LineError(line_number, st);
      return;
    }
    normalizer.NormalizeValid(record.text, &normalized);
    ComputeFingerprint(normalized, options.dedup, &fp);
    out->ids += record.id;
    out->id_ends.push_back(static_cast<uint32_t>(out->ids.size()));
    out->shingles.insert(out->shingles.end(), fp.shingles.begin(), fp.shingles.end());
    out->shingle_ends.push_back(static_cast<uint32_t>(out->shingles.size()));
    out->signatures.insert(out->signatures.end(), fp.signature.begin(), fp.signature.end());
    if (options.find_themes) {
      out->normalized += normalized;
      out->normalized_ends.push_back(static_cast<uint32_t>(out->normalized.size()));
    }
    ++out->count;
  });
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

StatusOr<PipelineResult> RunPipeline(const std::string& path, const Normalizer& normalizer,
                                     const PipelineOptions& options) {
  RETURN_IF_ERROR(ValidateDedupOptions(options.dedup));
  if (options.find_themes) RETURN_IF_ERROR(ValidateThemeOptions(options.themes));
  ASSIGN_OR_RETURN(std::unique_ptr<LineReader> reader, LineReader::Open(path, options.chunk_bytes));
  const auto start = std::chrono::steady_clock::now();

  PipelineResult result;
  Deduplicator dedup(options.dedup);
  // Normalized texts of the items that started a group (candidates for themes), in item order.
  std::vector<uint32_t> leader_items;
  std::string leader_text;
  std::vector<uint64_t> leader_ends;

  const int workers = std::max(1, options.threads);
  const uint64_t max_in_flight = static_cast<uint64_t>(workers) + 2;
  std::mutex mu;
  std::condition_variable changed;
  std::map<uint64_t, ProcessedChunk> done;
  std::vector<ProcessedChunk> spare;  // consumed chunks, kept for their buffers
  uint64_t dispatched = 0, consumed = 0;
  int running = workers;
  bool stop = false;
  Status read_error;

  auto worker = [&] {
    LineChunk chunk;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return stop || dispatched - consumed < max_in_flight; });
        if (stop) break;
        ++dispatched;
      }
      StatusOr<bool> more = reader->Next(&chunk);
      if (!more.ok() || !*more) {
        std::lock_guard<std::mutex> lock(mu);
        if (!more.ok() && read_error.ok()) read_error = more.status();
        --dispatched;
        break;
      }
      ProcessedChunk processed;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!spare.empty()) {
          processed = std::move(spare.back());
          spare.pop_back();
        }
      }
      processed.Clear();
      ProcessChunk(chunk, normalizer, options, &processed);
      std::lock_guard<std::mutex> lock(mu);
      done.emplace(chunk.index, std::move(processed));
      changed.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    --running;
    changed.notify_all();
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) threads.emplace_back(worker);

  Status failure;
  Fingerprint fp;
  const size_t sig_size = static_cast<size_t>(options.dedup.bands) * static_cast<size_t>(options.dedup.rows);
  for (;;) {
    ProcessedChunk chunk;
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return done.count(consumed) > 0 || (running == 0 && done.count(consumed) == 0); });
      auto it = done.find(consumed);
      if (it == done.end()) {
        if (!read_error.ok()) failure = read_error;
        break;
      }
      chunk = std::move(it->second);
      done.erase(it);
    }
    if (!chunk.error.ok() && chunk.count == 0) {
      failure = chunk.error;
      break;
    }
    uint32_t id_begin = 0, shingle_begin = 0, text_begin = 0;
    for (size_t i = 0; i < chunk.count; ++i) {
      result.ids.Add(std::string_view(chunk.ids).substr(id_begin, chunk.id_ends[i] - id_begin));
      id_begin = chunk.id_ends[i];
      fp.shingles.assign(chunk.shingles.begin() + shingle_begin, chunk.shingles.begin() + chunk.shingle_ends[i]);
      shingle_begin = chunk.shingle_ends[i];
      fp.signature.assign(chunk.signatures.begin() + static_cast<ptrdiff_t>(i * sig_size),
                          chunk.signatures.begin() + static_cast<ptrdiff_t>((i + 1) * sig_size));
      const uint32_t item = dedup.Add(fp);
      if (options.find_themes) {
        const uint32_t text_end = chunk.normalized_ends[i];
        if (dedup.Representative(item) == item) {
          leader_items.push_back(item);
          leader_text.append(chunk.normalized, text_begin, text_end - text_begin);
          leader_ends.push_back(leader_text.size());
        }
        text_begin = text_end;
      }
    }
    if (!chunk.error.ok()) {
      failure = chunk.error;
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      ++consumed;
      spare.push_back(std::move(chunk));
      changed.notify_all();
    }
    if (options.progress) options.progress(chunk.end_offset, reader->total_bytes(), result.ids.size());
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    changed.notify_all();
  }
  for (std::thread& t : threads) t.join();
  RETURN_IF_ERROR(failure);

  const size_t n = result.ids.size();
  result.group.resize(n);
  for (size_t i = 0; i < n; ++i) {
    result.group[i] = dedup.Representative(static_cast<uint32_t>(i));
    if (result.group[i] == i) ++result.groups;
  }
  result.dedup_stats = dedup.stats();
  result.timings.read_and_dedup_seconds = Seconds(start);
  if (!options.find_themes) return result;

  // Themes over the distinct texts: every final representative started a group, so its text was kept.
  const auto themes_start = std::chrono::steady_clock::now();
  std::vector<uint32_t> sizes(n, 0);
  for (size_t i = 0; i < n; ++i) ++sizes[result.group[i]];
  std::vector<std::string_view> texts;
  std::vector<uint32_t> weights;
  std::vector<uint32_t> distinct;
  for (size_t l = 0; l < leader_items.size(); ++l) {
    const uint32_t item = leader_items[l];
    if (result.group[item] != item) continue;
    const uint64_t begin = l == 0 ? 0 : leader_ends[l - 1];
    texts.push_back(std::string_view(leader_text).substr(begin, leader_ends[l] - begin));
    weights.push_back(sizes[item]);
    distinct.push_back(item);
  }
  sizes = {};
  ASSIGN_OR_RETURN(result.themes, FindThemes(texts, weights, options.themes));
  for (Theme& theme : result.themes) {
    for (uint32_t& t : theme.texts) t = distinct[t];
    theme.representative = distinct[theme.representative];
  }
  result.timings.themes_seconds = Seconds(themes_start);
  return result;
}

void GroupMembers(const std::vector<uint32_t>& group, std::vector<uint32_t>* offsets, std::vector<uint32_t>* members) {
  const size_t n = group.size();
  offsets->assign(n + 1, 0);
  for (uint32_t g : group) ++(*offsets)[g + 1];
  for (size_t i = 0; i < n; ++i) (*offsets)[i + 1] += (*offsets)[i];
  members->assign(n, 0);
  std::vector<uint32_t> fill(offsets->begin(), offsets->end() - 1);
  for (size_t i = 0; i < n; ++i) (*members)[fill[group[i]]++] = static_cast<uint32_t>(i);
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string quoted = "\"";
  for (char c : s) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

Status WriteDedupCsv(const PipelineResult& result, std::FILE* out) {
  std::string buffer = "id,group\n";
  for (size_t i = 0; i < result.ids.size(); ++i) {
    buffer += CsvField(result.ids[i]);
    buffer.push_back(',');
    buffer += CsvField(result.ids[result.group[i]]);
    buffer.push_back('\n');
    if (buffer.size() > (1 << 20)) {
      if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) return UnavailableError("write failed");
      buffer.clear();
    }
  }
  if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) return UnavailableError("write failed");
  return std::fflush(out) == 0 ? OkStatus() : UnavailableError("write failed");
}

Status WriteThemesJson(const PipelineResult& result, std::FILE* out) {
  std::vector<uint32_t> offsets, members;
  GroupMembers(result.group, &offsets, &members);
  std::string buffer = "{\"themes\": [";
  auto flush = [&]() -> bool {
    const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), out) == buffer.size();
    buffer.clear();
    return ok;
  };
  for (size_t t = 0; t < result.themes.size(); ++t) {
    const Theme& theme = result.themes[t];
    buffer += t == 0 ? "\n  {\"terms\": [" : ",\n  {\"terms\": [";
    for (size_t i = 0; i < theme.terms.size(); ++i) {
      if (i > 0) buffer += ", ";
      buffer += JsonString(theme.terms[i]);
    }
    buffer += "], \"size\": " + std::to_string(theme.size);
    buffer += ", \"representative\": " + JsonString(result.ids[theme.representative]);
    buffer += ", \"members\": [";
    std::vector<uint32_t> items;
    for (uint32_t rep : theme.texts)
      items.insert(items.end(), members.begin() + offsets[rep], members.begin() + offsets[rep + 1]);
    std::sort(items.begin(), items.end());
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) buffer += ", ";
      buffer += JsonString(result.ids[items[i]]);
      if (buffer.size() > (1 << 20) && !flush()) return UnavailableError("write failed");
    }
    buffer += "]}";
  }
  buffer += result.themes.empty() ? "]}\n" : "\n]}\n";
  if (!flush()) return UnavailableError("write failed");
  return std::fflush(out) == 0 ? OkStatus() : UnavailableError("write failed");
}

}  // namespace ningju::text
