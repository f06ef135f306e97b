; Protected mode exchange instructions: XCHG with memory, CMPXCHG success and failure,
; LOCK XADD, LOCK CMPXCHG8B, and a LOCK INC counter loop.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, 0x11111111
        xchg eax, [word1]       ; eax = 0xAAAAAAAA
        mov ebx, eax
        mov eax, 0x11111111
        mov ecx, 0x22222222
        cmpxchg [word1], ecx    ; equal: word1 = 0x22222222, ZF = 1
        setz [z1]
        mov eax, 0x33333333
        cmpxchg [word1], ecx    ; not equal: eax = 0x22222222
        setz [z2]
        mov esi, 10
        lock xadd [word2], esi  ; esi = old (5), word2 = 15
        mov eax, 0x0000000F
        mov edx, 0
        mov ebx, 0xCAFE
        mov ecx, 0xBEEF
        lock cmpxchg8b [quad]   ; equal: quad = BEEF:CAFE
        setz [z8b]
        mov ecx, 100
.inc:   lock inc dword [counter]
        loop .inc
        mov edi, [counter]
        mov ebp, [quad + 4]
        mov al, 'x'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        cmp edi, 100
        hlt
align 8
quad:   dd 0x0000000F, 0
word1:  dd 0xAAAAAAAA
word2:  dd 5
counter: dd 0
z8b:    db 0
z1:     db 0
z2:     db 0
