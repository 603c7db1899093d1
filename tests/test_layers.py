"""The import rule between splice_core's subpackages: each imports only those below it; only the app imports
``plot``; the command line never imports ``plot`` or Streamlit; nothing imports the app."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "splice_core"
# Lowest first. ``plot`` and ``cli`` share the top: neither imports the other.
LAYERS = (
    ("seq",),
    ("files",),
    ("data",),
    ("models",),
    ("predict",),
    ("analysis",),
    ("variants",),
    ("design",),
    ("runs",),
    ("cluster",),
    ("reports",),
    ("plot", "cli"),
)
APP_MODULES = {"app", "app_state", "app_loading", "app_pages"}


def rank(subpackage: str) -> int:
    """The layer a subpackage sits in (0 = the lowest)."""
    return next(i for i, names in enumerate(LAYERS) if subpackage in names)


def imported_modules(source: str, package: str = "") -> set[str]:
    """Every module an AST imports anywhere (function bodies included), relative imports resolved from ``package``."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names |= {f"{base}.{alias.name}" if base else alias.name for alias in node.names} | {base}
    return {n for n in names if n}


def subpackage_of(module: str) -> str | None:
    """``splice_core.X.…`` -> ``X`` where X is a subpackage; None for other modules and the package root."""
    parts = module.split(".")
    if parts[0] != "splice_core" or len(parts) < 2 or not (CORE / parts[1]).is_dir():
        return None
    return parts[1]


def core_files() -> list[Path]:
    """Every Python file of splice_core, subpackages included."""
    return sorted(CORE.rglob("*.py"))


def package_of(path: Path) -> str:
    """The dotted package a file's relative imports start from."""
    return ".".join(path.relative_to(ROOT).parent.parts)


def test_every_core_module_lives_in_a_subpackage_of_the_layers():
    loose = [p.name for p in CORE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    placed = {p.name for p in CORE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert loose == [] and placed == {name for names in LAYERS for name in names}


def test_each_subpackage_imports_only_those_below_it():
    offenders = []
    for path in core_files():
        own = subpackage_of(package_of(path))
        if own is None:
            continue
        for module in imported_modules(path.read_text(), package_of(path)):
            other = subpackage_of(module)
            if other is not None and other != own and rank(other) >= rank(own):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_only_the_app_imports_plot_and_the_cli_never_imports_plot_or_streamlit():
    for path in core_files():
        modules = imported_modules(path.read_text(), package_of(path))
        if subpackage_of(package_of(path)) != "plot":
            assert not any(subpackage_of(m) == "plot" for m in modules), path
        if subpackage_of(package_of(path)) == "cli":
            assert not any(m.split(".")[0] == "streamlit" for m in modules), path
    app = [ROOT / "app.py", ROOT / "app_state.py", *sorted((ROOT / "app_pages").rglob("*.py"))]
    assert any(subpackage_of(m) == "plot" for p in app for m in imported_modules(p.read_text()))


def test_nothing_in_the_core_imports_the_app():
    for path in core_files():
        modules = imported_modules(path.read_text(), package_of(path))
        assert not {m.split(".")[0] for m in modules} & APP_MODULES, path


def test_the_rule_reads_lazy_and_relative_imports_and_catches_an_upward_import():
    source = "def f():\n    from ..plot import logo\n    import splice_core.cli.main\n"
    modules = imported_modules(source, "splice_core.seq")
    assert {"splice_core.plot.logo", "splice_core.cli.main"} <= modules
    assert rank("seq") < rank("data") < rank("reports") < rank("plot") == rank("cli")
