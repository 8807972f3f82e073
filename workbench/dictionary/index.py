"""The compiled on-disk index: numpy arrays that are memory-mapped, so loading costs milliseconds.

Plain symspellpy keeps a Python dict from every delete of every word to a list of words (tens of millions of
Python objects: a minute to build, ~1 GB, 20–30 s to unpickle). Here the same symmetric-delete idea is
stored as flat sorted arrays and read with ``np.load(mmap_mode="r")``: opening is a few file opens, and a
background thread then reads the files into the page cache and maps them (:func:`prefetch`).

Files in one index folder (all written by :func:`write_index`):

``blob.bin`` + ``off.npy``  the words as stored (UTF-8, sorted by skeleton), ``off[i]:off[i+1]`` is word *i*
``zipf.npy``                frequency of word *i* on the Zipf scale × 100 (uint16; 0 = unknown); the top bit
                            (``LEX_BIT``) says the word is in a lexicon, not only in a frequency list
``klen.npy``                length of word *i*'s skeleton (uint8), for symspell's length filter
``known_h.npy``             sorted 64-bit hashes of every word's key (the known-word check)
``known_i.npy``             the word id of each ``known_h`` entry
``grp.npy``                 word ids where each prefix group starts (words sharing a 7-letter skeleton prefix)
``del_h.npy``/``del_g.npy`` sorted 64-bit hashes of the deletes (≤ 2) of each group's prefix, and the group
                            (its top two bits: how many letters were deleted)
``known_b``/``del_b.npy``   bucket starts of the two sorted tables: the hashes whose top ``bits`` bits are
                            *b* are ``table[start[b]:start[b + 1]]`` (about 4–8 entries; see :func:`buckets`)

The delete table is built per distinct *prefix* rather than per word: the 3 million Russian forms share
about a tenth as many 7-letter prefixes, so the table is ten times smaller than symspell's and is computed
with vectorised numpy in seconds instead of a Python loop over words.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.dictionary.format import FORMAT
from workbench.dictionary.prefetch import PREFETCH_ORDER, prefetch
from workbench.durable import replace_dir
from workbench.errors import DictionaryError

#: A sorted hash table gets one bucket per this many entries (rounded to a power of two): a lookup reads two
#: bucket starts and a few hashes, all queries of a word at once in numpy (no binary search, no Python loop).
BUCKET_FILL = 6
PREFIX = 7
MAX_EDIT = 2
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1
REBUILD_HINT = "Rebuild it with `workbench dict build` (the set-up `./dev setup` runs it)."
LEVEL_SHIFT = 30
GROUP_MASK = (1 << LEVEL_SHIFT) - 1
BLOBS = ("blob.bin", "skel.bin")
#: Set in ``zipf.npy`` for words a lexicon lists (OpenCorpora; both Azerbaijani lists): a wordfreq-only form
#: must be frequent to count as known (wordfreq's long tail is full of typos and OCR debris).
LEX_BIT = 0x8000
Entry = tuple[str, float, bool]
ARRAYS = ("off", "zipf", "klen", "known_h", "known_i", "known_b", "grp", "del_h", "del_g", "del_b")


def hash_str(text: str) -> int:
    """64-bit FNV-1a over code points with a final mix; the same value as :func:`hash_matrix` gives."""
    h = _FNV_OFFSET
    for ch in text:
        h = ((h ^ ord(ch)) * _FNV_PRIME) & _MASK
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK
    h ^= h >> 33
    return h


def hash_matrix(codes: np.ndarray) -> np.ndarray:
    """Hash each row of a (n, width) uint32 code-point matrix; zeros (padding) are skipped."""
    h = np.full(codes.shape[0], _FNV_OFFSET, dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    with np.errstate(over="ignore"):
        for col in range(codes.shape[1]):
            c = codes[:, col].astype(np.uint64)
            h = np.where(c != 0, (h ^ c) * prime, h)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
    return h


def code_matrix(words: Sequence[str], width: int | None = None) -> np.ndarray:
    """Words as a zero-padded (n, width) uint32 matrix of code points (truncated to ``width``)."""
    if width is None:
        width = max((len(w) for w in words), default=1) or 1
    arr = np.array([w[:width] for w in words], dtype=f"<U{width}")
    return arr.view(np.uint32).reshape(len(words), width)


def buckets(table: np.ndarray) -> np.ndarray:
    """Bucket starts of a sorted uint64 ``table``: ``2**bits + 1`` uint32 positions, bucket *b* holding the
    hashes whose top ``bits`` bits are *b* (the hashes are uniform, so buckets stay small)."""
    bits = max(1, (len(table) // BUCKET_FILL).bit_length())
    bounds = np.arange(1 << bits, dtype=np.uint64) << np.uint64(64 - bits)
    out = np.empty((1 << bits) + 1, dtype=np.uint32)
    out[:-1] = np.searchsorted(table, bounds, side="left")
    out[-1] = len(table)
    return out


def _shift(starts: np.ndarray) -> np.uint64:
    """How far to shift a hash right to get its bucket in ``starts`` (from the table's length)."""
    return np.uint64(64 - (len(starts) - 1).bit_length() + 1)


#: Column choices that make the ≤ 2 deletes of a PREFIX-wide padded code row (column PREFIX is a zero, so a
#: shorter row is padded): the same strings, in the same padded form, as :func:`_delete_table` hashes.
_DELETE_COLS = [
    [i for i in range(PREFIX) if i not in drop] + [PREFIX] * k
    for k in range(MAX_EDIT + 1)
    for drop in itertools.combinations(range(PREFIX), k)
]
_DELETE_COLS_ARR = np.array(_DELETE_COLS, dtype=np.intp)
#: How many rows of ``_DELETE_COLS`` are deletes of at most 0, 1, 2 letters
_DELETE_ROWS = [sum(1 for _ in itertools.combinations(range(PREFIX), j)) for j in range(MAX_EDIT + 1)]
_DELETE_ROWS = list(itertools.accumulate(_DELETE_ROWS))


def delete_hashes(prefix: str, max_edit: int = MAX_EDIT) -> np.ndarray:
    """Hashes of :func:`prefix_deletes` (``prefix`` at most PREFIX letters), vectorised; may repeat a value."""
    # hash_matrix's steps, trimmed for this small matrix (it runs once a lookup): the padding of every row
    # is at its end, so the columns past the prefix's length are all zeros and are skipped
    codes = [ord(c) for c in prefix[:PREFIX]]
    row = np.zeros(PREFIX + 1, dtype=np.uint64)
    row[: len(codes)] = codes
    m = row[_DELETE_COLS_ARR[: _DELETE_ROWS[min(max_edit, MAX_EDIT)], : len(codes)]]
    nonzero = m != 0
    h = np.full(m.shape[0], _FNV_OFFSET, dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    for col in range(m.shape[1]):
        h = np.where(nonzero[:, col], (h ^ m[:, col]) * prime, h)  # array arithmetic wraps around silently
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return h


def hash_words(words: Sequence[str], chunk: int = 200_000) -> np.ndarray:
    """Hash many words (chunked, so a long word does not make a huge matrix)."""
    out = np.empty(len(words), dtype=np.uint64)
    for start in range(0, len(words), chunk):
        part = words[start : start + chunk]
        out[start : start + len(part)] = hash_matrix(code_matrix(part))
    return out


def prefix_deletes(prefix: str, max_edit: int = MAX_EDIT) -> set[str]:
    """The prefix itself and every string made by deleting up to ``max_edit`` of its letters."""
    out = {prefix}
    n = len(prefix)
    for k in range(1, min(max_edit, n) + 1):
        for drop in itertools.combinations(range(n), k):
            out.add("".join(ch for i, ch in enumerate(prefix) if i not in drop))
    return out


def _delete_table(prefixes: list[str], max_edit: int = MAX_EDIT) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised deletes (≤ 2) of every prefix: sorted hashes and their group ids, duplicates removed."""
    codes = code_matrix(prefixes, PREFIX)
    groups = np.arange(len(prefixes), dtype=np.uint32)
    hashes = [hash_matrix(codes)]
    for k in range(1, max_edit + 1):
        for drop in itertools.combinations(range(PREFIX), k):
            keep = [i for i in range(PREFIX) if i not in drop]
            hashes.append(hash_matrix(codes[:, keep]))
    h = np.concatenate(hashes)
    # the top two bits of a group id say how many letters were deleted (0, 1 or 2)
    levels = [0] + [1] * PREFIX + [2] * max(0, len(hashes) - 1 - PREFIX)
    g = np.concatenate([groups | np.uint32(level << LEVEL_SHIFT) for level in levels])
    # Deleting a padding zero gives the same string again: keep each (hash, group) once.
    # (the lowest level of a duplicate sorts first and is the one kept)
    order = np.lexsort((g >> np.uint32(LEVEL_SHIFT), g & np.uint32(GROUP_MASK), h))
    h, g = h[order], g[order]
    keep_mask = np.ones(len(h), dtype=bool)
    keep_mask[1:] = (h[1:] != h[:-1]) | ((g[1:] & np.uint32(GROUP_MASK)) != (g[:-1] & np.uint32(GROUP_MASK)))
    return h[keep_mask], g[keep_mask]


def write_index(
    folder: Path, entries: dict[str, Entry], skel: Any, meta: dict[str, Any], max_edit: int = MAX_EDIT
) -> None:
    """Compile ``entries`` (key → (stored form, zipf)) into ``folder`` atomically.

    ``skel`` maps a key to its skeleton; ``max_edit`` is how many deletes the table holds (1 for the rare
    tier). The folder is written beside the target and renamed into place, so a crash leaves the old index
    (or none), never a half-written one.
    """
    keys = list(entries)
    skels = [skel(k) for k in keys]
    order = sorted(range(len(keys)), key=lambda i: (skels[i], keys[i]))
    keys = [keys[i] for i in order]
    skels = [skels[i] for i in order]
    stored = [entries[k][0] for k in keys]
    zipf = np.array([round(entries[k][1] * 100) | (LEX_BIT if entries[k][2] else 0) for k in keys], dtype=np.uint16)
    klen = np.array([min(len(s), 255) for s in skels], dtype=np.uint8)
    encoded = [s.encode("utf-8") for s in stored]
    off = np.zeros(len(encoded) + 1, dtype=np.uint64)
    off[1:] = np.cumsum([len(b) for b in encoded], dtype=np.uint64)
    kh = hash_words(keys)
    korder = np.argsort(kh, kind="stable")
    known_h = kh[korder]
    known_i = korder.astype(np.uint32)
    # prefix groups: consecutive words (sorted by skeleton) with the same 7-letter skeleton prefix
    prefixes: list[str] = []
    starts: list[int] = []
    last = None
    for i, s in enumerate(skels):
        p = s[:PREFIX]
        if p != last:
            prefixes.append(p)
            starts.append(i)
            last = p
    starts.append(len(skels))
    grp = np.array(starts, dtype=np.uint32)
    del_h, del_g = _delete_table(prefixes, max_edit)
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "blob.bin").write_bytes(b"".join(encoded))
    # The skeletons, each followed by a newline, so word i starts at off[i] + i (the skeleton maps Cyrillic
    # letters to Cyrillic letters, all two bytes in UTF-8): a prefix group's candidates are one decode and
    # one split, and are verified without decoding the stored forms.
    skel_bytes = [sk.encode("utf-8") for sk in skels]
    for sb, st in zip(skel_bytes, encoded, strict=True):
        if len(sb) != len(st) or b"\n" in sb:
            raise ValueError(f"skeleton of {st.decode()!r} changes its UTF-8 length")
    (tmp / "skel.bin").write_bytes(b"".join(sb + b"\n" for sb in skel_bytes))
    arrays: dict[str, np.ndarray] = {"off": off, "zipf": zipf, "klen": klen, "known_h": known_h, "known_i": known_i}
    arrays["grp"] = grp
    arrays |= {"del_h": del_h, "del_g": del_g, "known_b": buckets(known_h), "del_b": buckets(del_h)}
    for name, arr in arrays.items():
        np.save(tmp / f"{name}.npy", arr, allow_pickle=False)
    # Sample words let the loader prove the files fit together (a truncated or swapped file fails them).
    step = max(1, len(keys) // 16)
    samples = [[keys[i], stored[i]] for i in range(0, len(keys), step)][:16]
    info = {
        **meta,
        "format": FORMAT,
        "max_edit": max_edit,
        "words": len(keys),
        "groups": len(prefixes),
        "deletes": len(del_h),
        "blob_bytes": int(off[-1]),
        "samples": samples,
    }
    (tmp / "index.json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    replace_dir(tmp, folder)


def read_manifest(path: Path) -> dict[str, Any]:
    """Read an index's JSON manifest and check its format; every problem is a DictionaryError with the fix."""
    folder = path.parent
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise DictionaryError(f"The dictionary {folder} is missing or was never built.", hint=REBUILD_HINT) from e
    except (OSError, ValueError) as e:
        raise DictionaryError(f"The dictionary file {path} is unreadable or corrupt ({e}).", hint=REBUILD_HINT) from e
    if info.get("format") != FORMAT:
        raise DictionaryError(
            f"The dictionary {folder} has format {info.get('format')!r}, this workbench reads {FORMAT}.",
            hint=REBUILD_HINT,
        )
    return info


def _advise_random(mapping: Any) -> None:
    if isinstance(mapping, mmap.mmap) and hasattr(mmap, "MADV_RANDOM"):
        try:
            mapping.madvise(mmap.MADV_RANDOM)
        except OSError:
            pass  # only advice: some file systems refuse it


class Index:
    """A compiled index opened read-only with memory mapping. Raises :class:`DictionaryError` if unusable."""

    def __init__(self, folder: Path, skel: Any, fold: Any) -> None:
        """Open ``folder``; ``skel`` maps a key to its skeleton, ``fold`` a stored form to its key."""
        self.folder = folder
        self._skel = skel
        self._fold = fold
        self.info: dict[str, Any] = read_manifest(folder / "index.json")
        arrays: dict[str, np.ndarray] = {}
        for name in ARRAYS:
            path = folder / f"{name}.npy"
            try:
                arrays[name] = np.load(path, mmap_mode="r", allow_pickle=False)
            except FileNotFoundError as e:
                raise DictionaryError(f"The dictionary file {path} is missing.", hint=REBUILD_HINT) from e
            except (OSError, ValueError, EOFError) as e:
                raise DictionaryError(f"The dictionary file {path} is corrupt ({e}).", hint=REBUILD_HINT) from e
        maps = []
        sizes = []
        for blob_path in (folder / "blob.bin", folder / "skel.bin"):
            try:
                size = blob_path.stat().st_size
                with blob_path.open("rb") as f:
                    # Python's mmap slices to bytes directly (no numpy overhead per word)
                    maps.append(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b"")
                sizes.append(size)
            except FileNotFoundError as e:
                raise DictionaryError(f"The dictionary file {blob_path} is missing.", hint=REBUILD_HINT) from e
            except (OSError, ValueError) as e:
                raise DictionaryError(f"The dictionary file {blob_path} is corrupt ({e}).", hint=REBUILD_HINT) from e
        self._mm: Any = maps[0]
        self._skm: Any = maps[1]
        self._skb = np.frombuffer(self._skm, dtype=np.uint8) if sizes[1] else np.zeros(0, np.uint8)
        size = sizes[0] if sizes[1] == sizes[0] + int(self.info.get("words", -1)) else -1
        # Lookups jump around: tell the kernel not to read ahead (else one binary search pulls in megabytes
        # and the resident size grows by hundreds of MB after a few words).
        for arr in arrays.values():
            _advise_random(getattr(arr, "_mmap", None))
        _advise_random(self._mm)
        _advise_random(self._skm)
        # plain ndarray views of the maps: np.memmap's subclass hooks cost microseconds per slice
        arrays = {k: v.view(np.ndarray) for k, v in arrays.items()}
        #: file name → (address, length) of its mapped data, for :func:`prefetch`
        self.regions: dict[str, tuple[int, int]] = {f"{k}.npy": (v.ctypes.data, v.nbytes) for k, v in arrays.items()}
        if sizes[0]:
            self.regions["blob.bin"] = (np.frombuffer(self._mm, dtype=np.uint8).ctypes.data, sizes[0])
        if sizes[1]:
            self.regions["skel.bin"] = (self._skb.ctypes.data, sizes[1])
        self.off, self.zipf, self.klen = arrays["off"], arrays["zipf"], arrays["klen"]
        self.known_h, self.known_i = arrays["known_h"], arrays["known_i"]
        self.grp, self.del_h, self.del_g = arrays["grp"], arrays["del_h"], arrays["del_g"]
        self.known_b, self.del_b = arrays["known_b"], arrays["del_b"]
        self._known_shift, self._del_shift = _shift(self.known_b), _shift(self.del_b)
        n = int(self.info.get("words", -1))
        ok = (
            len(self.off) == n + 1
            and len(self.zipf) == n
            and len(self.klen) == n
            and len(self.known_h) == n
            and len(self.known_i) == n
            and len(self.grp) == int(self.info.get("groups", -2)) + 1
            and len(self.del_h) == len(self.del_g) == int(self.info.get("deletes", -3))
            and size == int(self.info.get("blob_bytes", -4))
            and _is_buckets(self.known_b, n)
            and _is_buckets(self.del_b, len(self.del_h))
            and (n == 0 or int(self.off[-1]) == size)
        )
        if ok:
            try:
                for key, stored in self.info.get("samples", []):
                    i = self.lookup(key)
                    ok = ok and i is not None and self.word(i) == stored
            except (ValueError, IndexError, UnicodeDecodeError):
                ok = False
        if not ok:
            raise DictionaryError(
                f"The dictionary {folder} is corrupt (its files do not fit together).", hint=REBUILD_HINT
            )

    def __len__(self) -> int:
        return len(self.zipf)

    def word(self, i: int) -> str:
        """The stored form of word ``i``."""
        return str(self._mm[int(self.off[i]) : int(self.off[i + 1])].decode("utf-8"))

    def lookup(self, key: str) -> int | None:
        """The id of the word whose key is ``key``, or None (hash match confirmed against the stored word)."""
        h = hash_str(key)
        b = h >> int(self._known_shift)
        start, end = int(self.known_b[b]), int(self.known_b[b + 1])
        for pos, hp in enumerate(self.known_h[start:end].tolist(), start):
            if hp == h:
                i = int(self.known_i[pos])
                if self._fold(self.word(i)) == key:
                    return i
        return None

    def candidates(
        self, skel_key: str, max_edit: int = MAX_EDIT, hashes: np.ndarray | None = None
    ) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Words whose skeleton prefix shares a delete (≤ ``max_edit``) with ``skel_key``'s, length-filtered.

        ``hashes`` may give :func:`delete_hashes` of the prefix (for at least ``max_edit``) already computed.

        This is symspell's candidate step; the caller verifies the edit distance. Returns ids, skeletons
        (not the stored forms: :meth:`word` gives those for the few that pass) and raw ``zipf.npy`` values
        (see :func:`decode_zipf`), ids and frequencies as numpy arrays.
        """
        if hashes is None:
            hashes = delete_hashes(skel_key[:PREFIX], max_edit)
        qh = hashes[: _DELETE_ROWS[min(max_edit, MAX_EDIT)]]  # the rows are in order of deletes: 0, 1, 2
        # (array methods, not np.repeat/np.cumsum: their Python wrappers cost ~1 µs a call, ~15 calls a tier)
        # every delete's bucket at once, then all the buckets' hashes in one gather (a few cache lines each)
        b = (qh >> self._del_shift).astype(np.intp)
        starts = self.del_b[b].astype(np.int64)
        counts = self.del_b[b + 1].astype(np.int64) - starts
        total = int(counts.sum())
        if total == 0:
            return _EMPTY_IDS, [], _EMPTY_IDS
        pos = (starts - counts.cumsum() + counts).repeat(counts) + np.arange(total)
        pos = pos[self.del_h[pos] == qh.repeat(counts)]
        if not len(pos):
            return _EMPTY_IDS, [], _EMPTY_IDS
        g = self.del_g[pos]
        g = _sorted_unique(g[(g >> np.uint32(LEVEL_SHIFT)) <= max_edit] & np.uint32(GROUP_MASK)).astype(np.int64)
        if not len(g):
            return _EMPTY_IDS, [], _EMPTY_IDS
        starts = self.grp[g].astype(np.int64)
        ends = self.grp[g + 1].astype(np.int64)
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            return _EMPTY_IDS, [], _EMPTY_IDS
        # ids of all words of all matched groups, without a Python loop over words
        ids = (starts - counts.cumsum() + counts).repeat(counts) + np.arange(total)
        keep = (np.abs(self.klen[ids].astype(np.int16) - min(len(skel_key), 255)) <= max_edit).nonzero()[0]
        if not len(keep):
            return _EMPTY_IDS, [], _EMPTY_IDS
        ids = ids[keep]
        # gather the kept skeletons' bytes (each with its newline) in one numpy step, decode and split once
        begin = self.off[ids].astype(np.int64) + ids
        lens = self.off[ids + 1].astype(np.int64) + ids + 1 - begin
        pos = (begin - lens.cumsum() + lens).repeat(lens) + np.arange(int(lens.sum()))
        words = self._skb[pos].tobytes().decode("utf-8").split("\n")[:-1]
        return ids, words, self.zipf[ids]


_EMPTY_IDS = np.zeros(0, dtype=np.int64)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting: numpy 2's hash-table unique takes ~190 µs on 1,500 group ids, this 12 µs."""
    if len(values) < 2:
        return values
    s = np.sort(values)
    first = np.empty(len(s), dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    return s[first]


def _is_buckets(starts: np.ndarray, n: int) -> bool:
    """Whether ``starts`` has the shape :func:`buckets` gives for a table of ``n`` hashes."""
    size = len(starts) - 1
    return size >= 2 and size & (size - 1) == 0 and int(starts[0]) == 0 and int(starts[-1]) == n


def decode_zipf(raw: int) -> tuple[float, bool]:
    """A ``zipf.npy`` value as (Zipf frequency, listed by a lexicon)."""
    return (raw & ~LEX_BIT) / 100.0, bool(raw & LEX_BIT)


class Lexicon:
    """A language's dictionary: a *core* tier (frequent forms, deletes ≤ 2) and an optional *rare* tier.

    The rare tier holds the forms only the full lexicon lists (OpenCorpora's 2.5 million inflected forms
    that wordfreq never saw). They must be *known*, but as candidates they are searched one edit deep only:
    a delete table two edits deep over them would be five times larger and make every lookup verify
    thousands of inflections.
    """

    TIERS = ("core", "rare")

    def __init__(self, folder: Path, skel: Any, fold: Any) -> None:
        """Open both tiers under ``folder`` (DictionaryError with the rebuild hint if anything is wrong)."""
        self.folder = folder
        self.info: dict[str, Any] = read_manifest(folder / "lexicon.json")
        self.tiers = [Index(folder / t, skel, fold) for t in self.info.get("tiers", []) if t in self.TIERS]
        if not self.tiers:
            raise DictionaryError(f"The dictionary {folder} has no tiers.", hint=REBUILD_HINT)
        #: set when the background read of the index files into the page cache is done (see :func:`prefetch`)
        self.prefetched = threading.Event()
        files = [(t.folder / name, t.regions.get(name)) for name in PREFETCH_ORDER for t in self.tiers]
        # the thread holds the tiers, so their maps outlive it
        threading.Thread(
            target=prefetch, args=(files, self.prefetched, self.tiers), name="dict-prefetch", daemon=True
        ).start()

    def __len__(self) -> int:
        return sum(len(t) for t in self.tiers)

    def entry(self, key: str) -> tuple[float, bool] | None:
        """(Zipf frequency, listed by a lexicon) of a key, or None if no tier has it."""
        for tier in self.tiers:
            i = tier.lookup(key)
            if i is not None:
                return decode_zipf(int(tier.zipf[i]))
        return None

    def stored(self, key: str) -> str | None:
        """The stored form of a known key (with ё where the source had it), or None."""
        for tier in self.tiers:
            i = tier.lookup(key)
            if i is not None:
                return tier.word(i)
        return None

    def candidates(
        self, skel_key: str, max_edit: int = MAX_EDIT
    ) -> list[tuple[Index, np.ndarray, list[str], np.ndarray]]:
        """Per tier: candidate ids, skeletons and Zipf frequencies, each tier searched as deep as it holds."""
        out = []
        hashes = delete_hashes(skel_key[:PREFIX], max_edit)  # once for all tiers
        for tier in self.tiers:
            tier_edit = min(max_edit, int(tier.info.get("max_edit", MAX_EDIT)))
            ids, skels, zipfs = tier.candidates(skel_key, tier_edit, hashes)
            if len(ids):
                out.append((tier, ids, skels, zipfs))
        return out


def write_lexicon(folder: Path, tiers: dict[str, dict[str, Entry]], skel: Any, meta: dict[str, Any]) -> None:
    """Write a whole lexicon (tiers ``core`` and optionally ``rare``) atomically as ``folder``."""
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    names = []
    for name in Lexicon.TIERS:
        entries = tiers.get(name)
        if entries is None:
            continue
        write_index(tmp / name, entries, skel, meta, max_edit=MAX_EDIT if name == "core" else 1)
        names.append(name)
    files = {p.relative_to(tmp).as_posix(): p.stat().st_size for p in sorted(tmp.rglob("*")) if p.is_file()}
    info = {**meta, "format": FORMAT, "tiers": names, "words": sum(len(tiers[n]) for n in names), "files": files}
    (tmp / "lexicon.json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    replace_dir(tmp, folder)
