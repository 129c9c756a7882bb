#!/usr/bin/env python3
"""Sorts a server's perf samples into where a request's time goes, from `perf report --no-children -g none` output.

usage: breakdown.py REPORT.txt REQUESTS CPU_MS   (prints one markdown row per category, µs per request)
Each symbol falls into the first category whose pattern it matches; the categories are the ones docs/performance.md
discusses. A sample is one 1/F s tick of the server's CPU, so a category's share of the samples times the CPU time per
request is its cost per request.
"""
import re
import sys

CATEGORIES = [
    # kernel: the socket calls themselves (TCP/IP, copies, skb), scheduling (sleeps, wake-ups, context switches),
    # epoll, and the syscall entry and exit around them.
    ("kernel: scheduling and wake-ups", r"\[k\] .*(schedule|finish_task_switch|try_to_wake_up|ttwu|enqueue_|dequeue_|pick_next|update_curr|yield|futex|hrtimer|__switch_to|select_task|pv_queued|_raw_spin|irqentry|wake_up|autoremove|sched)"),
    ("kernel: epoll", r"\[k\] .*(epoll|ep_|sock_poll|tcp_poll)"),
    ("kernel: syscall entry and exit", r"\[k\] .*(do_syscall|entry_SYSCALL|syscall_exit|syscall_return|__x64_sys|fdget|fput|__fget|exit_to_user|__check_object_size)"),
    ("kernel: TCP/IP send and receive", r"\[k\] "),
    ("libc and other native code", r"^\[\.\] (__|_dl|malloc|free|pthread|epoll|recv|send|clock|memcpy|memset|memmove)"),
    # the runtime: the socket engine (epoll thread, SocketAsyncContext, the P/Invokes and libc wrappers), the thread pool
    # and async machinery, locks, GC and allocation.
    ("runtime: socket engine and libc calls", r"(System_Net_Sockets|System\.Net\.Sockets|SystemNative_|__libc_recv|__send|\brecv\b|\bsend\b|epoll_wait|pthread_(en|dis)able_asynccancel|SafeHandle|RhpPInvoke|__GI___)"),
    ("runtime: thread pool, async and locks", r"(Threading|ThreadPool|AsyncMethodBuilder|AsyncValueTask|ValueTask|ExecutionContext|Monitor|Interlocked|StateMachineBox|Task|__sched_yield|sched_yield|Lock|RhpCheckedLock|clock_gettime|minipal|vdso|TickCount|Stopwatch)"),
    ("runtime: type checks, GC and allocation", r"(TypeCast|Rhp|GC|gc_heap|Alloc|ArrayPool|SharedArrayPool|Array__Clear|Array\.Clear|WKS::|SVR::|memset|memcpy|memmove|Memmove|Buffer)"),
    # TinyHttp itself: the request head's parse, the response's head and send, the connection loop and timeouts.
    ("TinyHttp: request head parse", r"TinyHttp.*(RequestHeadParser|HttpCharacters|TargetSyntax|Percent|HttpRequestHeaders|CaptureHead|RequestHead|ParseBufferedHead)"),
    ("span searches (IndexOf, Ascii: any server's parse)", r"SpanHelpers|Ascii"),
    ("TinyHttp: response head and send", r"TinyHttp.*(ResponseHeadWriter|ResponseFraming|ConnectionOutput|HttpResponse|SocketTransport__Send|StatusPhrase|Complete)"),
    ("TinyHttp: connection loop, timeouts, exchange", r"TinyHttp"),
    ("Kestrel (parse, write, pipes)", r"Microsoft_AspNetCore|Microsoft\.AspNetCore|System_IO_Pipelines|System\.IO\.Pipelines|Kestrel"),
    ("handler (the bench server's switch)", r"Program|Bench|Stats"),
]

OPENSSL = "OpenSSL (libssl, libcrypto: TLS records, AES-GCM)"
CATEGORIES.insert(4, (OPENSSL, r"$^"))


def main():
    path, requests, cpu_ms = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    totals = {name: 0.0 for name, _ in CATEGORIES}
    other = 0.0
    line_re = re.compile(r"^\s*([\d.]+)%\s+(.*)$")
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            continue
        # "<dso>  [.] <symbol>" or "[kernel.kallsyms]  [k] <symbol>": classify by the symbol, not the file it is in
        # (an AOT binary holds the runtime's code and the server's alike).
        share, rest = float(m.group(1)), m.group(2)
        marker = rest.find("[k] ") if "[k] " in rest else rest.find("[.] ")
        symbol = rest[marker:] if marker >= 0 else rest
        if "libcrypto" in rest[:max(marker, 0)] or "libssl" in rest[:max(marker, 0)]:
            totals[OPENSSL] += share
            continue
        for name, pattern in CATEGORIES:
            if re.search(pattern, symbol):
                totals[name] += share
                break
        else:
            other += share
    us_per_request = cpu_ms * 1000 / requests
    print(f"| CPU per request (all) | {us_per_request:.2f} µs | 100% |")
    for name, _ in CATEGORIES:
        if totals[name] > 0:
            print(f"| {name} | {us_per_request * totals[name] / 100:.2f} µs | {totals[name]:.1f}% |")
    if other > 0:
        print(f"| other | {us_per_request * other / 100:.2f} µs | {other:.1f}% |")

if __name__ == "__main__":
    main()
