#!/usr/bin/env python3
"""Self instructions per request from a callgrind file, by library and by function.

Usage: callgrind_summary.py FILE REQUESTS [TOP]

Reads the callgrind format directly (callgrind_annotate 3.19 attributes everything to the
thread entry point for a file dumped with callgrind_control): a cost line right after a
calls= line is the inclusive cost of that call and is not the caller's own.
"""
import collections
import os
import sys


def main() -> None:
    path, requests = sys.argv[1], int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    names = {"ob": {}, "fn": {}}
    ob = fn = "?"
    by_fn = collections.Counter()
    by_ob = collections.Counter()
    total = 0
    after_call = False

    def resolve(kind: str, value: str) -> str:
        value = value.strip()
        if value.startswith("("):
            end = value.index(")")
            ident, rest = value[1:end], value[end + 1 :].strip()
            if rest:
                names[kind][ident] = rest
            return names[kind].get(ident, ident)
        return value

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                ob = os.path.basename(resolve("ob", line[3:]))
            elif line.startswith("fn="):
                fn = resolve("fn", line[3:])
            elif line.startswith("cob="):
                resolve("ob", line[4:])
            elif line.startswith("cfn="):
                resolve("fn", line[4:])
            elif line.startswith("calls="):
                after_call = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                parts = line.split()
                if len(parts) < 2:
                    continue
                if after_call:
                    after_call = False
                    continue
                cost = int(parts[1])
                by_fn[(ob, fn)] += cost
                by_ob[ob] += cost
                total += cost
            elif line.startswith("summary:"):
                pass
    print(f"{total / requests:12.0f}  instructions per request ({requests} requests)")
    print("-- by library (self instructions per request)")
    for name, cost in by_ob.most_common(10):
        print(f"{cost / requests:12.0f}  {100 * cost / total:5.1f}%  {name}")
    print(f"-- top {top} functions (self instructions per request)")
    for (name, func), cost in by_fn.most_common(top):
        print(f"{cost / requests:12.0f}  {100 * cost / total:5.1f}%  {func[:100]}  [{name}]")


if __name__ == "__main__":
    main()
