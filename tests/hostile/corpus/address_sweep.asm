; Hostile: a sweep of the whole physical address space with paging off, one store per 4 KiB
; page from 1 MiB upwards, past the end of RAM, forever (a lab guest run without its inputs
; did this). Unicorn 2.0.1 aborts the process once 4096 memory sections exist, so the emu
; backend refuses pages with no memory behind them past a limit and stops with an error.
; ringside: entry=protected load=0x10000
; expect: emu=error kvm=timeout
bits 32
org 0x10000
        mov edi, 0x100000
sweep:  mov [edi], edi
        add edi, 4096
        jmp sweep
