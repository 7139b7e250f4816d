"""Demo data: the demo city that ``kirana seed --demo`` and ``kirana up`` load."""
