; The VMX instructions' failure cases, one line each: VMfailInvalid (CF=1) or VMfailValid
; (ZF=1) with the VM-instruction error number, VM-entry failure on a bad guest state, and two
; VMCS regions side by side. Ringside and Bochs must print the same lines
; (tests/vmx/bochs_oracle_test.sh).
; ringside: entry=real
%include "vmx_prologue.inc"

%macro CASE 1
        mov esi, %%name
        call puts
        jmp %%go
%%name: db %1, 0
%%go:
%endmacro

main:
        CASE "vmxon"
        vmxon [p_vmxon]
        call status
        CASE "vmxon again, no current VMCS"
        vmxon [p_vmxon]
        call status
        CASE "vmptrld A before vmclear"
        vmptrld [p_a]
        call status
        CASE "vmxon again, with a current VMCS"
        vmxon [p_vmxon]
        call status
        CASE "vmptrld unaligned"
        vmptrld [p_unaligned]
        call status
        CASE "vmptrld the VMXON region"
        vmptrld [p_vmxon]
        call status
        mov dword [REGION_D], 0x1234
        CASE "vmptrld wrong revision"
        vmptrld [p_d]
        call status
        CASE "vmclear unaligned"
        vmclear [p_unaligned]
        call status
        CASE "vmclear the VMXON region"
        vmclear [p_vmxon]
        call status
        ; IA32_VMX_MISC bit 29 says whether VMWRITE may write exit-information fields: Bochs's
        ; Skylake model sets it, Ringside's does not. Each must act as its own MSR says.
        CASE "vmwrite read-only VM_EXIT_REASON"
        mov ebx, 0x4402
        vmwrite ebx, eax
        pushfd
        mov ecx, 0x485
        rdmsr
        pop ebx
        mov esi, s_ro_ok
        test eax, 1 << 29
        jz .ro_forbidden
        test ebx, 0x41              ; allowed: CF=0, ZF=0
        jz .ro_print
        jmp .ro_bad
.ro_forbidden:
        test ebx, 1 << 6            ; forbidden: ZF=1 and error 13
        jz .ro_bad
        mov ecx, 0x4400
        vmread eax, ecx
        cmp eax, 13
        je .ro_print
.ro_bad:
        mov esi, s_ro_bad
.ro_print:
        call puts
        CASE "vmread unsupported field"
        mov ebx, 0x9998
        vmread eax, ebx
        call status
        CASE "vmresume a clear VMCS"
        vmresume
        call status
        CASE "vmlaunch with zero controls"
        vmlaunch
        call status

        mov eax, guest_hlt
        mov ebx, on_exit
        call valid_vmcs
        mov eax, 0
        mov ebx, 0x6C00             ; HOST_CR0 without PE/PG/NE
        vmwrite ebx, eax
        CASE "vmlaunch with a bad host CR0"
        vmlaunch
        call status
        mov eax, cr0
        mov ebx, 0x6C00
        vmwrite ebx, eax

        mov eax, 0                  ; RFLAGS bit 1 must be 1
        mov ebx, 0x6820
        vmwrite ebx, eax
        mov dword [phase], after_bad_guest
        CASE "vmlaunch with a bad guest RFLAGS"
        vmlaunch
        call status                 ; not reached: an entry failure is a VM exit

after_bad_guest:
        mov eax, 2
        mov ebx, 0x6820
        vmwrite ebx, eax
        mov dword [phase], after_hlt
        CASE "vmlaunch a good guest"
        vmlaunch
        call status

after_hlt:
        CASE "vmlaunch again"
        vmlaunch
        call status

        ; A second region, made current beside A.
        CASE "vmclear B"
        vmclear [p_b]
        call status
        CASE "vmptrld B"
        vmptrld [p_b]
        call status
        mov eax, 0x5555
        mov ebx, 0x681E
        vmwrite ebx, eax
        CASE "vmptrst"
        vmptrst [stored]
        call status
        mov esi, s_stored
        call puts
        mov eax, [stored]
        call puthex
        call newline
        CASE "vmptrld A"
        vmptrld [p_a]
        call status
        mov ebx, 0x681E
        vmread eax, ebx
        mov esi, s_rip_a
        call puts
        call puthex
        call newline
        CASE "vmresume A after its exit"
        mov dword [phase], after_resume
        mov eax, guest_hlt
        mov ebx, 0x681E
        vmwrite ebx, eax
        vmresume
        call status
after_resume:
        CASE "vmclear A"
        vmclear [p_a]
        call status
        CASE "vmresume with no current VMCS"
        vmresume
        call status
        CASE "vmxoff"
        vmxoff
        call status
        mov esi, s_done
        call puts
        jmp stop

; HOST_RIP: print the exit reason, then go on where `phase` says.
on_exit:
        mov esi, s_exit
        call puts
        mov ebx, 0x4402
        vmread eax, ebx
        call puthex
        mov esi, s_qual
        call puts
        mov ebx, 0x6400
        vmread eax, ebx
        call puthex
        call newline
        jmp [phase]

guest_hlt:
        hlt
        jmp guest_hlt

align 8
p_vmxon:     dq VMXON_RGN
p_a:         dq REGION_A
p_b:         dq REGION_B
p_d:         dq REGION_D
p_unaligned: dq REGION_A + 4
stored:      dq 0
phase:       dd 0
s_exit:      db " -> VM exit, reason ", 0
s_qual:      db " qualification ", 0
s_stored:    db "  stored pointer ", 0
s_rip_a:     db "  A's GUEST_RIP ", 0
s_done:      db "done", 10, 0
s_ro_ok:     db " as IA32_VMX_MISC[29] says", 10, 0
s_ro_bad:    db " NOT as IA32_VMX_MISC[29] says", 10, 0

%include "vmx_fields.inc"
