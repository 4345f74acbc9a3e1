// text_bench: runs the text pipeline in process over a JSON-lines corpus and reports phase timings, dedup index
// statistics and peak memory as JSON (the end-to-end numbers come from timing `ningju text themes`; see run_bench.sh).
//   text_bench --input corpus.jsonl [--themes] [--threads 2] [--max-exemplars N]
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "text/normalize.h"
#include "text/pipeline.h"

int main(int argc, char** argv) {
  std::string input;
  bool themes = false;
  ningju::text::PipelineOptions options;
  CLI::App app{"text pipeline benchmark"};
  app.add_option("--input", input)->required();
  app.add_flag("--themes", themes);
  app.add_option("--threads", options.threads)->capture_default_str();
  app.add_option("--max-exemplars", options.dedup.max_exemplars)->capture_default_str();
  app.add_option("--exemplar-similarity", options.dedup.exemplar_similarity)->capture_default_str();
  app.add_option("--bands", options.dedup.bands)->capture_default_str();
  app.add_option("--rows", options.dedup.rows)->capture_default_str();
  app.add_option("--max-bucket", options.dedup.max_bucket)->capture_default_str();
  app.add_option("--shingle", options.dedup.shingle_size)->capture_default_str();
  app.add_option("--num-themes", options.themes.num_themes)->capture_default_str();
  app.add_option("--merge-similarity", options.themes.merge_similarity)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.find_themes = themes;
  options.themes.threads = options.threads;

  const auto start = std::chrono::steady_clock::now();
  auto normalizer = ningju::text::Normalizer::Create();
  if (!normalizer.ok()) {
    std::cerr << normalizer.status().ToString() << "\n";
    return 1;
  }
  const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto result = ningju::text::RunPipeline(input, **normalizer, options);
  if (!result.ok()) {
    std::cerr << result.status().ToString() << "\n";
    return 1;
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  nlohmann::json report;
  report["items"] = result->ids.size();
  report["groups"] = result->groups;
  report["themes"] = result->themes.size();
  report["setup_seconds"] = setup;
  report["read_normalize_dedup_seconds"] = result->timings.read_and_dedup_seconds;
  report["themes_seconds"] = result->timings.themes_seconds;
  report["total_seconds"] = total;
  report["cpu_user_seconds"] = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
  report["cpu_system_seconds"] = usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  report["peak_rss_mb"] = usage.ru_maxrss / 1024.0;
  const auto& s = result->dedup_stats;
  report["dedup"] = {{"candidates", s.candidates}, {"verified", s.verified},
                     {"exemplars", s.exemplars},   {"stored_shingles", s.stored_shingles},
                     {"forgotten", s.forgotten},   {"buckets_full", s.buckets_full}};
  std::cout << report.dump(2) << "\n";
  return 0;
}
