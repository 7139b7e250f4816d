"""Every module imports on its own, in a fresh interpreter (no import cycle hides behind order)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import kirana


def test_every_module_imports_first() -> None:
    modules = [m.name for m in pkgutil.walk_packages(kirana.__path__, "kirana.")]
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {modules!r}:\n"
        "    for key in [k for k in sys.modules if k.startswith('kirana')]:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", result.stdout
