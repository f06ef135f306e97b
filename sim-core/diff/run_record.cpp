#include "diff/run_record.h"

#include "diff/diff_masks.h"

#include <array>
#include <cstdio>
#include <cstring>

namespace ringside::diff {
namespace {

constexpr uint64_t kPage = 4096;

// FNV-1a: a stable, dependency-free hash; collisions are not a concern for a test oracle.
uint64_t fnv1a(const uint8_t *data, size_t n, uint64_t h = 0xcbf29ce484222325ull) {
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

template <class... F> struct Overloaded : F... { using F::operator()...; };
// clang before 17 needs the deduction guide that C++20 makes implicit.
template <class... F> Overloaded(F...) -> Overloaded<F...>;

} // namespace

void appendIo(std::vector<IoAccess> &out, const IoEvent &e) {
  if (e.count == 1) {
    out.push_back({e.port, e.write, e.size, e.value});
    return;
  }
  for (uint32_t i = 0; i < e.count; ++i)
    out.push_back({e.port, e.write, e.size, std::nullopt});
}

// Byte by byte: hypervisors split wide accesses differently (Unicorn hands an 8-byte store to
// an MMIO region as two 4-byte ones, KVM as one), but the bytes and their order agree.
void appendMmio(std::vector<MmioAccess> &out, const MmioEvent &e) {
  for (unsigned i = 0; i < e.size; ++i)
    out.push_back({e.gpa + i, e.write, 1, (e.value >> (8 * i)) & 0xFF});
}

void RecordCollector::operator()(const Event &event) {
  std::visit(Overloaded{
                 [&](const IoEvent &e) { appendIo(record_.io, e); },
                 [&](const MmioEvent &e) { appendMmio(record_.mmio, e); },
                 [&](const WalkEvent &e) {
                   // Shadow and EPT walks read the monitor's tables, not guest RAM.
                   if (e.purpose != WalkPurpose::GuestTables)
                     return;
                   uint8_t width = e.mode == WalkMode::Bits32 ? 4 : 8;
                   for (unsigned i = 0; i < e.stepCount && i < e.steps.size(); ++i)
                     record_.tablePages[e.steps[i].tableAddr & ~(kPage - 1)] = width;
                 },
                 [](const auto &) {},
             },
             event.body);
}

void maskAccessedDirty(uint8_t *page, unsigned entryBytes) {
  for (size_t off = 0; off + entryBytes <= kPage; off += entryBytes) {
    uint64_t entry = 0;
    std::memcpy(&entry, page + off, entryBytes);
    entry &= ~kAccessedDirtyBits;
    std::memcpy(page + off, &entry, entryBytes);
  }
}

std::optional<RamDigest> hashRam(const PhysicalReader &read, uint64_t ramBytes,
                                 const TablePages &tablePages, std::string &why) {
  RamDigest digest;
  digest.pageHashes.assign(ramBytes / kPage, 0);
  std::array<uint8_t, kPage> page{};
  for (uint64_t i = 0; i < digest.pageHashes.size(); ++i) {
    uint64_t addr = i * kPage;
    if (pageExcluded(addr))
      continue;
    if (!read(addr, page.data(), kPage)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "guest RAM at 0x%llx cannot be read",
                    static_cast<unsigned long long>(addr));
      why = buf;
      return std::nullopt;
    }
    if (auto t = tablePages.find(addr); t != tablePages.end())
      maskAccessedDirty(page.data(), t->second);
    digest.pageHashes[i] = fnv1a(page.data(), kPage);
  }
  digest.total = fnv1a(reinterpret_cast<const uint8_t *>(digest.pageHashes.data()),
                       digest.pageHashes.size() * sizeof(uint64_t));
  return digest;
}

} // namespace ringside::diff
