// The platform timer: i8254 channel 0 counting the virtual clock, into a minimal 8259A.
#include "platform/pic.h"
#include "platform/pit.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

void program(Pit &pit, uint64_t clock, uint8_t command, uint16_t count) {
  pit.write(clock, Pit::kCommand, command);
  pit.write(clock, Pit::kChannel0, static_cast<uint8_t>(count));
  pit.write(clock, Pit::kChannel0, static_cast<uint8_t>(count >> 8));
}

void initPic(Pic &pic, uint8_t base, uint8_t mask) {
  pic.write(0x20, 0x11);
  pic.write(0x21, base);
  pic.write(0x21, 0x04);
  pic.write(0x21, 0x01);
  pic.write(0x21, mask);
}

TEST(Pit, RateGeneratorFiresEveryCount) {
  Pit pit;
  EXPECT_FALSE(pit.nextEdge(0)); // not programmed: silent
  program(pit, 100, 0x34, 1000);
  EXPECT_EQ(pit.nextEdge(101), 1100u);
  EXPECT_EQ(pit.nextEdge(1101), 2100u);
  EXPECT_EQ(pit.edgesBetween(100, 1099), 0u);
  EXPECT_EQ(pit.edgesBetween(100, 1100), 1u);
  EXPECT_EQ(pit.edgesBetween(100, 3100), 3u);
}

TEST(Pit, ModeZeroFiresOnce) {
  Pit pit;
  program(pit, 0, 0x30, 50);
  EXPECT_EQ(pit.nextEdge(1), 50u);
  EXPECT_FALSE(pit.nextEdge(51));
  EXPECT_EQ(pit.edgesBetween(0, 1000), 1u);
}

TEST(Pit, ZeroCountMeans65536AndLatchReadsTheCount) {
  Pit pit;
  program(pit, 0, 0x34, 0);
  EXPECT_EQ(pit.nextEdge(1), 0x10000u);
  pit.write(10, Pit::kCommand, 0x00); // latch channel 0 at clock 10
  uint8_t lo = pit.read(500, Pit::kChannel0), hi = pit.read(600, Pit::kChannel0);
  EXPECT_EQ(lo | hi << 8, 0x10000 - 10);
}

TEST(Pic, RemapsMasksAcknowledgesAndEnds) {
  Pic pic;
  pic.raise(0);
  EXPECT_FALSE(pic.pending()); // masked until programmed
  initPic(pic, 0x20, 0xFE);
  EXPECT_FALSE(pic.pending()); // ICW1 clears requests
  pic.raise(1);
  EXPECT_FALSE(pic.pending()); // IRQ 1 masked
  pic.raise(0);
  EXPECT_EQ(pic.pending(), 0x20);
  EXPECT_EQ(pic.acknowledge(), 0x20);
  pic.raise(0);
  EXPECT_FALSE(pic.pending()); // IRQ 0 in service blocks itself
  pic.write(0x20, 0x0B);       // OCW3: read ISR
  EXPECT_EQ(pic.read(0x20), 0x01);
  pic.write(0x20, 0x20); // non-specific EOI
  EXPECT_EQ(pic.pending(), 0x20);
  EXPECT_EQ(pic.read(0x21), 0xFE);
}

} // namespace
} // namespace ringside
