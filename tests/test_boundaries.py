"""The architecture rules: the core never imports Qt or the drawing, no import cycle, and importing the package never imports TensorFlow."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import vggcompare

CORE = pathlib.Path(vggcompare.__file__).parent / "core"
GUI = pathlib.Path(vggcompare.__file__).parent / "gui"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "qtpy", "vggcompare.gui", "vggcompare.render")


def test_no_core_module_imports_qt():
    offenders = []
    paths = sorted(CORE.rglob("*.py"))
    assert len(paths) > 60 and any(p.parent != CORE for p in paths)  # every stage's modules, not only the top level
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN or n.startswith(FORBIDDEN)]
    assert offenders == []


def _attributes(path: pathlib.Path) -> set[str]:
    return {node.attr for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Attribute)}


def test_controllers_and_the_model_line_read_no_other_view():
    """Controllers hold no widgets, and the presenter and model line never read the controls' widgets: the window wires values."""
    readers = [*sorted((GUI / "session").glob("*.py")), GUI / "image" / "model_status.py", GUI / "window" / "presenter.py"]
    offenders = [f"{p.relative_to(GUI)}: .{name}" for p in readers
                 for name in sorted(_attributes(p) & {"controls", "choice", "results", "banner", "image_panel"})
                 if not (p.name == "presenter.py" and name in ("results", "banner", "image_panel"))]
    assert offenders == []


def test_importing_the_package_and_its_core_stays_light():
    code = (
        "import sys, vggcompare, vggcompare.cli, vggcompare.core.passes.engine, vggcompare.core.model.prepare, "
        "vggcompare.core.model.weights, vggcompare.core.analysis.compare, "
        "vggcompare.core.studies.jobs, vggcompare.core.studies.sweep.run, vggcompare.core.studies.sweep.rerun, "
        "vggcompare.core.studies.reproduce;"  # the modules of the window's engine jobs
        "bad=[m for m in ('tensorflow','keras','PySide6','pyqtgraph') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_linter_contract_holds():
    lint = pathlib.Path(sys.executable).with_name("lint-imports")
    root = pathlib.Path(vggcompare.__file__).parent.parent
    proc = subprocess.run([str(lint)], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def import_cycles(graph) -> list[list[str]]:
    """The groups of modules that reach each other through imports (strongly connected components of more than one
    module, or a module importing itself), by Tarjan's algorithm without recursion."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for start in sorted(graph.modules):
        if start in order:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        order[start] = low[start] = len(order)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in order:
                    order[other] = low[other] = len(order)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(graph.find_modules_directly_imported_by(other)))))
                    break
                if other in on_stack:
                    low[module] = min(low[module], order[other])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == order[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1 or graph.direct_import_exists(importer=module, imported=module):
                        cycles.append(sorted(group))
    return cycles


def test_the_cycle_finder_finds_a_cycle_of_three_and_none_in_a_chain():
    import grimp

    graph = grimp.ImportGraph()
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.d"), ("p.e", "p.a")):
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == []
    graph.add_import(importer="p.c", imported="p.a")
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_no_module_imports_itself_back_through_others():
    """No import cycle anywhere in the package, counting the imports made inside functions too."""
    import grimp

    graph = grimp.build_graph("vggcompare")
    assert len(graph.modules) > 150 and graph.direct_import_exists(importer="vggcompare.cli.window", imported="vggcompare.gui.app")
    assert import_cycles(graph) == []


def test_nothing_is_unpickled_and_models_load_in_safe_mode():
    package = pathlib.Path(vggcompare.__file__).parent
    sources = {p: p.read_text() for p in package.rglob("*.py")}
    # Only the engine's pipe pickles: messages between two processes of this program, never a file.
    # The legacy .pth reader unpickles with its own Unpickler subclasses, whose find_class knows only
    # an ordered dict, tensors and storages (tests/test_lite0.py shows everything else refused).
    picklers = sorted(p.name for p, text in sources.items() if "import pickle" in text or "allow_pickle=True" in text)
    assert picklers == ["engine_job.py", "torch_legacy.py"]
    reader = next(text for p, text in sources.items() if p.name == "torch_legacy.py")
    assert "pickle.load(" not in reader and "pickle.loads(" not in reader and reader.count("def find_class(") == 2
    engine = next(text for p, text in sources.items() if p.name == "engine_job.py")
    assert "open(" not in engine and "pickle.load(" not in engine and "np.load(" not in engine
    loads = [p.name for p, text in sources.items() if "load_model(" in text]
    assert loads and all("safe_mode=True" in sources[p] for p in sources if p.name in loads)
    assert not [p.name for p, text in sources.items() if "safe_mode=False" in text]


def test_every_package_is_listed_for_installation():
    """A non-editable install ships only the packages pyproject.toml lists."""
    import tomllib

    root = pathlib.Path(vggcompare.__file__).parent
    listed = set(tomllib.loads((root.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"vggcompare." + ".".join(p.parent.relative_to(root).parts) if p.parent != root else "vggcompare"
             for p in root.rglob("__init__.py") if "__pycache__" not in p.parts}
    assert found <= listed, f"not listed in pyproject.toml: {sorted(found - listed)}"


def test_the_core_packages_hold_only_their_docstring():
    """Logic lives in named modules (sweep/run.py, presets/registry.py, model/runtimes/served.py), never in a core
    package's __init__.py: the core's importers name the module that holds what they use."""
    inits = sorted(p for p in CORE.rglob("__init__.py") if "__pycache__" not in p.parts)
    assert {"passes", "studies", "process", "model", "runtimes"} <= {p.parent.name for p in inits}
    code = {str(p.relative_to(CORE)): [type(node).__name__ for node in ast.parse(p.read_text()).body
                                       if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
            for p in inits}
    assert code == {name: [] for name in code}
