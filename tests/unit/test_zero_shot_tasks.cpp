// The zero-shot task table and readers: each task formatted as lm-eval 0.4 formats it (exact
// strings on the hand-made files in tests/data/zero_shot), the Python string operations behind
// it, and every malformed file as one InputError naming the file (and line).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "analysis/zero_shot_task.h"
#include "analysis/zero_shot_text.h"
#include "quantcore/io/errors.h"
#include "test_support.h"

namespace {

using analysis::ZeroShotItem;
using analysis::ZeroShotRequest;

const std::filesystem::path kData = std::filesystem::path(QUANTLENS_SOURCE_DIR) / "tests/data/zero_shot";

std::vector<ZeroShotItem> read(const char* task, const std::filesystem::path& file) {
  const analysis::ZeroShotTask* t = analysis::find_zero_shot_task(task);
  EXPECT_NE(t, nullptr) << task;
  return t->read(file);
}

void expect_request(const ZeroShotRequest& r, const std::string& context, const std::string& continuation,
                    const std::string& choice) {
  EXPECT_EQ(r.context, context);
  EXPECT_EQ(r.continuation, continuation);
  EXPECT_EQ(r.choice, choice);
}

}  // namespace

TEST(ZeroShotTasks, TableListsEveryTaskOnce) {
  EXPECT_EQ(analysis::zero_shot_task_names("|"), "piqa|hellaswag|arc_easy|arc_challenge|boolq|winogrande|lambada");
  for (const analysis::ZeroShotTask& task : analysis::zero_shot_tasks())
    EXPECT_EQ(analysis::find_zero_shot_task(task.name), &task);
  EXPECT_EQ(analysis::find_zero_shot_task("mmlu"), nullptr);
  EXPECT_FALSE(analysis::find_zero_shot_task("boolq")->has_acc_norm);
  EXPECT_TRUE(analysis::find_zero_shot_task("arc_challenge")->has_acc_norm);
}

TEST(ZeroShotTasks, PiqaQuestionAnswerWithLabelsBeside) {
  const auto items = read("piqa", kData / "piqa/valid.jsonl");
  ASSERT_EQ(items.size(), 3u);
  ASSERT_EQ(items[0].requests.size(), 2u);
  expect_request(items[0].requests[0], "Question: How do you keep a paper boat from sinking?\nAnswer:",
                 " Rub candle wax over the paper before folding it.",
                 "Rub candle wax over the paper before folding it.");
  expect_request(items[1].requests[1],
                 "Question: open a stuck jar lid\nAnswer:", " Tap the lid edge on the counter, then twist. ",
                 "Tap the lid edge on the counter, then twist. ");
  EXPECT_EQ(items[0].gold, 0);
  EXPECT_EQ(items[1].gold, 1);
  EXPECT_EQ(items[2].gold, 1);
}

TEST(ZeroShotTasks, HellaswagJsonlPreprocessAndCapitalize) {
  const auto items = read("hellaswag", kData / "hellaswag_val.jsonl");
  ASSERT_EQ(items.size(), 3u);
  const std::string q0 = "Baking cookies: A woman rolls dough on a wooden table. She";
  expect_request(items[0].requests[0], q0, " cuts the dough into stars with a cutter.",
                 "cuts the dough into stars with a cutter.");
  expect_request(items[0].requests[3], q0, " reads a book about cars.", "reads a book about cars.");
  const std::string q1 = "Home and Garden: How to water a cactus. Check the soil first. Push a finger into the soil.";
  expect_request(items[1].requests[0], q1, " If it is dry, water it slowly. Let the water drain.",
                 "If it is dry, water it slowly. Let the water drain.");
  // strip() runs before the bracket removal: the space after "[title]" stays.
  expect_request(items[1].requests[1], q1, "  Paint the cactus blue. Cacti like blue.",
                 " Paint the cactus blue. Cacti like blue.");
  EXPECT_EQ(items[2].requests[0].context,
            "Playing guitar: A man tunes an old guitar on stage. The crowd of café owners");
  EXPECT_EQ(items[0].gold, 0);
  EXPECT_EQ(items[1].gold, 0);  // "0" as HF datasets write it
  EXPECT_EQ(items[2].gold, 2);
}

TEST(ZeroShotTasks, HellaswagLlamaCppTextKeepsItsJoinedContexts) {
  const auto items = read("hellaswag", kData / "hellaswag_val_full.txt");
  ASSERT_EQ(items.size(), 3u);
  // ctx_b.capitalize() is lost in llama.cpp's file: "she", "the CROWD" stay as they were.
  EXPECT_EQ(items[0].requests[0].context, "Baking cookies: A woman rolls dough on a wooden table. she");
  EXPECT_EQ(items[1].requests[0].context,
            "Home and Garden: How to water a cactus. Check the soil first. Push a finger into the soil.");
  EXPECT_EQ(items[2].requests[2].context,
            "Playing guitar: A man tunes an old guitar on stage. the CROWD of café owners");
  expect_request(items[1].requests[1], items[1].requests[1].context, " Paint the cactus blue. Cacti like blue.",
                 "Paint the cactus blue. Cacti like blue.");
  EXPECT_EQ(items[2].gold, 2);
}

TEST(ZeroShotTasks, HellaswagBzip2ReadsAsItsText) {
  const auto plain = read("hellaswag", kData / "hellaswag_val_full.txt");
  const auto packed = read("hellaswag", kData / "hellaswag_val_full.txt.bz2");
  ASSERT_EQ(plain.size(), packed.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(plain[i].gold, packed[i].gold);
    ASSERT_EQ(plain[i].requests.size(), packed[i].requests.size());
    for (size_t c = 0; c < plain[i].requests.size(); ++c) {
      EXPECT_EQ(plain[i].requests[c].context, packed[i].requests[c].context);
      EXPECT_EQ(plain[i].requests[c].continuation, packed[i].requests[c].continuation);
    }
  }
}

TEST(ZeroShotTasks, ArcGoldIsTheAnswerKeysIndex) {
  const auto easy = read("arc_easy", kData / "ARC-Easy-Dev.jsonl");
  ASSERT_EQ(easy.size(), 2u);
  ASSERT_EQ(easy[0].requests.size(), 4u);
  expect_request(easy[0].requests[0], "Question: Which of these gives off its own light?\nAnswer:", " the Sun",
                 "the Sun");
  EXPECT_EQ(easy[0].gold, 0);
  ASSERT_EQ(easy[1].requests.size(), 3u);
  EXPECT_EQ(easy[1].gold, 1);  // answerKey "2" among labels "1", "2", "3"
  const auto challenge = read("arc_challenge", kData / "ARC-Challenge-Dev.jsonl");
  ASSERT_EQ(challenge[0].requests.size(), 5u);
  EXPECT_EQ(challenge[0].gold, 4);
  expect_request(challenge[1].requests[1], "Question: Which unit measures electric current?\nAnswer:", " ampere",
                 "ampere");
}

TEST(ZeroShotTasks, ArcHuggingFaceLayout) {
  quantlens_test::TempDir dir;
  quantlens_test::write_bytes(dir / "arc.jsonl",
                              R"({"id": "x", "question": "Which is a metal?", "choices": {"text": ["wood", "iron"], )"
                              R"("label": ["A", "B"]}, "answerKey": "B"})"
                              "\n");
  const auto items = read("arc_easy", dir / "arc.jsonl");
  ASSERT_EQ(items.size(), 1u);
  expect_request(items[0].requests[1], "Question: Which is a metal?\nAnswer:", " iron", "iron");
  EXPECT_EQ(items[0].gold, 1);
}

TEST(ZeroShotTasks, BoolqPassageQuestionNoYes) {
  const auto items = read("boolq", kData / "boolq_dev.jsonl");
  ASSERT_EQ(items.size(), 2u);
  const std::string context =
      "Tomato -- The tomato is the edible berry of the tomato plant.\nQuestion: is a tomato a fruit?\nAnswer:";
  expect_request(items[0].requests[0], context, " no", "no");
  expect_request(items[0].requests[1], context, " yes", "yes");
  EXPECT_EQ(items[0].gold, 1);
  EXPECT_EQ(items[1].gold, 0);
}

TEST(ZeroShotTasks, BoolqSuperGlueAndHuggingFaceLabels) {
  // SuperGLUE's passage already carries "{title} -- " and its label is a boolean; the HF export's is 0/1.
  quantlens_test::TempDir dir;
  quantlens_test::write_bytes(dir / "val.jsonl",
                              R"({"question": "is ice cold", "passage": "Ice -- Ice is frozen water.", "idx": 0, )"
                              R"("label": true})"
                              "\n"
                              R"({"question": "is fire cold", "passage": "Fire -- Fire is hot.", "idx": 1, "label": 0})"
                              "\n");
  const auto items = read("boolq", dir / "val.jsonl");
  ASSERT_EQ(items.size(), 2u);
  expect_request(items[0].requests[1], "Ice -- Ice is frozen water.\nQuestion: is ice cold?\nAnswer:", " yes", "yes");
  EXPECT_EQ(items[0].gold, 1);
  EXPECT_EQ(items[1].gold, 0);
}

TEST(ZeroShotTasks, WinograndePartialScoring) {
  const auto items = read("winogrande", kData / "winogrande_dev.jsonl");
  ASSERT_EQ(items.size(), 3u);
  expect_request(items[0].requests[0], "The trophy did not fit in the suitcase because the trophy", " was too big.",
                 "The trophy did not fit in the suitcase because the trophy");
  expect_request(items[0].requests[1], "The trophy did not fit in the suitcase because the suitcase", " was too big.",
                 "The trophy did not fit in the suitcase because the suitcase");
  EXPECT_EQ(items[0].gold, 0);
  EXPECT_EQ(items[1].gold, 1);
  EXPECT_EQ(items[2].requests[1].context, "The cat chased the mouse until the mouse");
  EXPECT_EQ(items[2].requests[1].continuation, " got tired.");  // the rest after "_", stripped
}

TEST(ZeroShotTasks, LambadaLastSpaceSeparatedWord) {
  const auto items = read("lambada", kData / "lambada_test.jsonl");
  ASSERT_EQ(items.size(), 3u);
  ASSERT_EQ(items[0].requests.size(), 1u);
  EXPECT_EQ(items[0].requests[0].context, "she put the kettle on and waited for the water to");
  EXPECT_EQ(items[0].requests[0].continuation, " boil");
  EXPECT_EQ(items[1].requests[0].context, "the dog ran to the door and barked at the ");  // split(' ') keeps ""
  EXPECT_EQ(items[1].requests[0].continuation, " mailman");
  EXPECT_EQ(items[2].requests[0].context, "");
  EXPECT_EQ(items[2].requests[0].continuation, " alone");
}

TEST(ZeroShotTasks, PythonStringOperationsOfTheHarness) {
  EXPECT_EQ(analysis::hellaswag_preprocess("  A [title] B  "), "A. B");
  EXPECT_EQ(analysis::hellaswag_preprocess("keep [a [b] c] d"), "keep c] d");  // shortest match from the first "["
  EXPECT_EQ(analysis::hellaswag_preprocess("open [ never closed"), "open [ never closed");
  EXPECT_EQ(analysis::hellaswag_preprocess("no [across\nlines] here"), "no [across\nlines] here");
  EXPECT_EQ(analysis::hellaswag_preprocess("a   b"), "a  b");  // one pass of "  " -> " ", as str.replace
  EXPECT_EQ(analysis::hellaswag_preprocess("[header] How to"), " How to");

  EXPECT_EQ(analysis::python_capitalize("the CROWD"), "The crowd");
  EXPECT_EQ(analysis::python_capitalize("élan VITAL"), "Élan vital");
  EXPECT_EQ(analysis::python_capitalize("ÉCOLE"), "École");
  EXPECT_EQ(analysis::python_capitalize("3 Dogs"), "3 dogs");
  EXPECT_EQ(analysis::python_capitalize(""), "");
  EXPECT_EQ(analysis::python_length("café"), 4);
  EXPECT_EQ(analysis::python_length("日本"), 2);
  EXPECT_EQ(analysis::python_strip(" \t\nx y\r\n"), "x y");
  EXPECT_EQ(analysis::python_rstrip("Answer: \n"), "Answer:");
}

namespace {

struct MalformedCase {
  const char* name;
  const char* task;
  const char* file;      // written into a fresh directory
  const char* contents;  // nullptr: no such file
  const char* labels;    // PIQA's labels file beside it, or nullptr for none
  const char* located;   // where the message must start: the file name with ":LINE", or the labels file
  const char* needle;
};

const char kTwoPiqa[] =
    "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n{\"goal\": \"h\", \"sol1\": \"c\", \"sol2\": \"d\"}\n";

const MalformedCase kMalformed[] = {
    {"bad_json_line", "piqa", "valid.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n{\"goal\": oops}\n",
     "0\n1\n", "valid.jsonl:2", "parse error"},
    {"missing_field", "piqa", "valid.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\"}\n", "0\n", "valid.jsonl:1",
     "missing field \"sol2\""},
    {"field_of_wrong_type", "boolq", "dev.jsonl", "{\"question\": 3, \"passage\": \"p\", \"answer\": true}\n", nullptr,
     "dev.jsonl:1", "\"question\" must be a string"},
    {"labels_count_mismatch", "piqa", "valid.jsonl", kTwoPiqa, "0\n", "valid-labels.lst", "has 1 labels for 2 items"},
    {"label_out_of_range", "piqa", "valid.jsonl", kTwoPiqa, "0\n2\n", "valid-labels.lst:2", "is not 0 or 1"},
    {"missing_labels_file", "piqa", "valid.jsonl", kTwoPiqa, nullptr, "valid-labels.lst", "no such file"},
    {"hellaswag_label_out_of_range", "hellaswag", "hs.jsonl",
     "{\"activity_label\": \"a\", \"ctx_a\": \"b\", \"ctx_b\": \"c\", \"endings\": [\"x\", \"y\"], "
     "\"label\": 7}\n",
     nullptr, "hs.jsonl:1", "out of range for 2 choices"},
    {"hellaswag_text_not_six_lines", "hellaswag", "hs.txt", "ctx\n0\na\nb\nc\n", nullptr, "hs.txt", "has 5 lines"},
    {"hellaswag_text_bad_gold", "hellaswag", "hs.txt", "ctx\n4\na\nb\nc\nd\n", nullptr, "hs.txt:2", "is not 0-3"},
    {"hellaswag_truncated_bzip2", "hellaswag", "hs.txt.bz2", "BZh91AY&SY", nullptr, "hs.txt.bz2", "bzip2"},
    {"arc_answer_not_a_label", "arc_easy", "arc.jsonl",
     "{\"question\": {\"stem\": \"q\", \"choices\": [{\"text\": \"a\", \"label\": \"A\"}]}, "
     "\"answerKey\": \"C\"}\n",
     nullptr, "arc.jsonl:1", "\"answerKey\" 'C' is not one of the choice labels"},
    {"winogrande_without_blank", "winogrande", "wg.jsonl",
     "{\"sentence\": \"no blank\", \"option1\": \"a\", \"option2\": \"b\", \"answer\": \"1\"}\n", nullptr, "wg.jsonl:1",
     "has no \"_\""},
    {"winogrande_unlabelled", "winogrande", "wg.jsonl",
     "{\"sentence\": \"a _ b\", \"option1\": \"a\", \"option2\": \"b\", \"answer\": \"\"}\n", nullptr, "wg.jsonl:1",
     "\"answer\" must be \"1\" or \"2\""},
    {"not_an_object", "lambada", "l.jsonl", "[\"text\"]\n", nullptr, "l.jsonl:1", "expected a JSON object"},
    {"no_items", "lambada", "l.jsonl", "\n\n", nullptr, "l.jsonl", "holds no items"},
    {"missing_file", "boolq", "elsewhere/dev.jsonl", nullptr, nullptr, "elsewhere/dev.jsonl", "no such file"}};

}  // namespace

TEST(ZeroShotTasks, MalformedFileIsOneInputErrorNamingTheFile) {
  for (const MalformedCase& c : kMalformed) {
    SCOPED_TRACE(c.name);
    quantlens_test::TempDir dir;
    if (c.contents) quantlens_test::write_bytes(dir / c.file, c.contents);
    if (c.labels) quantlens_test::write_bytes(dir / "valid-labels.lst", c.labels);
    try {
      read(c.task, dir / c.file);
      ADD_FAILURE() << "no error";
    } catch (const quantcore::InputError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind((dir / c.located).string(), 0), 0u) << message;
      EXPECT_NE(message.find(c.needle), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}
