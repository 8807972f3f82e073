"""Commands: dict_cmds (filled in by its area)."""

from __future__ import annotations
