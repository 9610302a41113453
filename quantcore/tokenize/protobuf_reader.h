#pragma once
// A reader of the protobuf wire format, field by field, for the few messages we read without
// libprotobuf (see sentencepiece_model.h for why). Every read is bounds-checked; malformed input
// throws ProtobufError.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace quantcore {

class ProtobufError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

struct ProtobufField {
  uint32_t number = 0;
  WireType wire_type = WireType::kVarint;
  uint64_t integer = 0;    // kVarint, kFixed64, kFixed32
  std::string_view bytes;  // kLengthDelimited

  // The value as the schema's type says; ProtobufError when the wire type does not fit it.
  bool as_bool() const;
  int32_t as_int32() const;  // int32 and enum fields
  float as_float() const;
  std::string_view as_bytes() const;  // string, bytes and embedded messages
};

class ProtobufReader {
public:
  explicit ProtobufReader(std::string_view message) : message_(message) {}

  // Reads the next field into `field`; false at the end of the message. Groups (a deprecated
  // wire type) are skipped whole and never returned.
  bool next(ProtobufField& field);

private:
  uint64_t read_varint();
  uint64_t read_fixed(std::size_t size);
  std::string_view read_bytes(std::size_t size);
  void skip_group(uint32_t number, int depth);

  std::string_view message_;
  std::size_t pos_ = 0;
};

}  // namespace quantcore
