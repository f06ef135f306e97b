<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Export</name>
    <message>
        <source>cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>Transition</name>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>interrupt/exception</source>
        <translation>中断/异常</translation>
    </message>
    <message>
        <source>IRET</source>
        <translation>IRET</translation>
    </message>
    <message>
        <source>far transfer / syscall</source>
        <translation>远转移 / 系统调用</translation>
    </message>
    <message>
        <source>VM exit: %1</source>
        <translation>VM 退出：%1</translation>
    </message>
    <message>
        <source>VM entry, injects %1</source>
        <translation>VM 进入，注入 %1</translation>
    </message>
    <message>
        <source>VM entry</source>
        <translation>VM 进入</translation>
    </message>
    <message>
        <source>ring %1 → %2: %3</source>
        <translation>环 %1 → %2：%3</translation>
    </message>
    <message>
        <source>exception %1</source>
        <translation>异常 %1</translation>
    </message>
    <message>
        <source>VM exit %1 at %2, qualification %3</source>
        <translation>VM 退出 %1，位于 %2，退出限定 %3</translation>
    </message>
    <message>
        <source>VM entry at %1, injecting vector %2</source>
        <translation>VM 进入 %1，注入向量 %2</translation>
    </message>
    <message>
        <source>VM entry at %1</source>
        <translation>VM 进入 %1</translation>
    </message>
    <message>
        <source>exception %1 at %2</source>
        <translation>异常 %1，位于 %2</translation>
    </message>
    <message>
        <source>ring %1 → %2 (%3)</source>
        <translation>环 %1 → %2（%3）</translation>
    </message>
    <message>
        <source>OUT port %1 ← %2</source>
        <translation>OUT 端口 %1 ← %2</translation>
    </message>
    <message>
        <source>IN port %1 → %2</source>
        <translation>IN 端口 %1 → %2</translation>
    </message>
    <message>
        <source>MMIO write %1 ← %2</source>
        <translation>MMIO 写 %1 ← %2</translation>
    </message>
    <message>
        <source>MMIO read %1 → %2</source>
        <translation>MMIO 读 %1 → %2</translation>
    </message>
    <message>
        <source>hypercall %1 → %2</source>
        <translation>超级调用 %1 → %2</translation>
    </message>
    <message>
        <source>page walk %1 → %2 (%3 references)</source>
        <translation>页表遍历 %1 → %2（%3 次访存）</translation>
    </message>
    <message>
        <source>page walk %1 faults (error code %2)</source>
        <translation>页表遍历 %1 失败（错误码 %2）</translation>
    </message>
    <message>
        <source>TLB %1 %2</source>
        <translation>TLB %1 %2</translation>
    </message>
    <message>
        <source>console: "%1"</source>
        <translation>控制台：“%1”</translation>
    </message>
    <message>
        <source>VMCS %1: %2 → %3</source>
        <translation>VMCS %1：%2 → %3</translation>
    </message>
    <message>
        <source>stop: %1 %2</source>
        <translation>停止：%1 %2</translation>
    </message>
    <message>
        <source>guest hypervisor: %1 → %2</source>
        <translation>客户机中的虚拟机监控器：%1 → %2</translation>
    </message>
    <message>
        <source>container %1 %2 = %3 %4</source>
        <translation>容器 %1 %2 = %3 %4</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::DevicesView</name>
    <message>
        <source>What am I looking at: what the guest wrote to its devices up to the current event: text on the debug console (port 0xE9) or serial port (console events), and the VGA text screen at 0xB8000 (each character a memory-mapped write, mmio events).</source>
        <translation>这是什么：到当前事件为止客户机写入设备的内容：调试控制台（端口 0xE9）或串口上的文字（console 事件），以及 0xB8000 处的 VGA 文本屏幕（每个字符都是一次内存映射写入，mmio 事件）。</translation>
    </message>
    <message>
        <source>Console (port 0xE9 / serial)</source>
        <translation>控制台（端口 0xE9 / 串口）</translation>
    </message>
    <message>
        <source>VGA text screen (0xB8000)</source>
        <translation>VGA 文本屏幕（0xB8000）</translation>
    </message>
    <message>
        <source>VGA text screen (0xB8000): untouched</source>
        <translation>VGA 文本屏幕（0xB8000）：未写入</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>VGA text screen (0xB8000), rows 1–%1 of 25</source>
        <translation>VGA 文本屏幕（0xB8000），显示第 1–%1 行（共 25 行）</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::MainWindow</name>
    <message>
        <source>Open guest</source>
        <translation>打开客户机</translation>
    </message>
    <message>
        <source>nasm source (*.asm)</source>
        <translation>nasm 源文件 (*.asm)</translation>
    </message>
    <message>
        <source>Ringside</source>
        <translation>Ringside</translation>
    </message>
    <message>
        <source>Ringside — %1</source>
        <translation>Ringside — %1</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Assemble the editor's guest and run it (F5)</source>
        <translation>汇编编辑器中的客户机并运行（F5）</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Pause or resume playback (F6)</source>
        <translation>暂停或继续播放（F6）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the guest (Shift+F5)</source>
        <translation>停止客户机（Shift+F5）</translation>
    </message>
    <message>
        <source>Step back</source>
        <translation>后退一步</translation>
    </message>
    <message>
        <source>Show the previous event (←)</source>
        <translation>显示上一个事件（←）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Show the next event (→ or Space)</source>
        <translation>显示下一个事件（→ 或空格）</translation>
    </message>
    <message>
        <source>Next trap</source>
        <translation>下一个陷入</translation>
    </message>
    <message>
        <source>Show the next exit, exception, ring change or page walk (↓)</source>
        <translation>显示下一个退出、异常、特权级变化或页表遍历（↓）</translation>
    </message>
    <message>
        <source>First event</source>
        <translation>第一个事件</translation>
    </message>
    <message>
        <source>Last event</source>
        <translation>最后一个事件</translation>
    </message>
    <message>
        <source>Open guest…</source>
        <translation>打开客户机…</translation>
    </message>
    <message>
        <source>Save guest</source>
        <translation>保存客户机</translation>
    </message>
    <message>
        <source>Open trace (.jsonl)…</source>
        <translation>打开跟踪（.jsonl）…</translation>
    </message>
    <message>
        <source>Export trace as JSONL…</source>
        <translation>导出跟踪为 JSONL…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Presenter mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>Large type, high contrast, no editor; Space/→ step, ← back (F11)</source>
        <translation>大字号、高对比度、隐藏编辑器；空格/→ 单步，← 后退（F11）</translation>
    </message>
    <message>
        <source>Reset panel layout</source>
        <translation>重置面板布局</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Export view</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <source>%1 as PNG or SVG…</source>
        <translation>%1 导出为 PNG 或 SVG…</translation>
    </message>
    <message>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>What am I looking at: the lessons (folders under lessons/) and their guests. Double-click a guest to open it.</source>
        <translation>这是什么：课程（lessons/ 下的文件夹）及其客户机程序。双击客户机即可打开。</translation>
    </message>
    <message>
        <source>Where the guest runs: emu (emulated CPU, modelled VT-x) or kvm</source>
        <translation>客户机在哪里运行：emu（模拟 CPU，VT-x 为模型）或 kvm</translation>
    </message>
    <message>
        <source>KVM is not usable here: %1</source>
        <translation>此处无法使用 KVM：%1</translation>
    </message>
    <message>
        <source>%1: no .asm guest in this lesson</source>
        <translation>%1：该课程中没有 .asm 客户机</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>cannot save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Open a guest first (a lesson on the left)</source>
        <translation>请先打开一个客户机（左侧的课程）</translation>
    </message>
    <message>
        <source>%1 — the emulator (emu) is selected; press Run to use it</source>
        <translation>%1 — 已选择模拟器（emu）；按“运行”即可使用</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Speed: full</source>
        <translation>速度：全速</translation>
    </message>
    <message>
        <source>Speed: %1 events/s</source>
        <translation>速度：%1 事件/秒</translation>
    </message>
    <message>
        <source>event %1 / %2%3</source>
        <translation>事件 %1 / %2%3</translation>
    </message>
    <message>
        <source> · running</source>
        <translation> · 运行中</translation>
    </message>
    <message>
        <source>backend %1: %2</source>
        <translation>后端 %1：%2</translation>
    </message>
    <message>
        <source>Image (*.png);;SVG (*.svg)</source>
        <translation>图像 (*.png);;SVG (*.svg)</translation>
    </message>
    <message>
        <source>wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <source>Export trace</source>
        <translation>导出跟踪</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Open trace</source>
        <translation>打开跟踪</translation>
    </message>
    <message>
        <source>Break at… (rip:0x7c0d, exit:HLT, ring)</source>
        <translation>断点…（rip:0x7c0d、exit:HLT、ring）</translation>
    </message>
    <message>
        <source>Playback stops at the first matching event: rip:ADDRESS, exit:REASON (e.g. IO_INSTRUCTION), exception:#PF, or ring (any privilege change)</source>
        <translation>播放在第一个匹配的事件处停止：rip:地址、exit:退出原因（如 IO_INSTRUCTION）、exception:#PF，或 ring（任何特权级变化）</translation>
    </message>
    <message>
        <source>stopped at the breakpoint · </source>
        <translation>已在断点处停止 · </translation>
    </message>
    <message>
        <source>breakpoint: %1</source>
        <translation>断点：%1</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::PageWalkView</name>
    <message>
        <source>What am I looking at: the last page walk up to the current event (a walk event): the linear address being translated and, level by level, the table the walker read, the index into it and the entry it found, with the memory references made.</source>
        <translation>这是什么：到当前事件为止的最近一次页表遍历（walk 事件）：被翻译的线性地址，以及逐级读取的页表、表内索引和读到的表项，并给出访存次数。</translation>
    </message>
    <message>
        <source>Page walk: no walk events yet (paging is off, or none so far)</source>
        <translation>页表遍历：尚无 walk 事件（分页未开启，或至今没有）</translation>
    </message>
    <message>
        <source>modelled</source>
        <translation>模型数据</translation>
    </message>
    <message>
        <source>Walk #%1 of %2 · %3 walk of %4 (%5)</source>
        <translation>遍历 #%1（共 %2 次）· %4 的 %3 遍历（%5）</translation>
    </message>
    <message>
        <source>table %1
index %2
entry %3</source>
        <translation>页表 %1
索引 %2
表项 %3</translation>
    </message>
    <message>
        <source>result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>%1
page %2 bytes</source>
        <translation>%1
页大小 %2 字节</translation>
    </message>
    <message>
        <source>#PF error code %1</source>
        <translation>#PF 错误码 %1</translation>
    </message>
    <message>
        <source>memory references: %1 · TLB fills so far: %2</source>
        <translation>访存次数：%1 · 至今 TLB 填充：%2</translation>
    </message>
    <message>
        <source>Page walk</source>
        <translation>页表遍历</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::RegistersView</name>
    <message>
        <source>What am I looking at: the guest's registers as the trace reports them. The first block comes from the latest events (RIP, CPL, CR2 of the last page fault, instructions retired); the second from the VMCS guest-state area, which the monitor saves on every VM exit (modelled). Lit values changed since the last exit.</source>
        <translation>这是什么：跟踪中报告的客户机寄存器。第一组来自最近的事件（RIP、CPL、最近一次缺页的 CR2、已执行指令数）；第二组来自 VMCS 客户机状态区，监控器在每次 VM 退出时保存它（模型数据）。高亮的值自上次退出以来发生了变化。</translation>
    </message>
    <message>
        <source>Registers at event %1</source>
        <translation>事件 %1 时的寄存器</translation>
    </message>
    <message>
        <source>VMCS: modelled</source>
        <translation>VMCS：模型数据</translation>
    </message>
    <message>
        <source>RIP (event)</source>
        <translation>RIP（事件）</translation>
    </message>
    <message>
        <source>CPL</source>
        <translation>CPL</translation>
    </message>
    <message>
        <source>mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>VMX root</source>
        <translation>VMX 根模式</translation>
    </message>
    <message>
        <source>non-root</source>
        <translation>非根模式</translation>
    </message>
    <message>
        <source>CR2 (#PF)</source>
        <translation>CR2（#PF）</translation>
    </message>
    <message>
        <source>instructions</source>
        <translation>指令数</translation>
    </message>
    <message>
        <source>Registers</source>
        <translation>寄存器</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::RingsView</name>
    <message>
        <source>What am I looking at: the guest's privilege rings (CPL 0 = kernel, 3 = user) inside VMX non-root mode, and the monitor in VMX root mode. The lit ring is the current CPL; arrows are the latest transitions (exceptions, IRET, system calls, VM exits and entries) with their cause, taken from ring, exception, exit and entry events.</source>
        <translation>这是什么：VMX 非根模式中客户机的特权环（CPL 0 = 内核，3 = 用户），以及处于 VMX 根模式的监控器。点亮的环是当前 CPL；箭头是最近的转换（异常、IRET、系统调用、VM 退出和进入）及其原因，取自 ring、exception、exit 和 entry 事件。</translation>
    </message>
    <message>
        <source>No events yet: run a guest</source>
        <translation>尚无事件：请运行一个客户机</translation>
    </message>
    <message>
        <source>Monitor running (VMX root) · guest CPL %1</source>
        <translation>监控器运行中（VMX 根模式）· 客户机 CPL %1</translation>
    </message>
    <message>
        <source>Guest running (VMX non-root) · CPL %1</source>
        <translation>客户机运行中（VMX 非根模式）· CPL %1</translation>
    </message>
    <message>
        <source>VMX non-root: the guest</source>
        <translation>VMX 非根模式：客户机</translation>
    </message>
    <message>
        <source>VMX root: the monitor</source>
        <translation>VMX 根模式：监控器</translation>
    </message>
    <message>
        <source>ring 0 kernel · ring 3 user</source>
        <translation>环 0 内核 · 环 3 用户</translation>
    </message>
    <message>
        <source>event %1 of %2 · exits %3 · entries %4 · exceptions %5 · instructions %6</source>
        <translation>事件 %1/%2 · 退出 %3 · 进入 %4 · 异常 %5 · 指令 %6</translation>
    </message>
    <message>
        <source>Rings</source>
        <translation>特权环</translation>
    </message>
    <message>
        <source>VM exits handled: %1
last exit: %2
at guest RIP 0x%3
qualification 0x%4</source>
        <translation>已处理 VM 退出：%1
最近一次退出：%2
客户机 RIP 0x%3
退出限定 0x%4</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::Session</name>
    <message>
        <source>The run was stopped: the recording is full (%1 events).</source>
        <translation>运行已停止：记录已满（%1 个事件）。</translation>
    </message>
    <message>
        <source>The backend failed: %1</source>
        <translation>后端出错：%1</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::TimelineView</name>
    <message>
        <source>What am I looking at: every event of the run, left to right in the order it happened, in lanes for the guest, the monitor and the devices, coloured by kind. Wheel: zoom, Shift+wheel: pan, click: show the machine at that event.</source>
        <translation>这是什么：本次运行的每个事件，按发生顺序从左到右排列，分为客户机、监控器和设备三条泳道，按种类着色。滚轮：缩放，Shift+滚轮：平移，单击：显示该事件时的机器状态。</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 个事件</translation>
    </message>
    <message>
        <source>guest</source>
        <translation>客户机</translation>
    </message>
    <message>
        <source>monitor</source>
        <translation>监控器</translation>
    </message>
    <message>
        <source>devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::VmcsView</name>
    <message>
        <source>What am I looking at: the VMCS, the structure a VT-x monitor keeps per virtual CPU (controls, guest state, host state, exit information), field by field with its encoding and value at the current event, built from vmcs events. Lit fields changed since the last VM exit. The data is modelled: Ringside's VT-x model keeps this VMCS (KVM never exposes its own). Hover a field for details.</source>
        <translation>这是什么：VMCS，即 VT-x 监控器为每个虚拟 CPU 维护的结构（控制字段、客户机状态、宿主机状态、退出信息），逐字段列出当前事件时的编码和值，由 vmcs 事件构建。高亮字段自上次 VM 退出以来发生了变化。这些数据来自模型：由 Ringside 的 VT-x 模型维护（KVM 从不公开自己的 VMCS）。将鼠标悬停在字段上可查看详情。</translation>
    </message>
    <message>
        <source>VMCS at event %1 · %2 fields changed since the last VM exit</source>
        <translation>事件 %1 时的 VMCS · 自上次 VM 退出以来 %2 个字段有变化</translation>
    </message>
    <message>
        <source>VMCS: no vmcs events yet (this backend or run has none to show)</source>
        <translation>VMCS：尚无 vmcs 事件（该后端或本次运行没有可显示的内容）</translation>
    </message>
    <message>
        <source>modelled</source>
        <translation>模型数据</translation>
    </message>
    <message>
        <source>%1 · %2-bit · %3</source>
        <translation>%1 · %2 位 · %3</translation>
    </message>
    <message>
        <source>value 0x%1 = %2, last changed at event %3</source>
        <translation>值 0x%1 = %2，最近一次在事件 %3 改变</translation>
    </message>
    <message>
        <source>bits set: %1</source>
        <translation>置位的位：%1</translation>
    </message>
    <message>
        <source>no vmcs event has set this field yet</source>
        <translation>尚无 vmcs 事件设置此字段</translation>
    </message>
    <message>
        <source>VMCS</source>
        <translation>VMCS</translation>
    </message>
</context>
</TS>