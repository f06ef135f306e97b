#include "grading/entry_stub.h"

#include "backend/backend.h"
#include "errors.h"

#include <array>

namespace ringside::grading {
namespace {

constexpr std::array kGpr32 = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                               "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};

void put(std::vector<uint8_t> &out, uint64_t value, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

} // namespace

std::vector<uint8_t> entryStub(EntryMode mode, uint64_t at, uint64_t entry,
                               const std::vector<std::pair<std::string, uint64_t>> &regs) {
  std::vector<uint8_t> code;
  for (const auto &[name, value] : regs) {
    unsigned index = 16;
    bool wide = false;
    for (unsigned i = 0; i < 16; ++i) {
      if (name == gprName(i))
        index = i, wide = true;
      if (name == kGpr32[i])
        index = i;
    }
    if (index == 16)
      throw InputError("register input '" + name + "' is not a general register");
    if (mode != EntryMode::Long && index >= 8)
      throw InputError("register input '" + name + "' needs a long-mode guest");
    if ((!wide || mode != EntryMode::Long) && (value >> 32))
      throw InputError("register input '" + name + "' = " + std::to_string(value) +
                       " does not fit in 32 bits");
    const uint8_t opcode = static_cast<uint8_t>(0xB8 + (index & 7));
    switch (mode) {
    case EntryMode::Real: // operand-size prefix: mov r32, imm32
      code.insert(code.end(), {0x66, opcode});
      put(code, value, 4);
      break;
    case EntryMode::Protected:
      code.push_back(opcode);
      put(code, value, 4);
      break;
    case EntryMode::Long: {
      const uint8_t rex = static_cast<uint8_t>((wide ? 0x48 : 0x40) | (index >= 8 ? 1 : 0));
      if (rex != 0x40)
        code.push_back(rex);
      code.push_back(opcode);
      put(code, value, wide ? 8 : 4);
      break;
    }
    }
  }
  switch (mode) {
  case EntryMode::Real: // jmp far 0:entry
    code.push_back(0xEA);
    put(code, entry, 2);
    put(code, 0, 2);
    break;
  case EntryMode::Protected: { // jmp rel32
    code.push_back(0xE9);
    put(code, entry - (at + code.size() + 4), 4);
    break;
  }
  case EntryMode::Long: // jmp [rip+0]; dq entry
    code.insert(code.end(), {0xFF, 0x25, 0, 0, 0, 0});
    put(code, entry, 8);
    break;
  }
  return code;
}

} // namespace ringside::grading
