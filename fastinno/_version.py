"""The package version (one place; ``fastinno.__version__`` and ``pyproject.toml`` read it)."""

__version__ = "0.1.0"
