"""The Textual workbench (the only package that imports textual and textual_image).

Import :mod:`workbench.tui.app` before the app starts: textual-image queries the terminal's graphics
abilities at import time, which is impossible once Textual owns the terminal.
"""
