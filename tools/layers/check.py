#!/usr/bin/env python3
"""Layers that only point down: the graph of `crate::X` paths between src/'s top-level
modules, its cycles, and the pure layers' forbidden imports.

A cheap stand-in for `cargo modules dependencies --acyclic`: it reads the text, not the
compiler's view, so it counts `crate::x` in code (comments stripped) per file, and by
default leaves out test code (`#[cfg(test)] mod ...` to the end of a file, and tests.rs).

    python3 tools/layers/check.py           # graph, cycles, pure-layer check; exit 1 on a finding
    python3 tools/layers/check.py --tests   # count test code too
    python3 tools/layers/check.py --edges   # also list each edge's files
"""
import os
import re
import sys
from collections import defaultdict

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
# Layers that must not import the store, the transport or the runtime.
PURE = {"lang", "content", "i18n", "input", "decide", "render", "view"}
IMPURE = {"store", "transport", "handle", "app", "outreach", "deliver", "cli", "web",
          "metrics", "config", "schedule", "health"}
# web is mixed: its site generator must stay pure.
PURE_PATHS = {"web/site": "web::site"}

PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)")


def strip(text, tests):
    if not tests:
        m = re.search(r"^#\[cfg\(test\)\]\s*\n\s*mod\s", text, re.M)
        if m:
            text = text[: m.start()]
    text = re.sub(r"//[^\n]*", "", text)
    return text


def top_of(rel):
    parts = rel.split(os.sep)
    name = parts[0]
    if name.endswith(".rs"):
        name = name[:-3]
    return name


def main():
    tests = "--tests" in sys.argv
    show_edges = "--edges" in sys.argv
    edges = defaultdict(set)  # (a, b) -> files
    pure_hits = []
    for root, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, SRC)
            if rel.startswith("bin" + os.sep) or rel in ("main.rs", "lib.rs"):
                continue
            if f == "tests.rs" and not tests:
                continue
            top = top_of(rel)
            text = strip(open(path, encoding="utf-8").read(), tests)
            for m in PATH.finditer(text):
                dep = m.group(1)
                if dep != top:
                    edges[(top, dep)].add(rel)
            for prefix, name in PURE_PATHS.items():
                if rel.startswith(prefix):
                    for m in PATH.finditer(text):
                        if m.group(1) in IMPURE - {"web"}:
                            pure_hits.append((name, m.group(1), rel))
    graph = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    print("edges (module -> what it imports):")
    for a in sorted(graph):
        print(f"  {a:10} -> {', '.join(sorted(graph[a]))}")
        if show_edges:
            for b in sorted(graph[a]):
                print(f"      {b}: {', '.join(sorted(edges[(a, b)]))}")
    cycles = two_way(graph)
    sccs = [c for c in tarjan(graph) if len(c) > 1]
    print("\ntwo-way pairs:" if cycles else "\ntwo-way pairs: none")
    for a, b in cycles:
        print(f"  {a} <-> {b}   ({', '.join(sorted(edges[(a, b)]))} | {', '.join(sorted(edges[(b, a)]))})")
    print("strongly connected groups:" if sccs else "strongly connected groups: none")
    for c in sccs:
        print("  " + " ".join(sorted(c)))
    for a in sorted(PURE & set(graph)):
        for b in sorted(graph[a] & IMPURE):
            pure_hits.append((a, b, ", ".join(sorted(edges[(a, b)]))))
    print("pure layers importing store/transport/runtime:" if pure_hits else
          "pure layers importing store/transport/runtime: none")
    for a, b, where in sorted(set(pure_hits)):
        print(f"  {a} -> {b}   ({where})")
    return 1 if (sccs or pure_hits) else 0


def two_way(graph):
    return sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, ())})


def tarjan(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    nodes = set(graph) | {b for bs in graph.values() for b in bs}

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    sys.exit(main())
