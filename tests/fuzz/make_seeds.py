#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz_page_walker and fuzz_interrupt_delivery.

The byte layouts are the ones the harnesses read (fuzz_page_walker.h, fuzz_interrupt_delivery.h);
run this again after changing either layout. The other corpora come from real files (see README.md).
"""
import pathlib
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
P, W, U, PS, A = 1, 2, 4, 0x80, 0x20
XD = 1 << 63


def memory(pages, entries, width):
    mem = bytearray(4096 * pages)
    for addr, value in entries.items():
        mem[addr:addr + width] = value.to_bytes(width, "little")
    return bytes(mem)


def walker_seed(name, flags, va, mem, more=1, cr3=0):
    data = bytes([flags, more]) + struct.pack("<QQ", cr3, va) + mem
    (CORPUS / "fuzz_page_walker" / name).write_bytes(data)


def walker_seeds():
    # flags: bits 0-1 mode (none, 32-bit, PAE, 4-level), 2 PSE, 3 NXE, 4 WP, 5 write, 6 user, 7 fetch
    walker_seed("none_identity", 0x00, 0x12345678, b"\0" * 16)
    b32 = memory(4, {0x000: 0x1000 | P | W | U, 0x1000 + 5 * 4: 0x3000 | P | W | U}, 4)
    walker_seed("bits32_4k_user_write", 0x61, 0x5123, b32)
    walker_seed("bits32_4m_pse", 0x05, 0x00456789, memory(1, {4: 0x00400000 | P | W | PS}, 4))
    walker_seed("bits32_not_present", 0x21, 0x00800000, b32)
    ro = memory(4, {0x000: 0x1000 | P | U, 0x1000: 0x3000 | P | U}, 4)
    walker_seed("bits32_wp_supervisor_write", 0x31, 0x10, ro)
    pae = memory(4, {0x000: 0x1000 | P, 0x1000: 0x2000 | P | W | U, 0x2000: 0x3000 | P | W | U}, 8)
    walker_seed("pae_4k", 0x02, 0x123, pae)
    walker_seed("pae_2m", 0x02, 0x1234, memory(2, {0x000: 0x1000 | P, 0x1000: 0x200000 | P | PS}, 8))
    walker_seed("pae_nx_fetch", 0x8A, 0x123,
                memory(4, {0x000: 0x1000 | P, 0x1000: 0x2000 | P | W, 0x2000: 0x3000 | P | XD}, 8))
    long4 = {0x000: 0x1000 | P | W | U, 0x1000: 0x2000 | P | W | U, 0x2000: 0x3000 | P | W | U,
             0x3000: 0x0000 | P | W | U | A}
    walker_seed("long4_4k", 0x63, 0x42, memory(4, long4, 8))
    walker_seed("long4_1g", 0x03, 0x4000_1234, memory(2, {0x000: 0x1000 | P | W, 0x1008: 0x40000000 | P | PS}, 8))
    walker_seed("long4_reserved", 0x03, 0x42, memory(4, {**long4, 0x2000: 0x3000 | P | (1 << 51)}, 8))
    walker_seed("long4_user_on_supervisor", 0x43, 0x42, memory(4, {**long4, 0x1000: 0x2000 | P | W}, 8))


def seg(base, limit, typ, dpl, s=1, present=1, l=0, db=1, g=1):
    raw = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | (typ & 0xF) << 40 | s << 44 | dpl << 45
    raw |= present << 47 | ((limit >> 16) & 0xF) << 48 | l << 53 | db << 54 | g << 55
    return raw | (base >> 24) << 56


def gate(sel, offset, typ, dpl, ist=0):
    low = (offset & 0xFFFF) | sel << 16 | ist << 32 | typ << 40 | dpl << 45 | 1 << 47
    return low | ((offset >> 16) & 0xFFFF) << 48


def delivery_seed(name, bits, vector, rsp, cs, ss, gdtr, idtr, mem, trBase=0, trLimit=0, rip=0x1000):
    head = struct.pack("<BBIQQIHHI", bits, vector, 0x18, rip, rsp, 0x202, cs, ss, 0)
    head += struct.pack("<HHHHHHH", gdtr[0], gdtr[1], idtr[0], idtr[1], 0x28, trBase, trLimit)
    (CORPUS / "fuzz_interrupt_delivery" / name).write_bytes(head + mem)


def delivery_seeds():
    # bits: 0-1 mode (real, protected, long), 2-3 CPL, 4-5 event type, 6 has error code, 7 SS.B
    ivt = bytearray(1024)
    ivt[0x40:0x44] = struct.pack("<HH", 0x1234, 0xF000)
    delivery_seed("real_int10", 0x10, 0x10, 0x7000, 0, 0, (0, 0), (0, 0x3FF), bytes(ivt))
    gdt = [0, seg(0, 0xFFFFF, 0xB, 0), seg(0, 0xFFFFF, 0x3, 0), seg(0, 0xFFFFF, 0xB, 3),
           seg(0, 0xFFFFF, 0x3, 3), seg(0, 0x67, 0x9, 0, s=0, g=0)]
    mem = bytearray(0x1000)
    for i, d in enumerate(gdt):
        mem[i * 8:i * 8 + 8] = d.to_bytes(8, "little")
    mem[0x800 + 13 * 8:0x800 + 14 * 8] = gate(0x08, 0x2000, 0xE, 0).to_bytes(8, "little")
    mem[0x800 + 0x80 * 8:0x800 + 0x81 * 8] = gate(0x08, 0x3000, 0xF, 3).to_bytes(8, "little")
    mem[0xC00 + 4:0xC00 + 10] = struct.pack("<IH", 0x9000, 0x10)  # TSS32 ESP0, SS0
    delivery_seed("prot_gp_cpl0", 0xC1, 13, 0x7000, 0x08, 0x10, (0, 0x2F), (0x800, 0x7FF), bytes(mem))
    delivery_seed("prot_int80_cpl3", 0x9D, 0x80, 0x7000, 0x1B, 0x23, (0, 0x2F), (0x800, 0x7FF), bytes(mem),
                  0xC00, 0x67)
    gdt64 = [0, seg(0, 0xFFFFF, 0xB, 0, l=1, db=0), seg(0, 0xFFFFF, 0x3, 0), seg(0, 0xFFFFF, 0xB, 3, l=1, db=0),
             seg(0, 0xFFFFF, 0x3, 3)]
    mem = bytearray(0x1000)
    for i, d in enumerate(gdt64):
        mem[i * 8:i * 8 + 8] = d.to_bytes(8, "little")
    for vector, dpl, ist in ((14, 0, 0), (0x80, 3, 0), (2, 0, 1)):
        at = 0x800 + vector * 16
        mem[at:at + 8] = gate(0x08, 0x2000, 0xE, dpl, ist).to_bytes(8, "little")
    mem[0xC00 + 4:0xC00 + 12] = struct.pack("<Q", 0x9000)  # TSS64 RSP0
    mem[0xC00 + 0x24:0xC00 + 0x2C] = struct.pack("<Q", 0xA000)  # IST1
    delivery_seed("long_pf_cpl0", 0x42, 14, 0x7008, 0x08, 0x10, (0, 0x27), (0x800, 0xFFF), bytes(mem))
    delivery_seed("long_int80_cpl3", 0x1E, 0x80, 0x7000, 0x1B, 0x23, (0, 0x27), (0x800, 0xFFF), bytes(mem),
                  0xC00, 0x67)
    delivery_seed("long_nmi_ist", 0x32, 2, 0x7000, 0x08, 0x10, (0, 0x27), (0x800, 0xFFF), bytes(mem), 0xC00, 0x67)


def ept_seed(name, caps, req, guest, eptp, gpa, mem, cr3=0, gva=0, ram=0):
    data = bytes([caps, req, ram, guest]) + struct.pack("<QQQQ", eptp, gpa, cr3, gva) + mem
    (CORPUS / "fuzz_ept_walker" / name).write_bytes(data)


def ept_seeds():
    # caps: bit 0 execute-only, 1 2 MiB, 2 1 GiB, 3 A/D; req: bit 0 write, 1 fetch, 2 GLA valid,
    # 3 final; guest: bits 0-1 mode, 2 WP, 4 write, 5 user, 6 fetch, 7 A/D updates.
    # EPT: PML4 0x0 -> PDPT 0x1000 -> PD 0x2000 -> PT 0x3000, GPA page n -> HPA page n (RWX, WB);
    # guest 4-level tables: PML4 0x4000 -> PDPT 0x5000 -> PD 0x6000 -> 2 MiB page at 0.
    (CORPUS / "fuzz_ept_walker").mkdir(exist_ok=True)
    wb = 6 << 3
    entries = {0x0: 0x1000 | 7, 0x1000: 0x2000 | 7, 0x2000: 0x3000 | 7,
               0x4000: 0x5000 | P | W | U, 0x5000: 0x6000 | P | W | U, 0x6000: 0 | P | W | U | PS}
    for n in range(8):
        entries[0x3000 + 8 * n] = (n << 12) | 7 | wb
    mem = memory(8, entries, 8)
    ept_seed("ept_4k_read", 0x07, 0x0C, 0x00, 0x1E, 0x1234, mem)
    ept_seed("ept_ad_write", 0x0F, 0x0D, 0x00, 0x5E, 0x2468, mem)
    ept_seed("ept_fetch_not_final", 0x07, 0x06, 0x00, 0x1E, 0x5008, mem)
    big = dict(entries)
    big[0x2000] = 0x0 | 7 | wb | PS
    ept_seed("ept_2m_page", 0x07, 0x0C, 0x00, 0x1E, 0x1F_FFF8, memory(8, big, 8))
    bad = dict(entries)
    bad[0x3000 + 8] = 0x1000 | 2 | wb
    ept_seed("ept_misconfig_write_only", 0x07, 0x0C, 0x00, 0x1E, 0x1000, memory(8, bad, 8))
    ept_seed("walk2d_long4", 0x07, 0x0C, 0x83, 0x1E, 0x0, mem, cr3=0x4000, gva=0x1234)
    ept_seed("walk2d_long4_ad_user_write", 0x0F, 0x0C, 0xB3, 0x5E, 0x0, mem, cr3=0x4000,
             gva=0x7008)


if __name__ == "__main__":
    walker_seeds()
    delivery_seeds()
    ept_seeds()
