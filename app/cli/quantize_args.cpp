#include "quantize_args.h"

namespace quantlens_cli {

void QuantizeArgs::add_to(CLI::App& sub) {
  sub.add_option("--method", method, "Quantization method")->check(CLI::IsMember({"ptq161"}))->capture_default_str();
  calibration.add_to(sub);
  sub.add_option("--salient-ratio", salient_ratio, "Fraction of salient input channels")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub.add_option("--salient-bits", salient_bits, "Bits of the salient weights")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  sub.add_option("--epochs", epochs, "Training epochs per block")->check(CLI::NonNegativeNumber)->capture_default_str();
  sub.add_option("--lr-alpha", lr_alpha, "Learning rate of alpha")->capture_default_str();
  sub.add_option("--lr-r", lr_r, "Learning rate of r1, r2")->capture_default_str();
  sub.add_option("--mask-stat", mask_stat, "Salient channel statistic")
      ->check(CLI::IsMember({"max", "mean", "none"}))
      ->capture_default_str();
  sub.add_flag("--no-learn", no_learn, "Analytic alpha, r1 = r2 = 1, no training");
  sub.add_option("--loss", loss, "Loss terms")->check(CLI::IsMember({"both", "fp-only"}))->capture_default_str();
  sub.add_flag("--no-nlc", no_nlc, "MSE terms only");
  sub.add_option("--paper", paper,
                 "Follow the paper instead of the official code (spec §11): no-mean (D2), alpha-l1 (D6), "
                 "l2-distance (D3), all")
      ->delimiter(',')
      ->check(CLI::IsMember({"no-mean", "alpha-l1", "l2-distance", "all"}));
  sub.add_option("--chains", chains, "Where the calibration chains live: device, or host when the device is short")
      ->check(CLI::IsMember({"device", "host"}))
      ->capture_default_str();
  sub.add_option("--vector-dtype", vector_dtype, "Stored width of the vectors a, c, r2, scale, zero")
      ->check(CLI::IsMember({"fp16", "fp32"}))
      ->capture_default_str();
  sub.add_option("--format", format, "hf: fp16 fake-quant weights; packed: 1-bit/4-bit packed checkpoint")
      ->check(CLI::IsMember({"hf", "packed"}))
      ->capture_default_str();
  sub.add_option("--out", out, "Output directory (written atomically)")->required();
  sub.add_flag("--force", force, "Replace a non-empty --out directory");
#if QUANTLENS_HAVE_HDF5
  sub.add_option("--dump", dump, "Also write an HDF5 analysis dump (docs/hdf5-dump.md)");
#endif
}

quantcore::Ptq161Options QuantizeArgs::ptq161_options() const {
  quantcore::Ptq161Options o;
  o.epochs = epochs;
  o.lr_alpha = lr_alpha;
  o.lr_r = lr_r;
  o.salient_ratio = salient_ratio;
  o.salient_bits = salient_bits;
  o.learn = !no_learn;
  o.loss.quantized_branch = loss == "both";
  o.loss.nlc = !no_nlc;
  o.mask_statistic = parse_mask_statistic(mask_stat);
  o.vector_dtype = vector_dtype == "fp32" ? quantcore::VectorDType::F32 : quantcore::VectorDType::F16;
  for (const std::string& n : paper) {
    const bool all = n == "all";
    if (all || n == "no-mean") o.paper.no_mean = true;
    if (all || n == "alpha-l1") o.paper.alpha_all = true;
    if (all || n == "l2-distance") o.loss.l2_distance = true;
  }
  o.chains = chains == "host" ? quantcore::ChainPlacement::Host : quantcore::ChainPlacement::Device;
  return o;
}

}  // namespace quantlens_cli
