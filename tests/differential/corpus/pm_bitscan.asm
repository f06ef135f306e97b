; Protected mode bit instructions: BSF/BSR (ZF tells a zero source), BT/BTS/BTR/BTC (CF holds
; the old bit, read with SETC). Their other flags are undefined, so a CMP ends the guest.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, 0x00F00000
        bsf ebx, eax            ; 20
        bsr ecx, eax            ; 23
        xor esi, esi
        mov edx, 0x1234
        bsf edx, esi            ; zero source: ZF = 1 (destination left alone here)
        setz [zf_zero]
        mov edi, 0x0000A5A5
        bt edi, 5
        setc [bitv + 0]         ; 1
        bts edi, 1
        setc [bitv + 1]         ; 0
        btr edi, 0
        setc [bitv + 2]         ; 1
        btc edi, 15
        setc [bitv + 3]         ; 1
        mov dword [bitmap], 0
        mov eax, 37
        bts [bitmap], eax       ; memory bit string: bit 37 of the dword array
        mov ebp, [bitmap + 4]   ; 0x20
        mov al, 'b'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov eax, [bitv]
        cmp eax, 0x01010001
        je .ok
        mov al, '!'
        out 0xE9, al
.ok:    cmp ebx, 20
        mov eax, 0
        out 0xF4, eax
zf_zero: db 0
bitv:   dd 0
align 4
bitmap: dd 0, 0
