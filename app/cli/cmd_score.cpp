#include <iostream>
#include <memory>

#include "analysis/text_score.h"
#include "command_support.h"
#include "commands.h"

namespace quantlens_cli {

void define_score(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto text = std::make_shared<std::string>();
  model->add_to(sub);
  sub.add_option("--text", *text, "The text to score")->required();
  device->add_to(sub);
  out->add_to(sub);
  action = [model, device, out, text] {
    LoadedModel loaded = model->load(*device);
    const quantcore::Tokenizer& tokenizer = *loaded.tokenizer;
    analysis::TextScore s = analysis::score_tokens(*loaded.lm, tokenizer.encode(*text));
    if (out->json) {
      nlohmann::json doc = device->json(*loaded.lm);
      doc.update({{"ids", s.ids},
                  {"mean_nll", s.mean_nll},
                  {"last_top5", {{"ids", s.last_top5_ids}, {"values", s.last_top5_values}}},
                  {"pos0_first8", s.pos0_first8}});
      out->emit(doc);
    } else {
      std::cout << "tokens: " << s.ids.size() << "\nmean NLL: " << s.mean_nll << "\nnext-token top 5:";
      for (size_t k = 0; k < s.last_top5_ids.size(); ++k)
        std::cout << " " << tokenizer.piece(s.last_top5_ids[k]) << " (" << s.last_top5_values[k] << ")";
      std::cout << std::endl;
    }
    return 0;
  };
}

}  // namespace quantlens_cli
