// losses.csv of a run directory: every step in step order, read back exactly; a malformed file
// is one error naming the file and the line.
#include <gtest/gtest.h>

#include <string>

#include "quantcore/io/errors.h"
#include "quantcore/quantize/loss_csv.h"
#include "quantcore/quantize/loss_history.h"

using namespace quantcore;
using namespace quantcore::quantize;

namespace {
LossEvent event(int64_t block, int64_t epoch, int64_t step, double total) {
  LossEvent e;
  e.block = block;
  e.epoch = epoch;
  e.step = step;
  e.loss = {total / 3, total / 7, 0.1 / 3, 0, total};
  return e;
}

std::string message_of(const std::string& text) {
  try {
    parse_loss_events_csv(text, "run/losses.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}
}  // namespace

TEST(LossCsv, HistoryRoundTripsExactlyInStepOrder) {
  LossHistory history;
  // Two blocks interleaved as a pipelined run would record them: step order is arrival order.
  history.loss(event(0, 0, 0, 1.0 / 3));
  history.loss(event(1, 0, 0, 2.718281828459045));
  history.loss(event(0, 0, 1, 1e-300));
  history.loss(event(0, 1, 0, 12345.678901234567));
  const std::vector<LossEvent> events = events_in_step_order(history);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].block, 1);
  EXPECT_EQ(events[3].epoch, 1);

  const std::string csv = loss_events_csv(events);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "block,epoch,step,mse_fp,mse_q,nlc_fp,nlc_q,total");
  const std::vector<LossEvent> back = parse_loss_events_csv(csv, "losses.csv");
  ASSERT_EQ(back.size(), events.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].block, events[i].block);
    EXPECT_EQ(back[i].epoch, events[i].epoch);
    EXPECT_EQ(back[i].step, events[i].step);
    EXPECT_EQ(back[i].loss.mse_fp, events[i].loss.mse_fp);  // bit-exact: 17 significant digits
    EXPECT_EQ(back[i].loss.mse_q, events[i].loss.mse_q);
    EXPECT_EQ(back[i].loss.nlc_fp, events[i].loss.nlc_fp);
    EXPECT_EQ(back[i].loss.total, events[i].loss.total);
  }
}

TEST(LossCsv, MalformedFilesNameTheFileAndLine) {
  EXPECT_EQ(message_of(""), "run/losses.csv: empty file (expected the header "
                            "'block,epoch,step,mse_fp,mse_q,nlc_fp,nlc_q,total')");
  EXPECT_EQ(message_of("step,loss\n"), "run/losses.csv: line 1: expected the header "
                                       "'block,epoch,step,mse_fp,mse_q,nlc_fp,nlc_q,total'");
  const std::string header = "block,epoch,step,mse_fp,mse_q,nlc_fp,nlc_q,total\n";
  const std::string bad =
      "run/losses.csv: line 3: expected 3 non-negative integers and 5 numbers separated by commas";
  EXPECT_EQ(message_of(header + "0,0,0,1,2,3,4,10\n0,0,1,1,2,3,4\n"), bad);        // a field short
  EXPECT_EQ(message_of(header + "0,0,0,1,2,3,4,10\n0,0,x,1,2,3,4,10\n"), bad);     // not a number
  EXPECT_EQ(message_of(header + "0,0,0,1,2,3,4,10\n-1,0,1,1,2,3,4,10\n"), bad);    // negative block
  EXPECT_EQ(parse_loss_events_csv(header + "0,0,0,1,2,3,4,10\r\n\n", "f").size(), 1u);  // CRLF, blank end
}
