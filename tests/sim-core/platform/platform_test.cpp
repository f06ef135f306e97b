#include "platform/platform.h"

#include "platform/firmware_tables.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace ringside {

TEST(Platform, DebugConsoleAndCom1ShareTheConsole) {
  Trace trace;
  Platform p(trace);
  p.portWrite(1, 0xE9, 1, 'a');
  p.portWrite(2, 0x3F8, 1, 'b');
  EXPECT_EQ(p.console(), "ab");
  ASSERT_EQ(trace.events().size(), 2u);
  auto c = std::get<ConsoleEvent>(trace.events()[1].body);
  EXPECT_EQ(c.port, 0x3F8);
  EXPECT_EQ(c.text, "b");
  EXPECT_EQ(trace.events()[1].instructions, 2u);
}

TEST(Platform, UartLooksReadyAndHonoursTheDivisorLatch) {
  Trace trace;
  Platform p(trace);
  EXPECT_EQ(p.portRead(0, 0x3FD, 1) & 0x60, 0x60u);
  p.portWrite(0, 0x3FB, 1, 0x80); // DLAB on: THR becomes the divisor low byte
  p.portWrite(0, 0x3F8, 1, 12);
  EXPECT_EQ(p.console(), "");
  EXPECT_EQ(p.portRead(0, 0x3F8, 1), 12u);
  p.portWrite(0, 0x3FB, 1, 0x03);
  p.portWrite(0, 0x3F8, 1, 'x');
  EXPECT_EQ(p.console(), "x");
}

TEST(Platform, ExitPortNeedsA32BitWrite) {
  Trace trace;
  Platform p(trace);
  p.portWrite(0, 0xF4, 1, 5);
  EXPECT_FALSE(p.exitCode());
  p.portWrite(0, 0xF4, 4, 7);
  ASSERT_TRUE(p.exitCode());
  EXPECT_EQ(*p.exitCode(), 7u);
}

TEST(Platform, UnknownPortsAndUnassignedMemoryReadAllOnes) {
  Trace trace;
  Platform p(trace);
  EXPECT_EQ(p.portRead(0, 0x60, 1), 0xFFu);
  EXPECT_EQ(p.portRead(0, 0x60, 2), 0xFFFFu);
  EXPECT_EQ(p.mmioRead(0x10000000, 4), 0xFFFFFFFFu);
  EXPECT_EQ(p.deviceAt(0x10000000), DeviceId::Unassigned);
  EXPECT_EQ(p.deviceAt(0xB8000), DeviceId::Vga);
}

TEST(Platform, VgaTextCellsAndScreenText) {
  Trace trace;
  Platform p(trace);
  p.mmioWrite(0xB8000, 2, 0x1F48);
  p.mmioWrite(0xB8002, 2, 0x1F69);
  p.mmioWrite(0xB8000 + 160, 1, 'Z');
  auto cells = p.vgaCells();
  EXPECT_EQ(cells[0], 0x1F48);
  EXPECT_EQ(cells[2], 0x0720) << "blank cells are grey spaces";
  EXPECT_EQ(p.vgaText(), "Hi\nZ") << "trailing blanks and empty rows are trimmed";
  EXPECT_EQ(p.mmioRead(0xB8000, 2), 0x1F48u);
}

TEST(FirmwareTables, GdtAndIdentityMapOfTheFirstGiB) {
  std::vector<uint8_t> ram(1 << 20);
  writeFirmwareTables(ram);
  uint64_t code64, pde1;
  std::memcpy(&code64, ram.data() + 0x1000 + 0x18, 8);
  EXPECT_EQ(code64, 0x00AF9A000000FFFFull);
  std::memcpy(&pde1, ram.data() + 0x4000 + 8, 8);
  EXPECT_EQ(pde1, 0x200000ull | 0x87) << "2 MiB page, present, writable, user";
}

} // namespace ringside
