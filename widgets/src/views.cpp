#include "widgets/views.h"

namespace widgets {

const std::vector<ViewEntry>& studioViews() {
  static const std::vector<ViewEntry> views = {
      {"activations", "Activations", true, makeActivationsView},
      {"weights", "Salient weights", false, makeWeightsView},
      {"slider", "Salient ratio", true, makeSliderView},
      {"teach", "Teaching", false, makeTeachView},
      {"optimise", "Optimise", true, makeOptimiseView, launchOptimiseView, optimiseViewReady},
      {"runs", "Runs", false, makeRunsView},
      {"compare", "Compare", false, makeCompareView},
      {"preprocess", "Preprocess", false, makePreprocessView},
      {"before-after", "Before/after", false, makeBeforeAfterView, {}, beforeAfterViewReady},
      {"dump", "Analysis dump", false, makeDumpView},
      {"methods", "Methods", false, makeMethodsView, launchMethodsView, methodsViewReady},
  };
  return views;
}

const ViewEntry* findView(const QString& name) {
  for (const ViewEntry& v : studioViews())
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace widgets
