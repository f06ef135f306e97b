#include "guest/elf_image.h"

#include "errors.h"
#include "util/hex.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <elf.h>

namespace ringside {
namespace {

struct NamedValue {
  unsigned value;
  const char *name;
};

// Machines a learner is likely to feed us by mistake, so the error can say what they built.
constexpr NamedValue kMachineNames[] = {
    {EM_386, "Intel 80386"},    {EM_X86_64, "x86-64"},       {EM_ARM, "ARM"},
    {EM_AARCH64, "AArch64"},    {EM_RISCV, "RISC-V"},        {EM_MIPS, "MIPS"},
    {EM_PPC, "PowerPC"},        {EM_PPC64, "PowerPC64"},     {EM_S390, "IBM S/390"},
    {EM_SPARC, "SPARC"},        {EM_SPARCV9, "SPARC v9"},    {EM_IA_64, "IA-64"},
    {EM_68K, "Motorola 68000"}, {EM_LOONGARCH, "LoongArch"}, {EM_AVR, "AVR"},
};

constexpr NamedValue kTypeNames[] = {
    {ET_NONE, "ET_NONE"},
    {ET_REL, "ET_REL, a relocatable object: link it first"},
    {ET_DYN, "ET_DYN, a shared object or position-independent executable: link with -no-pie"},
    {ET_CORE, "ET_CORE, a core dump"},
};

template <size_t N> const char *nameOf(const NamedValue (&table)[N], unsigned value) {
  for (const auto &entry : table)
    if (entry.value == value)
      return entry.name;
  return nullptr;
}

std::string machineText(unsigned machine) {
  const char *name = nameOf(kMachineNames, machine);
  return std::to_string(machine) + " (" + (name ? name : "unknown") + ")";
}

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw InputError("guest '" + path + "': " + what);
}

/// The ELF32 and ELF64 layouts differ only in field widths, so one template reads both.
template <class Ehdr, class Phdr> struct ElfClass;
template <> struct ElfClass<Elf32_Ehdr, Elf32_Phdr> {
  static constexpr unsigned kMachine = EM_386;
  static constexpr const char *kName = "ELF32";
  static constexpr EntryMode kMode = EntryMode::Protected;
};
template <> struct ElfClass<Elf64_Ehdr, Elf64_Phdr> {
  static constexpr unsigned kMachine = EM_X86_64;
  static constexpr const char *kName = "ELF64";
  static constexpr EntryMode kMode = EntryMode::Long;
};

/// True when [offset, offset+size) lies inside a file of `fileSize` bytes (overflow-safe).
bool fitsInFile(uint64_t offset, uint64_t size, uint64_t fileSize) {
  return offset <= fileSize && size <= fileSize - offset;
}

template <class Ehdr, class Phdr>
GuestImage parseClass(const std::string &path, const std::vector<uint8_t> &bytes) {
  using Class = ElfClass<Ehdr, Phdr>;
  if (bytes.size() < sizeof(Ehdr))
    fail(path, std::string("truncated ") + Class::kName + " header (" +
                   std::to_string(bytes.size()) + " bytes, need " + std::to_string(sizeof(Ehdr)) +
                   ")");
  Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);

  if (header.e_machine != Class::kMachine) {
    if (header.e_machine == EM_386 || header.e_machine == EM_X86_64)
      fail(path, std::string(Class::kName) + " file with ELF machine " +
                     machineText(header.e_machine) + ": expected " + machineText(Class::kMachine) +
                     " for this class");
    fail(path, "ELF machine " + machineText(header.e_machine) + " is not x86");
  }
  if (header.e_type != ET_EXEC) {
    const char *name = nameOf(kTypeNames, header.e_type);
    fail(path, "not an executable ELF (type " +
                   (name ? std::string(name) : std::to_string(header.e_type)) + ")");
  }
  if (header.e_phnum > 0 && header.e_phentsize != sizeof(Phdr))
    fail(path, "program header entries are " + std::to_string(header.e_phentsize) +
                   " bytes, expected " + std::to_string(sizeof(Phdr)));
  const uint64_t tableSize = uint64_t{header.e_phnum} * sizeof(Phdr);
  if (!fitsInFile(header.e_phoff, tableSize, bytes.size()))
    fail(path, "truncated program header table (" + std::to_string(header.e_phnum) +
                   " entries at offset " + hex(header.e_phoff) + ", file is " +
                   std::to_string(bytes.size()) + " bytes)");

  GuestImage image;
  image.path = path;
  image.entry = header.e_entry;
  image.entryMode = Class::kMode;
  image.entryModeFromFile = true;
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Phdr ph;
    std::memcpy(&ph, bytes.data() + header.e_phoff + i * sizeof(Phdr), sizeof ph);
    if (ph.p_type != PT_LOAD)
      continue;
    const std::string what = "segment " + std::to_string(i);
    if (ph.p_filesz > ph.p_memsz)
      fail(path,
           what + " has p_filesz " + hex(ph.p_filesz) + " larger than p_memsz " + hex(ph.p_memsz));
    if (!fitsInFile(ph.p_offset, ph.p_filesz, bytes.size()))
      fail(path, what + " data (offset " + hex(ph.p_offset) + ", " + hex(ph.p_filesz) +
                     " bytes) lies beyond the end of the file (" + std::to_string(bytes.size()) +
                     " bytes)");
    if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
      fail(path, what + " at " + hex(ph.p_paddr) + " wraps around the address space");
    if (ph.p_memsz == 0)
      continue; // nothing to place
    ImageSegment segment;
    segment.gpa = ph.p_paddr;
    segment.memSize = ph.p_memsz;
    segment.bytes.assign(bytes.begin() + ph.p_offset, bytes.begin() + ph.p_offset + ph.p_filesz);
    image.segments.push_back(std::move(segment));
  }
  if (image.segments.empty())
    fail(path, "ELF has no PT_LOAD segment to load");

  std::vector<const ImageSegment *> sorted;
  for (const auto &segment : image.segments)
    sorted.push_back(&segment);
  std::sort(sorted.begin(), sorted.end(),
            [](const ImageSegment *a, const ImageSegment *b) { return a->gpa < b->gpa; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const ImageSegment &prev = *sorted[i - 1];
    if (prev.gpa + prev.memSize > sorted[i]->gpa)
      fail(path, "overlapping PT_LOAD segments: " + hex(prev.gpa) + ".." +
                     hex(prev.gpa + prev.memSize - 1) + " and " + hex(sorted[i]->gpa) + ".." +
                     hex(sorted[i]->gpa + sorted[i]->memSize - 1));
  }
  return image;
}

} // namespace

bool hasElfMagic(const std::vector<uint8_t> &bytes) {
  return bytes.size() >= SELFMAG && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

GuestImage parseElfImage(const std::string &path, const std::vector<uint8_t> &bytes) {
  if (bytes.size() < EI_NIDENT)
    fail(path, "truncated ELF header (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[EI_DATA] != ELFDATA2LSB)
    fail(path, "ELF data encoding " + std::to_string(bytes[EI_DATA]) +
                   " is not little endian; x86 executables are ELFDATA2LSB");
  switch (bytes[EI_CLASS]) {
  case ELFCLASS32:
    return parseClass<Elf32_Ehdr, Elf32_Phdr>(path, bytes);
  case ELFCLASS64:
    return parseClass<Elf64_Ehdr, Elf64_Phdr>(path, bytes);
  default:
    fail(path,
         "ELF class " + std::to_string(bytes[EI_CLASS]) + " is neither ELF32 (1) nor ELF64 (2)");
  }
}

} // namespace ringside
