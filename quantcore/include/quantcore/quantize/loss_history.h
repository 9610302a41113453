#pragma once
// Every loss event (and notice) of a run, kept per block while each is passed on: summary.json's per-block
// figures, the HDF5 dump's loss curves and the Studio's curves all come from it. Torch-free.
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/jobs/loss_events.h"

namespace quantcore::quantize {

struct RecordedLoss {
  int64_t step = 0;  // counted over the whole run
  LossEvent event;
};

class LossHistory : public OptimizationEvents {
public:
  LossHistory() = default;
  // Copies the recorded events, not the listener.
  LossHistory(const LossHistory& other);
  LossHistory& operator=(const LossHistory& other);

  // Passes every event on to `next` (null: to nobody) after recording it.
  void forward_to(OptimizationEvents* next) { next_ = next; }

  void loss(const LossEvent& event) override;
  void notice(const std::string& message) override;
  std::map<int64_t, std::vector<RecordedLoss>> blocks() const;
  std::vector<std::string> notices() const;  // in the order they came

  // summary.json's "blocks": per block its last step's terms and the mean total loss per epoch.
  nlohmann::json summary_json() const;

private:
  OptimizationEvents* next_ = nullptr;
  mutable std::mutex mutex_;
  std::map<int64_t, std::vector<RecordedLoss>> blocks_;
  int64_t steps_ = 0;
  std::vector<std::string> notices_;
};

nlohmann::json loss_json(const LossValues& values);

}  // namespace quantcore::quantize
