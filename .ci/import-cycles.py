#!/usr/bin/env python3
"""Reports the import cycles between the library's modules.

Usage (from anywhere in the repository):

    python3 .ci/import-cycles.py              # per module: crate::a::b
    python3 .ci/import-cycles.py --top        # per top-level folder: crate::a
    python3 .ci/import-cycles.py --depth 2    # per crate::a::b, deeper modules merged in
    python3 .ci/import-cycles.py --src path/to/src

Exit status: 0 when the module graph has no cycle, 1 when it has one, 2 on a
usage error.

How the graph is built:
- Every `src/**/*.rs` of the library is a module: `src/a/b.rs` and
  `src/a/b/mod.rs` are `crate::a::b`, `src/lib.rs` is `crate`. `src/main.rs`
  and `src/bin/` are other crates (they can only use the library), so they
  are left out.
- A module depends on the module each path in it names: the paths of `use`
  declarations (groups `use crate::{a, b::{c, d}}` unfolded, `self` in a group
  meaning the group's prefix), and the `crate::`, `super::` and `self::` paths
  written in code. A path names the longest module that is a prefix of it;
  the rest, when the module binds it with a `use` (a re-export such as
  `pub use types::StarDraft` in a `mod.rs`, or a plain import), is followed to
  where it comes from, so `super::drafts::StarDraft` is an edge to
  `graphql::drafts::types`. A path that starts with a name a `use` of the
  file bound (`ids::encode` after `use crate::graphql::ids`) counts when it
  names a more precise module than the `use` did.
- A module's edges to itself and to its own submodules (the `mod x;` tree,
  and a `mod.rs` re-exporting or assembling its children) are not counted:
  the parent is made of its children. Edges up to an ancestor (`super::X`)
  and across to siblings are.
- Comments, strings (so also paths inside attribute strings such as
  `#[graphql(complexity = "super::LIST_COST ...")]`) and `#[cfg(test)]` items
  (test modules, inline or in their own file, and test-only functions and
  imports) are not read. Other inline `mod x { ... }` blocks are read as part
  of their file, which is right for `crate::` paths only; the script names
  any it meets.

A cycle is a strongly connected component of more than one module. Each is
printed with one shortest circle through it and then every edge inside it,
with the file, line and path as written that make the edge.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

IDENT = r"(?:r#)?[A-Za-z_][A-Za-z0-9_]*"


# --- reading a file --------------------------------------------------------------


def blank_comments_and_strings(text: str) -> str:
    """Replaces comments, strings and char literals by spaces, keeping newlines."""
    out = list(text)
    n = len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    raw = re.compile(r'(?:br|cr|r)(#*)"')
    char = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'")
    i = 0
    while i < n:
        c = text[i]
        prev_ident = i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif not prev_ident and (m := raw.match(text, i)):
            end = text.find('"' + m.group(1), m.end())
            j = n if end < 0 else end + 1 + len(m.group(1))
            blank(i, j)
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
        elif c == "'" and (m := char.match(text, i)):
            blank(i, m.end())
            i = m.end()
        else:
            i += 1
    return "".join(out)


def item_end(text: str, start: int) -> int:
    """The end of the item starting at `start`: its `;` or its closing `}`."""
    depth = 0
    for j in range(start, len(text)):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                return j + 1
        elif c == ";" and depth == 0:
            return j + 1
    return len(text)


def bracket_end(text: str, start: int) -> int:
    """The end of the bracketed group opening at `start`."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] in "([{":
            depth += 1
        elif text[j] in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


CFG_TEST = re.compile(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]")
ATTRIBUTE = re.compile(r"\s*#\s*(?=\[)")
MOD_DECL = re.compile(r"\b(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])")
SPACE = re.compile(r"\s*")


def blank_test_items(text: str) -> tuple[str, set[str]]:
    """Blanks `#[cfg(test)]` items; returns the text and the test-only `mod x;` names."""
    test_mods: set[str] = set()
    out = text
    for m in reversed(list(CFG_TEST.finditer(text))):
        start = m.end()
        while a := ATTRIBUTE.match(out, start):  # further attributes of the same item
            start = bracket_end(out, a.end())
        start = SPACE.match(out, start).end()
        decl = MOD_DECL.match(out, start)
        if decl and decl.group(2) == ";":
            test_mods.add(decl.group(1).removeprefix("r#"))
        end = item_end(out, start)
        out = out[: m.start()] + re.sub(r"[^\n]", " ", out[m.start() : end]) + out[end:]
    return out, test_mods


# --- use trees ---------------------------------------------------------------------

TOKEN = re.compile(r"\s*(::|\{|\}|,|\*|;|" + IDENT + r"|\$crate)")
USE = re.compile(r"(?<![A-Za-z0-9_$])use\s+(?=[A-Za-z_:${])")


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


@dataclass
class UseLeaf:
    """One path of a use tree, and the name it binds (None for `*` and `as _`)."""

    segments: list[str]
    binds: str | None
    glob: bool
    line: int
    written: str


def parse_uses(text: str, where: str) -> tuple[list[UseLeaf], str]:
    """The leaves of every `use` declaration; the text with the declarations blanked."""
    leaves: list[UseLeaf] = []
    out = text
    for m in reversed(list(USE.finditer(text))):
        end = item_end(text, m.end())
        tokens = []
        pos = m.end()
        while pos < end:
            t = TOKEN.match(text, pos)
            if not t:
                break
            tokens.append((t.group(1), line_of(text, t.start(1))))
            pos = t.end()
        found: list[UseLeaf] = []
        try:
            parse_tree(tokens, 0, [], found)
        except (IndexError, ValueError):
            print(f"note: {where}:{line_of(text, m.start())}: could not read this use", file=sys.stderr)
        leaves.extend(reversed(found))
        out = out[: m.start()] + re.sub(r"[^\n]", " ", out[m.start() : end]) + out[end:]
    leaves.reverse()
    return leaves, out


def parse_tree(tokens, i, prefix: list[str], found: list[UseLeaf]) -> int:
    segments = list(prefix)
    if tokens[i][0] == "::":  # `use ::std::x`: an external crate
        segments.append("")
        i += 1
    while True:
        tok, line = tokens[i]
        if tok == "{":
            i += 1
            while tokens[i][0] != "}":
                i = parse_tree(tokens, i, segments, found)
                if tokens[i][0] == ",":
                    i += 1
            return i + 1
        if tok == "*":
            found.append(UseLeaf(segments, None, True, line, "::".join(segments + ["*"])))
            return i + 1
        if tok in ("::", ",", "}", ";", "as"):
            raise ValueError(tok)
        segments = segments + [tok]
        i += 1
        if tokens[i][0] == "::":
            i += 1
            continue
        binds = segments[-1]
        if segments[-1] == "self":  # `{self, ..}`: the prefix itself
            segments = segments[:-1]
            binds = segments[-1] if segments else None
        if tokens[i][0] == "as":
            binds = None if tokens[i + 1][0] == "_" else tokens[i + 1][0]
            i += 2
        found.append(UseLeaf(segments, binds, False, line, "::".join(segments)))
        return i


# --- the crate ---------------------------------------------------------------------

Module = tuple  # ("graphql", "roles"); () is the crate root


def show(module: Module) -> str:
    return "::".join(module) if module else "crate"


class Crate:
    def __init__(self, src: Path):
        self.src = src
        self.files: dict[Module, Path] = {}
        self.code: dict[Module, str] = {}
        self.uses: dict[Module, list[UseLeaf]] = {}
        self.declared: dict[Module, set[str]] = defaultdict(set)
        self.test_only: set[Module] = set()
        self.notes: list[str] = []
        for path in sorted(src.rglob("*.rs")):
            rel = path.relative_to(src).with_suffix("")
            parts = rel.parts
            if parts == ("main",) or parts[0] == "bin":
                continue
            if parts == ("lib",):
                module: Module = ()
            elif parts[-1] == "mod":
                module = tuple(parts[:-1])
            else:
                module = tuple(parts)
            self.files[module] = path
        for module, path in self.files.items():
            text = blank_comments_and_strings(path.read_text(encoding="utf-8"))
            text, test_mods = blank_test_items(text)
            self.test_only.update(module + (name,) for name in test_mods)
            for decl in MOD_DECL.finditer(text):
                name = decl.group(1).removeprefix("r#")
                if decl.group(2) == ";":
                    self.declared[module].add(name)
                else:
                    self.notes.append(
                        f"{self.rel(path)}:{line_of(text, decl.start())}: inline module `{name}` read as part of its file"
                    )
            self.uses[module], self.code[module] = parse_uses(text, self.rel(path))
        for module in list(self.files):
            if any(module[:k] in self.test_only for k in range(1, len(module) + 1)):
                del self.files[module]
        for module in self.files:
            if module and module[-1] not in self.declared.get(module[:-1], set()):
                self.notes.append(f"{self.rel(self.files[module])}: no `mod {module[-1]};` declares it")
        self.bindings: dict[Module, dict[str, UseLeaf]] = {
            m: {leaf.binds: leaf for leaf in self.uses[m] if leaf.binds} for m in self.files
        }
        self.globs: dict[Module, list[UseLeaf]] = {
            m: [leaf for leaf in self.uses[m] if leaf.glob] for m in self.files
        }

    def rel(self, path: Path) -> str:
        return os.path.relpath(path, self.src.parent)

    def absolute(self, module: Module, segments: list[str], seen: frozenset = frozenset()):
        """The crate-absolute path of `segments` written in `module`; None if external."""
        if not segments:
            return None
        first = segments[0]
        if first in ("crate", "$crate"):
            return tuple(segments[1:])
        if first in ("super", "self"):
            base = module
            rest = segments
            if rest[0] == "self":
                rest = rest[1:]
            while rest and rest[0] == "super":
                if not base:
                    return None
                base, rest = base[:-1], rest[1:]
            return base + tuple(rest)
        if first == "":
            return None
        if module + (first,) in self.files:  # a child module, named by its bare name
            return module + tuple(segments)
        leaf = self.bindings.get(module, {}).get(first)
        if leaf is not None and (module, first) not in seen:
            bound = self.absolute(module, leaf.segments, seen | {(module, first)})
            return None if bound is None else bound + tuple(segments[1:])
        return None  # an external crate, a prelude or local name

    def module_of(self, path: tuple, seen: frozenset = frozenset()) -> Module:
        """The module `path` names, following the `use` bindings of the modules it passes."""
        k = len(path)
        while k and path[:k] not in self.files:
            k -= 1
        module, rest = path[:k], path[k:]
        if rest and (module, rest[0]) not in seen:
            leaf = self.bindings.get(module, {}).get(rest[0])
            if leaf is not None:
                bound = self.absolute(module, leaf.segments)
                if bound is not None:
                    return self.module_of(bound + rest[1:], seen | {(module, rest[0])})
        return module

    def edges(self):
        """(source, target, file, line, path as written), descendants and self left out."""
        inline = re.compile(
            r"(?<![A-Za-z0-9_:$.])(\$crate|" + IDENT + r")((?:\s*::\s*" + IDENT + r")+)"
        )
        for module in sorted(self.files):
            path = self.rel(self.files[module])
            found = []
            for leaf in self.uses[module]:
                absolute = self.absolute(module, leaf.segments)
                if absolute is not None:
                    found.append((self.module_of(absolute), leaf.line, leaf.written))
            text = self.code[module]
            for m in inline.finditer(text):
                segments = [m.group(1)] + re.findall(IDENT, m.group(2))
                absolute = self.absolute(module, segments)
                if absolute is None:
                    continue
                target = self.module_of(absolute)
                leaf = self.bindings[module].get(segments[0])
                if leaf is not None and segments[0] not in ("crate", "$crate", "super", "self"):
                    via_use = self.absolute(module, leaf.segments)
                    if via_use is None or self.module_of(via_use) == target:
                        continue  # the `use` made this edge already
                found.append((target, line_of(text, m.start()), "::".join(segments)))
            for target, line, written in found:
                if target[: len(module)] == module:
                    continue  # itself, or one of its submodules
                yield module, target, path, line, written


# --- cycles ------------------------------------------------------------------------


def strongly_connected(nodes, graph):
    """Tarjan's algorithm, iterative; components in no particular order."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out


def shortest_circle(start, members, graph):
    """A shortest way from `start` back to itself inside `members`."""
    parent = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child == start:
                way = [node]
                while parent[way[-1]] is not None:
                    way.append(parent[way[-1]])
                return list(reversed(way)) + [start]
            if child not in parent:
                parent[child] = node
                queue.append(child)
    return [start]


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Reports the cycles of the module graph of src/ (see the top of this file)."
    )
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "src")
    level = parser.add_mutually_exclusive_group()
    level.add_argument("--top", action="store_true", help="per top-level module (crate::x)")
    level.add_argument(
        "--depth", type=int, default=0, help="merge modules below this depth (1 = --top; 0 = per module)"
    )
    args = parser.parse_args()
    depth = 1 if args.top else args.depth
    if depth < 0 or not (args.src / "lib.rs").is_file():
        parser.error(f"--depth must be >= 0 and {args.src}/lib.rs must exist")

    crate = Crate(args.src)
    for note in crate.notes:
        print(f"note: {note}")

    def level_of(module: Module) -> Module:
        return module[:depth] if depth else module

    graph: dict[Module, set] = defaultdict(set)
    evidence: dict[tuple, list] = defaultdict(list)
    nodes = sorted({level_of(m) for m in crate.files})
    for source, target, path, line, written in crate.edges():
        a, b = level_of(source), level_of(target)
        if a == b:
            continue
        graph[a].add(b)
        evidence[(a, b)].append((path, line, written))

    what = "per module" if not depth else "per crate::x" if depth == 1 else f"per module of depth {depth}"
    cycles = [c for c in strongly_connected(nodes, graph) if len(c) > 1]
    cycles.sort(key=lambda c: (-len(c), c))
    print(f"import cycles {what}: {len(nodes)} modules, {len(evidence)} edges between them")
    for n, members in enumerate(cycles, 1):
        inside = set(members)
        print(f"\ncycle {n} ({len(members)} modules): {', '.join(show(m) for m in members)}")
        print("  e.g. " + " -> ".join(show(m) for m in shortest_circle(members[0], inside, graph)))
        pairs = [f"{show(a)} <-> {show(b)}" for a in members for b in sorted(graph[a]) if a < b and a in graph[b]]
        if pairs:
            print("  using each other: " + ", ".join(pairs))
        for a in members:
            for b in sorted(graph[a] & inside):
                print(f"  {show(a)} -> {show(b)}")
                lines: dict[tuple, list] = defaultdict(list)
                for path, line, written in evidence[(a, b)]:
                    if written not in lines[(path, line)]:
                        lines[(path, line)].append(written)
                for (path, line), written in sorted(lines.items()):
                    print(f"    {path}:{line}  {', '.join(written)}")
    if cycles:
        print(f"\n{len(cycles)} cycle(s) {what}:")
        for n, members in enumerate(cycles, 1):
            print(f"  {n}. {', '.join(show(m) for m in members)}")
    else:
        print("no cycle")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
