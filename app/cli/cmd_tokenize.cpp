#include <iostream>
#include <memory>

#include "command_support.h"
#include "quantcore/io/read_file.h"
#include "commands.h"

namespace quantlens_cli {

void define_tokenize(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto text = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  model->add_to(sub);
  auto* t = sub.add_option("--text", *text, "The text");
  sub.add_option("--file", *file, "Read the text from this file")->excludes(t);
  out->add_to(sub);
  action = [model, out, text, file] {
    quantcore::Checkpoint checkpoint = model->open();
    auto tokenizer = open_tokenizer(checkpoint);
    const std::string input = file->empty() ? *text : quantcore::read_file(*file);
    std::vector<int32_t> ids = tokenizer->encode(input);
    if (out->json) {
      nlohmann::json pieces = nlohmann::json::array();
      for (int32_t id : ids) pieces.push_back(tokenizer->piece(id));
      out->emit({{"ids", ids}, {"pieces", pieces}, {"count", ids.size()}});
    } else {
      for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
      std::cout << "\n";
    }
    return 0;
  };
}

}  // namespace quantlens_cli
