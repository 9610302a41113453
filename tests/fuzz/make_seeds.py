#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/seeds/<harness>/ from ../shared/data and by hand.

Deterministic, except the two HDF5 dump seeds (they record when they were written); every file
at most 64 KiB. The dump seeds need build/app/cli/quantlens and build-fuzz's make_dump_seed
(cmake --build build-fuzz --target make_dump_seed). Run from anywhere:
    python3 tests/fuzz/make_seeds.py [DATA_DIR]
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data"))
SEEDS = os.path.join(HERE, "seeds")
LIMIT = 64 * 1024


def data(rel):
    with open(os.path.join(DATA, rel), "rb") as f:
        return f.read()


def put(harness, name, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    assert len(payload) <= LIMIT, (harness, name, len(payload))
    os.makedirs(os.path.join(SEEDS, harness), exist_ok=True)
    with open(os.path.join(SEEDS, harness, name), "wb") as f:
        f.write(payload)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --- safetensors, by hand ------------------------------------------------------------------
def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, bytes)] back to back in this order."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = compact(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def f16(values):
    return struct.pack("<%de" % len(values), *values)


def u32(values):
    return struct.pack("<%dI" % len(values), *values)


def i32(values):
    return struct.pack("<%di" % len(values), *values)


def ramp(n, scale=0.125):
    return [((i * 7) % 13 - 6) * scale for i in range(n)]


put("fuzz_safetensors_file", "tiny.safetensors", safetensors(
    [("a", "F32", [2, 3], f32(ramp(6))), ("b", "F16", [4], f16(ramp(4))), ("empty", "I64", [0, 5], b""),
     ("c", "BF16", [1], b"\x80\x3f"), ("d", "U8", [3], b"\x01\x02\x03"), ("e", "I32", [], i32([7])),
     ("f", "BOOL", [2], b"\x00\x01"), ("g", "I8", [1], b"\xff"), ("h", "I16", [1], b"\x01\x00"),
     ("i", "U32", [1], u32([1]))],
    {"format": "pt", "note": "hand-made seed"}))
# The real header of house-llama's weights (every tensor name and shape), its data cut off.
real = data("house-llama/model.safetensors")
(hlen,) = struct.unpack("<Q", real[:8])
put("fuzz_safetensors_file", "house-llama-header.safetensors", real[:min(8 + hlen + 256, LIMIT)])

# --- sharded index ---------------------------------------------------------------------------
# The harness writes two shards: model-00001-of-00002 (model.embed_tokens.weight F32 [2,2],
# model.norm.weight F16 [3]) and model-00002-of-00002 (lm_head.weight, decoder.layers.0.fc1.bias).
s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
put("fuzz_safetensors_index", "two-shards.json", json.dumps({
    "metadata": {"total_size": 50},
    "weight_map": {"model.embed_tokens.weight": s1, "model.norm.weight": s1, "lm_head.weight": s2,
                   "decoder.layers.0.fc1.bias": s2}}, indent=2))
put("fuzz_safetensors_index", "one-shard.json", compact({"weight_map": {"model.norm.weight": s1}}))
put("fuzz_safetensors_index", "missing-tensor.json", compact({"weight_map": {"model.layers.0.x": s2}}))

# --- config.json -------------------------------------------------------------------------------
llama = json.loads(data("house-llama/config.json"))
opt = json.loads(data("house-opt/config.json"))
put("fuzz_hf_config", "house-llama.json", data("house-llama/config.json"))
put("fuzz_hf_config", "house-opt.json", data("house-opt/config.json"))
mistral = dict(llama, model_type="mistral", sliding_window=4096, rope_theta=1000000.0)
del mistral["rope_parameters"]
put("fuzz_hf_config", "mistral.json", json.dumps(mistral, indent=1))
qwen2 = dict(llama, model_type="qwen2", use_sliding_window=True, sliding_window=128, eos_token_id=[2, 3],
             rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                           "original_max_position_embeddings": 8192})
del qwen2["rope_parameters"]
put("fuzz_hf_config", "qwen2-llama3-rope.json", json.dumps(qwen2, indent=1))
put("fuzz_hf_config", "opt-350m-style.json", json.dumps(dict(opt, do_layer_norm_before=False, word_embed_proj_dim=128,
                                                              torch_dtype="float32"), indent=1))

# --- tokenizer.json ----------------------------------------------------------------------------
# house-opt's byte-level BPE cut down to its first 1024 ids and the merges among them.
tok = json.loads(data("house-opt/tokenizer.json"))
vocab = {t: i for t, i in tok["model"]["vocab"].items() if i < 1024}
tok["model"]["vocab"] = vocab
tok["model"]["merges"] = [m for m in tok["model"]["merges"] if m[0] in vocab and m[1] in vocab and m[0] + m[1] in vocab]
put("fuzz_tokenizer_json", "house-opt-1024.json", compact(tok))
# LLaMA-3 style (tests/unit/test_tokenizers.cpp): Split regex + ByteLevel, ignore_merges, added tokens.
pattern = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
           r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
l3_vocab = {"H": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "w": 5, "r": 6, "d": 7, "'": 8, "s": 9, "2": 10, "0": 11, "4": 12,
            "!": 13, "Ċ": 14, "ll": 15, "ell": 16, "He": 17, "llo": 18, "Ġw": 19, "or": 20, "Ġwor": 21, "'s": 22,
            "20": 23, "202": 24, "!Ċ": 25, "Ġworld": 28, "S": 29, "Ss": 30}
added = [{"id": 26, "content": "<|begin_of_text|>", "special": True, "lstrip": False, "rstrip": False,
          "normalized": False, "single_word": False},
         {"id": 27, "content": "<|end_of_text|>", "special": True, "lstrip": False, "rstrip": True,
          "normalized": False, "single_word": False}]
llama3 = {
    "version": "1.0", "added_tokens": added, "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}]},
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
        {"type": "Digits", "individual_digits": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
    "post_processor": {"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
         "pair": [], "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [26],
                                                              "tokens": ["<|begin_of_text|>"]}}}]},
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
              "vocab": l3_vocab,
              "merges": ["l l", "e ll", ["H", "e"], "ll o", "Ġ w", "o r", "Ġw or", "' s", "2 0", "20 2", "! Ċ",
                         ["S", "s"]]}}
put("fuzz_tokenizer_json", "llama3-style.json", json.dumps(llama3, indent=1, ensure_ascii=False))
roberta = dict(llama3, post_processor={"type": "RobertaProcessing", "sep": ["<|end_of_text|>", 27],
                                       "cls": ["<|begin_of_text|>", 26]},
               pre_tokenizer={"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext",
                              "invert": False})
roberta["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext", "invert": False},
    {"type": "ByteLevel", "add_prefix_space": True, "use_regex": True}]}
put("fuzz_tokenizer_json", "roberta-split-string.json", compact(roberta))


# --- tokenizer.model ---------------------------------------------------------------------------
def varint(v):
    out = bytearray()
    while True:
        low = v & 0x7F
        v >>= 7
        out.append(low | (0x80 if v else 0))
        if not v:
            return bytes(out)


def read_varint(b, pos):
    v = shift = 0
    while True:
        c = b[pos]
        pos += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, pos


def fields(b):
    """Top-level (number, raw bytes of the whole field) of a protobuf message."""
    pos = 0
    while pos < len(b):
        start = pos
        tag, pos = read_varint(b, pos)
        wire = tag & 7
        if wire == 0:
            _, pos = read_varint(b, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            n, pos = read_varint(b, pos)
            pos += n
        else:
            raise ValueError("unexpected wire type %d" % wire)
        yield tag >> 3, b[start:pos]


def bytes_field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def varint_field(number, v):
    return varint(number << 3) + varint(v)


def piece(text, score, kind):
    return bytes_field(1, bytes_field(1, text.encode()) + varint(2 << 3 | 5) + struct.pack("<f", score) +
                       varint_field(3, kind))


# house-llama's model with its first 700 pieces (<unk>, <s>, </s>, the 256 byte pieces and the
# best merges), trainer and normalizer specs as they are.
model = data("house-llama/tokenizer.model")
kept, pieces = [], 0
for number, raw in fields(model):
    if number == 1:
        pieces += 1
        if pieces > 700:
            continue
    kept.append(raw)
put("fuzz_tokenizer_model", "house-llama-700.model", b"".join(kept))
# The hand-made model of tests/unit/test_sentencepiece.cpp: user-defined and UNUSED pieces.
NORMAL, UNKNOWN, CONTROL, USER, UNUSED = 1, 2, 3, 4, 5
hand = (piece("<unk>", 0, UNKNOWN) + piece("<s>", 0, CONTROL) + piece("</s>", 0, CONTROL) + piece("<sep>", 0, USER) +
        piece("\u2581", -1, NORMAL) + piece("a", -2, NORMAL) + piece("b", -3, NORMAL) + piece("c", -4, NORMAL) +
        piece("\u2581a", -5, NORMAL) + piece("ab", -6, NORMAL) + piece("\u2581ab", -7, NORMAL) +
        piece("bc", -0.5, UNUSED) + piece("abc", -8, NORMAL))
trainer_bpe = bytes_field(2, varint_field(3, 2))
identity = bytes_field(3, bytes_field(1, b"identity") + varint_field(4, 0))
put("fuzz_tokenizer_model", "hand-made.model", hand + trainer_bpe + identity)
# Byte fallback, remove_extra_whitespaces on, a denormalizer spec.
byte_pieces = b"".join(bytes_field(1, bytes_field(1, ("<0x%02X>" % i).encode()) + varint_field(3, 6))
                       for i in range(256))
put("fuzz_tokenizer_model", "byte-fallback.model",
    piece("<unk>", 0, UNKNOWN) + piece("<s>", 0, CONTROL) + piece("</s>", 0, CONTROL) + byte_pieces +
    piece("\u2581", -1, NORMAL) + piece("a", -2, NORMAL) + piece("\u2581a", -3, NORMAL) +
    bytes_field(2, varint_field(3, 2) + varint_field(35, 1)) +
    bytes_field(3, bytes_field(1, b"identity") + varint_field(4, 1) + varint_field(3, 1)) +
    bytes_field(5, bytes_field(1, b"identity")))

# --- llama2.c tokenizer ------------------------------------------------------------------------
put("fuzz_llama2c_tokenizer", "tok512.bin", data("stories260K/tok512.bin"))


def tok_entry(score, text):
    raw = text if isinstance(text, bytes) else text.encode()
    return struct.pack("<fi", score, len(raw)) + raw


small = [tok_entry(0, "<unk>"), tok_entry(0, "\n<s>\n"), tok_entry(0, "\n</s>\n")]
small += [tok_entry(0, "<0x%02X>" % i) for i in range(256)]
small += [tok_entry(-1, " "), tok_entry(-2, "a"), tok_entry(-3, "b"), tok_entry(-4, " a"), tok_entry(-5, "ab"),
          tok_entry(-6, " ab"), tok_entry(-7, "\xc3\xa9".encode("latin-1")), tok_entry(-1e11, "ba")]
put("fuzz_llama2c_tokenizer", "small.bin", struct.pack("<i", 8) + b"".join(small))


# --- llama2.c checkpoint -----------------------------------------------------------------------
def llama2c(dim, hidden, layers, heads, kv_heads, vocab, seq, shared=True):
    head = dim // heads
    kv = head * kv_heads
    count = (vocab * dim + layers * dim + layers * dim * dim + 2 * layers * kv * dim + layers * dim * dim +
             layers * dim + 3 * layers * hidden * dim + dim + 2 * seq * (head // 2) + (0 if shared else vocab * dim))
    header = struct.pack("<7i", dim, hidden, layers, heads, kv_heads, vocab if shared else -vocab, seq)
    return header + f32(ramp(count, 0.01))


put("fuzz_llama2c_checkpoint", "tiny-shared.bin", llama2c(8, 16, 1, 2, 2, 32, 16))
put("fuzz_llama2c_checkpoint", "tiny-gqa-classifier.bin", llama2c(8, 12, 2, 2, 1, 16, 8, shared=False))
put("fuzz_llama2c_checkpoint", "stories260K-head.bin", data("stories260K/stories260K.bin")[:4096])

# --- packed checkpoint: [u16 config length][config.json][model.safetensors] --------------------
H, I, L, HEADS, V, POS = 8, 16, 1, 2, 16, 32
packed_config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": H,
                 "intermediate_size": I, "num_hidden_layers": L, "num_attention_heads": HEADS,
                 "num_key_value_heads": HEADS, "vocab_size": V, "max_position_embeddings": POS,
                 "rms_norm_eps": 1e-5, "tie_word_embeddings": False, "dtype": "float16",
                 "quantization_config": {"quant_method": "ptq161", "format": "ptq161-packed", "format_version": 1}}
linears = [("self_attn.q_proj", H, H), ("self_attn.k_proj", H, H), ("self_attn.v_proj", H, H),
           ("self_attn.o_proj", H, H), ("mlp.gate_proj", I, H), ("mlp.up_proj", I, H), ("mlp.down_proj", H, I)]


def packed_weights(vector="F16", code_bits=4):
    vec = f16 if vector == "F16" else f32
    tensors = [("model.embed_tokens.weight", "F16", [V, H], f16(ramp(V * H)))]
    for layer in range(L):
        p = "model.layers.%d." % layer
        tensors.append((p + "input_layernorm.weight", "F16", [H], f16([1.0] * H)))
        tensors.append((p + "post_attention_layernorm.weight", "F16", [H], f16([1.0] * H)))
        for name, n, m in linears:
            q = p + name + "."
            cols = [1, m - 2]
            k = len(cols)
            sign_words = (m - k + 31) // 32
            code_words = (k + 32 // code_bits - 1) // (32 // code_bits)
            tensors += [
                (q + "salient_columns", "I32", [k], i32(cols)),
                (q + "signs", "U32", [n, sign_words], u32([(0x9E3779B9 * (r + 1)) & 0xFFFFFFFF for r in range(n * sign_words)])),
                (q + "codes", "U32", [n, code_words], u32([0x00000053 + r for r in range(n * code_words)])),
                (q + "a", vector, [n], vec([0.25] * n)), (q + "c", vector, [n], vec([0.0625] * n)),
                (q + "r2", vector, [m], vec([0.5] * m)), (q + "scale", vector, [n], vec([0.125] * n)),
                (q + "zero", vector, [n], vec([7.0] * n))]
    tensors.append(("model.norm.weight", "F16", [H], f16([1.0] * H)))
    tensors.append(("lm_head.weight", "F16", [V, H], f16(ramp(V * H))))
    meta = {"format": "pt", "quantlens.format": "ptq161-packed", "quantlens.format_version": "1",
            "quantlens.method": "ptq161", "quantlens.vector_dtype": "fp16" if vector == "F16" else "fp32",
            "quantlens.code_bits": str(code_bits), "quantlens.salient_bits": str(min(code_bits, 4))}
    return safetensors(tensors, meta)


def packed_input(config, weights):
    raw = b"" if config is None else compact(config).encode()
    return struct.pack("<H", len(raw)) + raw + weights


put("fuzz_packed_checkpoint", "default-config-fp16.bin", packed_input(None, packed_weights()))
put("fuzz_packed_checkpoint", "config-fp32-8bit.bin", packed_input(packed_config, packed_weights("F32", 8)))
plain = dict(packed_config)
del plain["quantization_config"]
put("fuzz_packed_checkpoint", "not-packed-config.bin", packed_input(plain, packed_weights()))

# --- arbitrary text ----------------------------------------------------------------------------
put("fuzz_tokenize_text", "house-valid.txt", data("house-corpus/valid.txt")[:2048])
put("fuzz_tokenize_text", "wikitext2.txt", data("wikitext2/wiki.test.raw")[:2048])
put("fuzz_tokenize_text", "unicode.txt",
    "Na\u00efve caf\u00e9 \u2581 \U0001F600\U0001F389 \u4e2d\u6587 \u0915\u093f \ufb01 A\u030a\n\t  <s></s><unk>"
    "<pad>  trailing  ")
put("fuzz_tokenize_text", "malformed.bin", b"ab\xff\xc3 \xe2\x96 \xf0\x9f\x98 \xed\xa0\x80 \xc0\xaf end")
put("fuzz_tokenize_text", "spaces.txt", " " * 40 + "\n" * 5 + "\t x  y   z")
# --- HDF5 analysis dumps -------------------------------------------------------------------------
# Real dumps of stories260K written by the CLI (a statistics dump and a quantized one), each cut
# to block 0 and two linears by make_dump_seed (the real reader, then the real writer). Needs the
# main build's CLI and the fuzz build's make_dump_seed (QUANTLENS_CLI, MAKE_DUMP_SEED override).
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLI = os.environ.get("QUANTLENS_CLI", os.path.join(ROOT, "build", "app", "cli", "quantlens"))
TRIM = os.environ.get("MAKE_DUMP_SEED", os.path.join(ROOT, "build-fuzz", "tests", "fuzz", "make_dump_seed"))
if os.access(CLI, os.X_OK) and os.access(TRIM, os.X_OK):
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(DATA, "stories260K", "stories260K.bin")
        calib = ["--calib", os.path.join(DATA, "house-corpus", "valid.txt"), "--nsamples", "2", "--seqlen", "32",
                 "--cache-dir", os.path.join(tmp, "cache"), "-q"]
        stats, quant = os.path.join(tmp, "stats.h5"), os.path.join(tmp, "quant.h5")
        subprocess.run([CLI, "dump", model, *calib, "--out", stats], check=True)
        subprocess.run([CLI, "quantize", model, "--method", "ptq161", "--epochs", "1", *calib,
                        "--dump", quant, "--out", os.path.join(tmp, "q")], check=True)
        for name, source in (("statistics.h5", stats), ("quantized.h5", quant)):
            trimmed = os.path.join(tmp, name)
            subprocess.run([TRIM, source, trimmed], check=True)
            put("fuzz_dump_reader", name, open(trimmed, "rb").read())
else:
    print("make_seeds.py: no dump seeds without", CLI, "and", TRIM, file=sys.stderr)
print("seeds written under", SEEDS)
