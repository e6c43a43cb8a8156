"""The comments app's modules import one way, at the top of each file: no circle, no import hidden in a function."""

import ast
from pathlib import Path

import comments

APP = Path(comments.__file__).parent
PROJECT_APPS = ("comments", "articles")
# Django's own place for wiring that needs every model loaded: the system checks and the background tasks.
ALLOWED_IN_FUNCTIONS = {("apps.py", "ready")}


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP)
        if relative.parts[0] == "migrations":
            continue
        name = ".".join(("comments", *relative.with_suffix("").parts)).removesuffix(".__init__")
        found[name] = (relative, ast.parse(path.read_text(), filename=str(path)))
    return found


def imported_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or node.module is None:
        return ["comments.(relative)"]
    return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]


def is_project(name: str) -> bool:
    return name.split(".")[0] in PROJECT_APPS


def function_level_imports(tree: ast.Module) -> list[tuple[str, int, str]]:
    hits = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                hits.extend((function.name, node.lineno, name) for name in imported_names(node) if is_project(name))
    return hits


def import_graph() -> dict[str, set[str]]:
    found = modules()
    graph = {}
    for name, (_, tree) in found.items():
        edges = set()
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in imported_names(node):
                    # "from comments import spam" names a module; "from comments.models import Comment" does not.
                    if target in found and target != name:
                        edges.add(target)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*trail, nxt])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_no_project_import_hides_inside_a_function():
    offenders = [
        f"{relative}:{line} {function}() imports {name}"
        for relative, tree in modules().values()
        for function, line, name in function_level_imports(tree)
        if (str(relative), function) not in ALLOWED_IN_FUNCTIONS
    ]
    assert offenders == []


def test_comment_modules_import_each_other_one_way():
    graph = import_graph()
    assert "comments.models" in graph and "comments.spam" in graph["comments.services"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_bottom_layers_import_nothing_above_them():
    graph = import_graph()
    assert graph["comments.text"] == set()
    assert graph["comments.models"] <= {"comments.text"}
    assert graph["comments.counters"] <= {"comments.models", "comments.text"}


def test_the_checks_catch_a_function_level_import_and_a_circle():
    tree = ast.parse("def save(self):\n    from comments.moderation import comment_markers\n")
    assert function_level_imports(tree) == [
        ("save", 2, "comments.moderation"),
        ("save", 2, "comments.moderation.comment_markers"),
    ]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_admin_modules_stay_small():
    sizes = {str(path.relative_to(APP)): len(path.read_text().splitlines()) for path in (APP / "admin").glob("*.py")}
    assert sizes and max(sizes.values()) < 500, sizes
