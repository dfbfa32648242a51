"""The import graph of the project: no cycles between modules or between apps, and no app reaching
up into the demo generator that sits on top of them all.

Function-level imports count: an import deferred into a function body still ties the two modules
together, it only hides the cycle from the interpreter until the function runs. Imports under
`if TYPE_CHECKING:` never run and are left out.
"""

import ast
from pathlib import Path

from django.apps import apps

import citygrid

ROOT = Path(citygrid.__file__).parent
DEMO = "citygrid.demo"

# Cycles tolerated, each as its sorted members. Both lists must stay empty: the cycles found
# when this test was written are gone, and a new one is fixed in the layering, never listed here.
KNOWN_MODULE_CYCLES: set[tuple[str, ...]] = set()
KNOWN_APP_CYCLES: set[tuple[str, ...]] = set()

Graph = dict[str, dict[str, list]]  # importer → imported → where (line numbers, sites)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST):
    """Every import statement at any depth, except those guarded by TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif _is_type_checking(child):
            for branch in child.orelse:
                yield from _imports(ast.Module(body=[branch], type_ignores=[]))
        else:
            yield from _imports(child)


def _targets(node: ast.Import | ast.ImportFrom, name: str, path: Path, modules) -> set[str]:
    """The project modules an import statement loads: the named submodule, else its package."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def import_graph() -> Graph:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    graph: Graph = {}
    for name, path in modules.items():
        edges: dict[str, list[int]] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            for target in _targets(node, name, path, modules) - {name}:
                edges.setdefault(target, []).append(node.lineno)
        graph[name] = edges
    return graph


def cycles(graph: dict) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _app_of(module: str, labels: list[str]) -> str | None:
    return next((app for app in labels if module == app or module.startswith(f"{app}.")), None)


def app_graph(graph: Graph) -> Graph:
    """Which app imports which, from the modules of each app outside its tests; each edge keeps
    the module-level edges behind it (as "module:line → module")."""
    labels = sorted(
        (c.name for c in apps.get_app_configs() if c.name.startswith("citygrid.")),
        key=len,
        reverse=True,
    )
    result: Graph = {}
    for module, targets in graph.items():
        source = _app_of(module, labels)
        if source is None or ".tests" in module or module.endswith(".conftest"):
            continue
        for target, lines in targets.items():
            app = _app_of(target, labels)
            if app is not None and app != source:
                sites = result.setdefault(source, {}).setdefault(app, [])
                sites.extend(f"{module}:{line} → {target}" for line in lines)
    return result


def _describe(component: tuple[str, ...], graph: Graph) -> str:
    members = set(component)
    edges = [
        f"  {a} → {b} at {', '.join(map(str, graph[a][b]))}"
        for a in component
        for b in sorted(set(graph.get(a, {})) & members)
    ]
    return "\n".join([" ⇄ ".join(component), *edges])


def _check(found: list[tuple[str, ...]], known: set[tuple[str, ...]], graph: Graph, kind: str):
    report = "\n\n".join(_describe(c, graph) for c in found)
    print(f"{kind} import cycles found ({len(found)}):\n{report}")
    new = [c for c in found if c not in known]
    assert not new, "\n\n".join(_describe(c, graph) for c in new)
    gone = sorted(known - set(found))
    assert not gone, f"cycles gone: delete them from the allow-list: {gone}"


def test_no_import_cycles_between_modules():
    graph = import_graph()
    _check(cycles(graph), KNOWN_MODULE_CYCLES, graph, "module")


def test_no_import_cycles_between_apps():
    graph = app_graph(import_graph())
    _check(cycles(graph), KNOWN_APP_CYCLES, graph, "app")


def test_no_app_imports_the_demo():
    offenders = sorted(
        f"{module}:{line} → {target}"
        for module, targets in import_graph().items()
        if module != DEMO and not module.startswith(f"{DEMO}.")
        for target, lines in targets.items()
        if target == DEMO or target.startswith(f"{DEMO}.")
        for line in lines
    )
    assert not offenders, "\n".join(offenders)
