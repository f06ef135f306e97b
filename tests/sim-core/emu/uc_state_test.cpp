#include "emu/uc_state.h"

#include <gtest/gtest.h>

namespace ringside::emu {

// The offsets are found by experiment at start-up; they must be found, distinct, and in the
// order CPUX86State declares them (hflags just before segs, old_exception and error_code later).
TEST(UcState, CalibrationFindsEveryField) {
  const auto &o = ucStateOffsets();
  ASSERT_TRUE(o.failure.empty()) << o.failure;
  EXPECT_GT(o.segs, 0);
  EXPECT_EQ(o.hflags, o.segs - 8);
  EXPECT_GT(o.oldException, o.segs);
  EXPECT_GT(o.errorCode, o.segs);
  EXPECT_NE(o.oldException, o.errorCode);
}

TEST(UcState, LoadingSsChangesTheCplAndCsTheCodeSize) {
  uc_engine *uc = nullptr;
  ASSERT_EQ(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
  {
    UcStateEditor editor(uc);
    editor.loadSegment(SegIndex::Ss, SegmentCache{0x2B, 0, 0xFFFFFFFF, 0x00CFF200});
    editor.loadSegment(SegIndex::Cs, SegmentCache{0x23, 0x1000, 0xFFFFFFFF, 0x00CFFA00});
    EXPECT_EQ(editor.cpl(), 3);
    editor.commit();
  }
  UcStateEditor reread(uc);
  EXPECT_EQ(reread.cpl(), 3);
  EXPECT_EQ(reread.segment(SegIndex::Cs).selector, 0x23);
  EXPECT_EQ(reread.segment(SegIndex::Cs).base, 0x1000u);
  uint64_t cs = 0;
  uc_reg_read(uc, UC_X86_REG_CS, &cs);
  EXPECT_EQ(cs, 0x23u) << "the API sees the edited selector";
  uc_close(uc);
}

} // namespace ringside::emu
