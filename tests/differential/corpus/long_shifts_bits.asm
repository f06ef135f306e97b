; Long mode 64-bit shifts, rotates and bit instructions: SHL/SAR/ROR by CL, SHLD with 64-bit
; operands, BSF/BSR, BT/BTS on a 64-bit register, BSWAP, SETcc on CF only.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rax, 0x8000000000000001
        shl rax, 1              ; CF = 1
        setc r8b
        mov rbx, -0x100
        mov cl, 4
        sar rbx, cl             ; -0x10
        mov rdx, 0x0123456789ABCDEF
        ror rdx, 16
        mov rsi, 0x1122334455667788
        mov rdi, 0x99AABBCCDDEEFF00
        shld rsi, rdi, 16
        mov r9, 0x0000100000000000
        bsf r10, r9             ; 44
        bsr r11, r9             ; 44
        mov r12, 0x5
        bts r12, 63
        bt r12, 2
        setc r13b               ; 1
        mov r14, 0x0102030405060708
        bswap r14
        mov r15, rbx
        mov al, 's'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        cmp r10, 44             ; every status flag defined before the stop
        hlt
