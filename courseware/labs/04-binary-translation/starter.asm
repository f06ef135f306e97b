; Lab 04 starter: a kernel loop the translation cache keeps. Under --virt bt the loop's block
; is translated once and hit on every later iteration; its sensitive instructions are callouts.
; Run: ringside run --virt bt --trace /tmp/bt.jsonl courseware/labs/04-binary-translation/starter.asm
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        xor ebx, ebx
        ; TODO 1: run the loop body eight times (ECX counts down), entering it with a jump
body:
        ; TODO 2: a critical section the way pre-virtualization kernels wrote it
        ; TODO 3: loop back while ECX is not zero
        mov eax, ebx                    ; 8 + 7 + … + 1 = 36
        sub eax, 36                     ; exit code 0 when the sum is right
        out 0xf4, eax
