; Protected mode shifts and rotates: SHL/SHR/SAR/ROL/ROR/RCL/RCR by 1, by CL and by an
; immediate, and SHLD/SHRD. Only CF (defined for these counts) reaches the registers.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, 0x80000001
        shl eax, 1              ; CF = 1
        setc bl
        mov ecx, 0xF0F0F0F0
        shr ecx, 4
        mov edx, 0x80000000
        sar edx, 31
        mov esi, 0x12345678
        rol esi, 8
        mov edi, 0x12345678
        ror edi, 12
        mov cl, 5
        mov ebp, 0x00000011
        shl ebp, cl
        stc
        mov eax, 0x40000000
        rcl eax, 2              ; the carry enters at bit 1
        clc
        mov ecx, 3
        rcr ecx, 1              ; CF = 1, ecx = 1
        setc bh
        mov [save1], eax
        mov eax, 0x11223344
        mov edx, 0xAABBCCDD
        shld eax, edx, 8        ; 0x223344AA
        mov [save2], eax
        mov eax, 0x11223344
        shrd eax, edx, 8        ; 0xDD112233
        mov [save3], eax
        mov eax, msg
        call print
        mov eax, [save2]
        cmp eax, 0x223344AA     ; every status flag defined before the stop
        hlt

print:  push esi
        mov esi, eax
.n:     mov al, [esi]
        cmp al, 0
        je .d
        out 0xE9, al
        inc esi
        jmp .n
.d:     pop esi
        ret
msg:    db "shifts", 10, 0
align 4
save1:  dd 0
save2:  dd 0
save3:  dd 0
