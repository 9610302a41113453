#pragma once
// A run's loss curves as CSV (losses.csv of a run directory): one row per optimiser step, in the
// order the steps ran, columns block,epoch,step,mse_fp,mse_q,nlc_fp,nlc_q,total. The Studio
// reopens a saved run's curves from it; pandas and spreadsheets read it as is. Torch-free.
#include <string>
#include <string_view>
#include <vector>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/quantize/loss_history.h"

namespace quantcore::quantize {

inline constexpr const char* kLossCsvName = "losses.csv";

// Every recorded event in step order.
std::vector<LossEvent> events_in_step_order(const LossHistory& history);
std::string loss_events_csv(const std::vector<LossEvent>& events);
// InputError naming `where` and the line for a malformed file.
std::vector<LossEvent> parse_loss_events_csv(std::string_view text, const std::string& where);

}  // namespace quantcore::quantize
