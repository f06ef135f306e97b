#pragma once
// What interrupt delivery needs to know per vector 0–31 beyond arch/exception_vectors.h:
// double-fault class (SDM vol. 3 table 6-4), error code (table 6-1, including the AMD-defined
// #VC/#SX the delivery spec lists) and whether it is a fault (pushes RF = 1, §18.3.1.1).
#include <array>
#include <cstdint>

namespace ringside {

enum class ExceptionClass : uint8_t { Benign, Contributory, PageFault, DoubleFault };

struct VectorDeliveryFacts {
  ExceptionClass cls = ExceptionClass::Benign;
  bool errorCode = false;
  bool fault = false;
};

namespace detail {
constexpr auto B = ExceptionClass::Benign, C = ExceptionClass::Contributory,
               P = ExceptionClass::PageFault, D = ExceptionClass::DoubleFault;
// #DB (1) is a fault only for instruction breakpoints, which push RF unchanged: not marked.
// #CP (21) is contributory in CET-era SDMs; it stays benign here as in the classic table 6-4.
inline constexpr std::array<VectorDeliveryFacts, 32> kVectorDeliveryFacts = {{
    {C, false, true},  {B, false, false}, {B, false, false}, {B, false, false}, // #DE #DB NMI #BP
    {B, false, false}, {B, false, true},  {B, false, true},  {B, false, true},  // #OF #BR #UD #NM
    {D, true, false},  {B, false, false}, {C, true, true},   {C, true, true},   // #DF CSO #TS #NP
    {C, true, true},   {C, true, true},   {P, true, true},   {B, false, false}, // #SS #GP #PF -
    {B, false, true},  {B, true, true},   {B, false, false}, {B, false, true},  // #MF #AC #MC #XM
    {B, false, true},  {B, true, true},   {B, false, false}, {B, false, false}, // #VE #CP - -
    {B, false, false}, {B, false, false}, {B, false, false}, {B, false, false}, // - - - -
    {B, false, false}, {B, true, false},  {B, true, false},  {B, false, false}, // #HV #VC #SX -
}};
} // namespace detail

/// Vectors 32–255 are interrupts: benign, no error code, not faults.
constexpr VectorDeliveryFacts vectorDeliveryFacts(uint8_t vector) {
  return vector < detail::kVectorDeliveryFacts.size() ? detail::kVectorDeliveryFacts[vector]
                                                      : VectorDeliveryFacts{};
}

} // namespace ringside
