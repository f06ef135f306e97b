#include "cpu/vector_classes.h"
#include "cpu/interrupt_delivery.h"

#include <cstddef>

namespace ringside {
namespace {

// SDM table 6-5, rows = first event's class, columns = second's. A #DF row marks the
// contributory/#PF escalation that the caller turns into a triple fault (shutdown).
constexpr bool kDoubleFault[4][4] = {
    // second: Benign, Contributory, PageFault, DoubleFault
    {false, false, false, false}, // first Benign
    {false, true, false, false},  // first Contributory
    {false, true, true, false},   // first PageFault
    {false, true, true, false},   // first DoubleFault: shutdown
};

} // namespace

bool causesDoubleFault(uint8_t first, uint8_t second) {
  const auto row = static_cast<size_t>(vectorDeliveryFacts(first).cls);
  const auto column = static_cast<size_t>(vectorDeliveryFacts(second).cls);
  return kDoubleFault[row][column];
}

bool pushesErrorCode(uint8_t vector) { return vectorDeliveryFacts(vector).errorCode; }

} // namespace ringside
