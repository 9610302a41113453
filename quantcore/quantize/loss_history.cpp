#include "quantcore/quantize/loss_history.h"

namespace quantcore::quantize {

LossHistory::LossHistory(const LossHistory& other) {
  std::lock_guard lock(other.mutex_);
  blocks_ = other.blocks_;
  steps_ = other.steps_;
  notices_ = other.notices_;
}

LossHistory& LossHistory::operator=(const LossHistory& other) {
  if (this == &other) return *this;
  std::scoped_lock lock(mutex_, other.mutex_);
  blocks_ = other.blocks_;
  steps_ = other.steps_;
  notices_ = other.notices_;
  return *this;
}

void LossHistory::loss(const LossEvent& event) {
  {
    std::lock_guard lock(mutex_);
    blocks_[event.block].push_back({steps_++, event});
  }
  if (next_) next_->loss(event);
}

void LossHistory::notice(const std::string& message) {
  {
    std::lock_guard lock(mutex_);
    notices_.push_back(message);
  }
  if (next_) next_->notice(message);
}

std::vector<std::string> LossHistory::notices() const {
  std::lock_guard lock(mutex_);
  return notices_;
}

std::map<int64_t, std::vector<RecordedLoss>> LossHistory::blocks() const {
  std::lock_guard lock(mutex_);
  return blocks_;
}

nlohmann::json loss_json(const LossValues& v) {
  return {{"mse_fp", v.mse_fp}, {"mse_q", v.mse_q}, {"nlc_fp", v.nlc_fp}, {"nlc_q", v.nlc_q}, {"total", v.total}};
}

nlohmann::json LossHistory::summary_json() const {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& [b, events] : this->blocks()) {
    if (events.empty()) continue;
    std::vector<std::pair<double, int64_t>> epochs;
    for (const RecordedLoss& r : events) {
      if (static_cast<int64_t>(epochs.size()) <= r.event.epoch) epochs.resize(static_cast<size_t>(r.event.epoch) + 1);
      epochs[static_cast<size_t>(r.event.epoch)].first += r.event.loss.total;
      epochs[static_cast<size_t>(r.event.epoch)].second += 1;
    }
    std::vector<double> means;
    for (const auto& [sum, count] : epochs) means.push_back(sum / static_cast<double>(count));
    const LossEvent& last = events.back().event;
    blocks.push_back({{"block", b},
                      {"epoch", last.epoch},
                      {"step", last.step},
                      {"loss", loss_json(last.loss)},
                      {"epoch_mean_total", means}});
  }
  return blocks;
}

}  // namespace quantcore::quantize
