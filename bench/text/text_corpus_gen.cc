// text_corpus_gen: writes a synthetic Chinese comment corpus (JSON lines) and its truth (CSV id,campaign,theme).
//   text_corpus_gen --count 1000000 --seed 42 --output corpus.jsonl --truth truth.csv
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "bench/text/corpus_generator.h"

namespace {

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  ningju::text::bench::GeneratorOptions options;
  std::string output = "-", truth;
  CLI::App app{"synthetic Chinese comment corpus with injected campaigns"};
  app.add_option("--count", options.count)->capture_default_str();
  app.add_option("--seed", options.seed)->capture_default_str();
  app.add_option("--campaign-share", options.campaign_share)->capture_default_str();
  app.add_option("--mean-campaign-size", options.mean_campaign_size)->capture_default_str();
  app.add_option("--output", output, "JSON lines; - for standard output")->capture_default_str();
  app.add_option("--truth", truth, "CSV id,campaign,theme");
  CLI11_PARSE(app, argc, argv);

  std::FILE* out = output == "-" ? stdout : std::fopen(output.c_str(), "wb");
  std::FILE* tr = truth.empty() ? nullptr : std::fopen(truth.c_str(), "wb");
  if (out == nullptr || (!truth.empty() && tr == nullptr)) {
    std::perror("text_corpus_gen");
    return 1;
  }
  if (tr) std::fputs("id,campaign,theme\n", tr);
  ningju::text::bench::CorpusGenerator gen(options);
  ningju::text::bench::GeneratedComment c;
  std::string line;
  while (gen.Next(&c)) {
    line = "{\"id\": \"" + c.id + "\", \"text\": \"" + JsonEscape(c.text) + "\"}\n";
    std::fwrite(line.data(), 1, line.size(), out);
    if (tr) std::fprintf(tr, "%s,%lld,%d\n", c.id.c_str(), static_cast<long long>(c.campaign), c.theme);
  }
  if (out != stdout) std::fclose(out);
  if (tr) std::fclose(tr);
  return 0;
}
