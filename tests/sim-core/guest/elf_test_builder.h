#pragma once
// Builds small ELF files byte by byte for the loader tests, from the <elf.h> structs.
#include <cstdint>
#include <cstring>
#include <elf.h>
#include <string>
#include <vector>

namespace ringside::test {

struct TestSegment {
  uint64_t paddr = 0;
  std::string bytes;
  uint64_t memSize = 0; ///< 0 means bytes.size()
  uint32_t type = PT_LOAD;
};

struct TestElf {
  uint16_t machine = 0; ///< 0: the class's own x86 machine
  uint16_t type = ET_EXEC;
  uint64_t entry = 0;
  std::vector<TestSegment> segments;
};

/// Header, then the program header table, then each segment's bytes in order.
template <class Ehdr, class Phdr>
std::string buildElf(const TestElf &spec, uint8_t elfClass, uint16_t defaultMachine) {
  Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = elfClass;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = spec.type;
  header.e_machine = spec.machine ? spec.machine : defaultMachine;
  header.e_version = EV_CURRENT;
  header.e_entry = spec.entry;
  header.e_phoff = sizeof(Ehdr);
  header.e_ehsize = sizeof(Ehdr);
  header.e_phentsize = sizeof(Phdr);
  header.e_phnum = static_cast<uint16_t>(spec.segments.size());

  std::string out(reinterpret_cast<const char *>(&header), sizeof header);
  uint64_t offset = sizeof(Ehdr) + spec.segments.size() * sizeof(Phdr);
  std::string data;
  for (const auto &segment : spec.segments) {
    Phdr ph{};
    ph.p_type = segment.type;
    ph.p_offset = offset;
    ph.p_vaddr = ph.p_paddr = segment.paddr;
    ph.p_filesz = segment.bytes.size();
    ph.p_memsz = segment.memSize ? segment.memSize : segment.bytes.size();
    ph.p_flags = PF_R | PF_X;
    out.append(reinterpret_cast<const char *>(&ph), sizeof ph);
    offset += segment.bytes.size();
    data += segment.bytes;
  }
  return out + data;
}

inline std::string buildElf32(const TestElf &spec) {
  return buildElf<Elf32_Ehdr, Elf32_Phdr>(spec, ELFCLASS32, EM_386);
}
inline std::string buildElf64(const TestElf &spec) {
  return buildElf<Elf64_Ehdr, Elf64_Phdr>(spec, ELFCLASS64, EM_X86_64);
}

} // namespace ringside::test
