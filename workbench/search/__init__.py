"""Searching the archive: a lookalike-tolerant index of every page, and replacing what it finds.

``fold`` (what counts as the same letter), ``index`` (the SQLite FTS5 trigram index beside the project,
kept current by the store's saves), ``query`` (exact, fuzzy and regex matching, ranked hits), ``boxes``
(each hit's image line) and ``replace`` (preview and apply, one version per page).
"""
