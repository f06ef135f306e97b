; Binary translation's cache: a kernel loop of ten iterations whose body holds sensitive
; instructions. Under --virt bt the loop block is translated once and found in the cache nine
; times.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        mov ecx, 10
        jmp loop_head                   ; entered by a jump: the loop's block is translated here
loop_head:
        pushfd
        cli
        popfd
        dec ecx
        jnz loop_head
        xor eax, eax
        out 0xf4, eax
