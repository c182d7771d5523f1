#!/usr/bin/env python3
"""docs/architecture.md is true to the build.

1. The mermaid diagram's arrows are direct dependencies in CMake's own graph
   (`cmake --graphviz` of a fresh configure), and both graphs reach the same targets from
   each target (the diagram may leave out an arrow a longer path implies, nothing more).
2. Every `#include "folder/..."` in the sources names a header of the file's own module or
   of a module that module reaches: the layering rules hold in the code, not just in CMake.
"""
import os
import re
import subprocess
import sys
import tempfile

SOURCE_DIR = os.environ.get("KEYWARD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CMAKE = os.environ.get("KEYWARD_CMAKE", "cmake")
DOC = os.path.join(SOURCE_DIR, "docs", "architecture.md")

# Targets that are build plumbing, not modules: compile flags and main.cpp's object library.
PLUMBING = {"keyward_options", "keyward_main"}
# The diagram's node id for an executable whose name is not an identifier.
EXECUTABLE_IDS = {"keyward-sample-rs": "keyward_sample_rs_exe"}

failures = []


def fail(message):
    failures.append(message)


def cmake_graph():
    with tempfile.TemporaryDirectory(prefix="keyward-graph-") as tmp:
        dot = os.path.join(tmp, "graph.dot")
        r = subprocess.run([CMAKE, "-S", SOURCE_DIR, "-B", os.path.join(tmp, "build"), "-G", "Ninja",
                            "-DKEYWARD_BUILD_TESTS=OFF", f"--graphviz={dot}"],
                           capture_output=True, text=True, timeout=100)
        if r.returncode != 0:
            sys.exit(f"cmake configure failed:\n{r.stdout}\n{r.stderr}")
        text = open(dot).read()
    edges = set()
    for a, b in re.findall(r"// (\S+) -> (\S+)", text):
        a, b = EXECUTABLE_IDS.get(a, a), EXECUTABLE_IDS.get(b, b)
        if a.startswith("keyward") and b.startswith("keyward") and not {a, b} & PLUMBING:
            edges.add((a, b))
    return edges


def doc_graph():
    text = open(DOC).read()
    block = re.search(r"```mermaid\n(.*?)```", text, re.S)
    if not block:
        sys.exit("docs/architecture.md has no mermaid diagram")
    return set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", block.group(1), re.M))


def reach(edges):
    nodes = {n for e in edges for n in e}
    out = {n: set() for n in nodes}
    for a, b in edges:
        out[a].add(b)
    closure = {}
    for n in nodes:
        seen, todo = set(), [n]
        while todo:
            for m in out[todo.pop()]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        closure[n] = seen
    return closure


# Which target a source file belongs to (the longest matching prefix wins).
MODULE_OF_PATH = [
    ("common/", "keyward_common"),
    ("http/", "keyward_http"),
    ("jose/", "keyward_jose"),
    ("storage/", "keyward_storage"),
    ("audit/", "keyward_audit"),
    ("grants/", "keyward_grants"),
    ("keys/", "keyward_keys"),
    ("server/config.", "keyward_config"),
    ("server/main.cpp", "keyward"),
    ("server/shipped_routes.cpp", "keyward"),
    ("server/", "keyward_server"),
    ("cli/", "keyward_cli"),
    ("operations/", "keyward_operations"),
    ("resource_server/sample/", "keyward_sample_rs"),
    ("resource_server/main.cpp", "keyward_sample_rs_exe"),
    ("resource_server/", "keyward_verifier"),
    ("federation/", "keyward_federation"),
]


def module_of(path):
    best = None
    for prefix, target in MODULE_OF_PATH:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, target)
    return best[1] if best else None


def check_includes(closure):
    checked = 0
    tops = sorted({prefix.split("/")[0] for prefix, _ in MODULE_OF_PATH})
    for top in tops:
        for root, _dirs, files in os.walk(os.path.join(SOURCE_DIR, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.relpath(os.path.join(root, name), SOURCE_DIR)
                own = module_of(path)
                allowed = {own} | closure.get(own, set())
                text = open(os.path.join(root, name)).read()
                for inc in re.findall(r'^#include "([^"]+)"', text, re.M):
                    target = module_of(inc)
                    if target is None:
                        continue
                    checked += 1
                    if target not in allowed:
                        fail(f"{path} includes {inc} ({target}), which {own} does not reach")
    return checked


def main():
    actual = cmake_graph()
    drawn = doc_graph()
    for edge in sorted(drawn - actual):
        fail(f"the diagram draws {edge[0]} --> {edge[1]}, which is not a direct CMake dependency")
    actual_reach, drawn_reach = reach(actual), reach(drawn)
    for node in sorted(set(actual_reach) | set(drawn_reach)):
        missing = actual_reach.get(node, set()) - drawn_reach.get(node, set())
        if missing:
            fail(f"{node} reaches {sorted(missing)} in CMake, but not in the diagram")
    checked = check_includes(actual_reach)
    for f in failures:
        print("FAIL", f)
    print(f"{len(actual)} CMake edges, {len(drawn)} drawn, {checked} includes checked, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
