#include "protobuf_reader.h"

#include <cstring>

namespace quantcore {
namespace {

constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;
constexpr int kMaxGroupDepth = 64;  // keeps hostile nesting from exhausting the stack

std::string wire_type_name(WireType type) {
  switch (type) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLengthDelimited: return "length-delimited";
    case WireType::kStartGroup: return "start-group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "unknown";
}

void expect_wire_type(const ProtobufField& field, WireType expected) {
  if (field.wire_type != expected) {
    throw ProtobufError("field " + std::to_string(field.number) + " is " + wire_type_name(field.wire_type) +
                        ", expected " + wire_type_name(expected));
  }
}

}  // namespace

bool ProtobufField::as_bool() const {
  expect_wire_type(*this, WireType::kVarint);
  return integer != 0;
}

int32_t ProtobufField::as_int32() const {
  expect_wire_type(*this, WireType::kVarint);
  // Negative int32 values are sign-extended to 64 bits on the wire; the low 32 bits are the value.
  return static_cast<int32_t>(static_cast<uint32_t>(integer));
}

float ProtobufField::as_float() const {
  expect_wire_type(*this, WireType::kFixed32);
  const auto bits = static_cast<uint32_t>(integer);
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string_view ProtobufField::as_bytes() const {
  expect_wire_type(*this, WireType::kLengthDelimited);
  return bytes;
}

bool ProtobufReader::next(ProtobufField& field) {
  while (pos_ < message_.size()) {
    const std::size_t tag_at = pos_;
    const uint64_t tag = read_varint();
    const uint64_t number = tag >> 3;
    const auto wire_type = static_cast<WireType>(tag & 7);
    if (number == 0 || number > kMaxFieldNumber) {
      throw ProtobufError("invalid field number " + std::to_string(number) + " at byte " + std::to_string(tag_at));
    }
    field = {};
    field.number = static_cast<uint32_t>(number);
    field.wire_type = wire_type;
    switch (wire_type) {
      case WireType::kVarint: field.integer = read_varint(); return true;
      case WireType::kFixed64: field.integer = read_fixed(8); return true;
      case WireType::kFixed32: field.integer = read_fixed(4); return true;
      case WireType::kLengthDelimited: {
        const uint64_t size = read_varint();
        if (size > message_.size() - pos_) {
          throw ProtobufError("field " + std::to_string(number) + " at byte " + std::to_string(tag_at) + " claims " +
                              std::to_string(size) + " bytes, " + std::to_string(message_.size() - pos_) + " left");
        }
        field.bytes = read_bytes(static_cast<std::size_t>(size));
        return true;
      }
      case WireType::kStartGroup: skip_group(field.number, 1); continue;
      case WireType::kEndGroup: throw ProtobufError("end-group without a start at byte " + std::to_string(tag_at));
      default:
        throw ProtobufError("invalid wire type " + std::to_string(tag & 7) + " at byte " + std::to_string(tag_at));
    }
  }
  return false;
}

uint64_t ProtobufReader::read_varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= message_.size()) throw ProtobufError("truncated varint at the end of the data");
    const auto byte = static_cast<unsigned char>(message_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw ProtobufError("varint longer than 10 bytes before byte " + std::to_string(pos_));
}

uint64_t ProtobufReader::read_fixed(std::size_t size) {
  if (size > message_.size() - pos_) {
    throw ProtobufError("truncated " + std::to_string(size * 8) + "-bit value at byte " + std::to_string(pos_));
  }
  uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) {  // little-endian on the wire, whatever the host
    value |= static_cast<uint64_t>(static_cast<unsigned char>(message_[pos_ + i])) << (8 * i);
  }
  pos_ += size;
  return value;
}

std::string_view ProtobufReader::read_bytes(std::size_t size) {
  const std::string_view bytes = message_.substr(pos_, size);
  pos_ += size;
  return bytes;
}

void ProtobufReader::skip_group(uint32_t number, int depth) {
  if (depth > kMaxGroupDepth) throw ProtobufError("groups nested too deeply");
  while (pos_ < message_.size()) {
    const uint64_t tag = read_varint();
    const auto inner_number = static_cast<uint32_t>(tag >> 3);
    switch (static_cast<WireType>(tag & 7)) {
      case WireType::kVarint: read_varint(); break;
      case WireType::kFixed64: read_fixed(8); break;
      case WireType::kFixed32: read_fixed(4); break;
      case WireType::kLengthDelimited: {
        const uint64_t size = read_varint();
        if (size > message_.size() - pos_) throw ProtobufError("truncated field inside a group");
        read_bytes(static_cast<std::size_t>(size));
        break;
      }
      case WireType::kStartGroup: skip_group(inner_number, depth + 1); break;
      case WireType::kEndGroup:
        if (inner_number != number) throw ProtobufError("mismatched end-group");
        return;
      default: throw ProtobufError("invalid wire type " + std::to_string(tag & 7));
    }
  }
  throw ProtobufError("group " + std::to_string(number) + " is not closed");
}

}  // namespace quantcore
