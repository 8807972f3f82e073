"""The compiled dictionary index: hashing, building from real word lists, loading, faults."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.dictionary import build as dbuild
from workbench.dictionary import load_speller
from workbench.dictionary.index import buckets, code_matrix, delete_hashes, hash_matrix, hash_str, prefix_deletes
from workbench.dictionary.small import small_azerbaijani
from workbench.errors import DictionaryError


def test_python_and_numpy_hashes_agree() -> None:
    words = ["товарищ", "ҹаваб", "a", "әризә-ләр", "ё"]
    assert hash_matrix(code_matrix(words)).tolist() == [hash_str(w) for w in words]
    # zero padding does not change a hash: a 5-letter word padded to 7 hashes like itself
    assert hash_matrix(code_matrix(["слово"], 7))[0] == hash_str("слово")
    assert len({hash_str(w) for w in words}) == len(words)


def test_prefix_deletes_are_symspells() -> None:
    d = prefix_deletes("абв")
    assert d == {"абв", "бв", "ав", "аб", "а", "б", "в"}
    assert prefix_deletes("абв", 1) == {"абв", "бв", "ав", "аб"}


@pytest.mark.parametrize("prefix", ["абв", "товарищ", "ҹаваб", "я"])
@pytest.mark.parametrize("max_edit", [1, 2])
def test_vectorised_delete_hashes_are_the_prefix_deletes(prefix: str, max_edit: int) -> None:
    # the lookup hashes the deletes in numpy; they must be exactly the hashes of symspell's deletes
    assert set(delete_hashes(prefix, max_edit).tolist()) == {hash_str(d) for d in prefix_deletes(prefix, max_edit)}


def test_buckets_hold_each_hash_where_its_top_bits_say() -> None:
    table = np.sort(hash_matrix(code_matrix([f"слово{i}" for i in range(1000)])))
    starts = buckets(table)
    bits = (len(starts) - 1).bit_length() - 1
    assert starts[0] == 0 and starts[-1] == len(table) and bool(np.all(np.diff(starts.astype(np.int64)) >= 0))
    for pos, h in enumerate(table.tolist()):
        b = h >> (64 - bits)
        assert starts[b] <= pos < starts[b + 1]


@pytest.mark.usefixtures("small_data")
def test_small_index_knows_its_words_and_finds_candidates() -> None:
    lex = dbuild.open_index("rus")
    assert lex.stored("товарищ") == "товарищ"
    assert lex.entry("товарищ")[0] > 4.0  # wordfreq: 5.3
    assert lex.entry("товарнщ") is None
    found = [(tier, skels) for tier, _, skels, _ in lex.candidates("товарнщ")]
    assert any("товарищ" in skels for _, skels in found)
    assert lex.info["words"] == len(lex) > 40_000
    # the rare tier (lexicon-only forms) is searched one edit deep only
    assert [t.info["max_edit"] for t in lex.tiers] == [2, 1]


def test_missing_dictionary_gives_rebuild_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATA", str(tmp_path / "empty"))
    with pytest.raises(DictionaryError) as e:
        load_speller(None, "rus")
    assert "workbench dict build" in str(e.value)
    assert e.value.exit_code == 5


@pytest.mark.parametrize(
    "victim",
    ["core/del_h.npy", "core/blob.bin", "core/index.json", "core/known_h.npy", "rare/skel.bin", "lexicon.json"],
)
def test_corrupt_dictionary_gives_rebuild_hint(
    small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    root = tmp_path / "data"
    shutil.copytree(small_root, root)
    path = dbuild.index_dir("rus", root) / victim
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated, as after a full disk or a killed copy
    monkeypatch.setenv("WORKBENCH_DATA", str(root))
    with pytest.raises(DictionaryError) as e:
        dbuild.open_index("rus")
    assert "workbench dict build" in str(e.value)
    assert dbuild.index_dir("rus", root).name in str(e.value)


def test_garbage_in_an_array_is_caught(small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "data"
    shutil.copytree(small_root, root)
    # same size, wrong content: the index's sample words no longer resolve
    path = dbuild.index_dir("rus", root) / "core" / "known_h.npy"
    arr = np.load(path)
    np.save(path, arr[::-1].copy())
    monkeypatch.setenv("WORKBENCH_DATA", str(root))
    with pytest.raises(DictionaryError, match="corrupt"):
        dbuild.open_index("rus")


def test_build_is_reproducible_and_atomic(tmp_path: Path) -> None:
    entries = small_azerbaijani(every=40)
    a = dbuild.build_lang("aze_cyrl", root=tmp_path / "a", entries=entries)
    b = dbuild.build_lang("aze_cyrl", root=tmp_path / "b", entries=dict(reversed(list(entries.items()))))
    names = sorted(str(p.relative_to(a.folder)) for p in a.folder.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(b.folder)) for p in b.folder.rglob("*") if p.is_file())
    _match, mismatch, errors = filecmp.cmpfiles(a.folder, b.folder, names, shallow=False)
    assert mismatch == [] and errors == []
    # no temporary folders left beside it
    assert [p.name for p in a.folder.parent.iterdir()] == [a.folder.name]


def test_real_build_is_up_to_date_and_fast(tmp_path: Path) -> None:
    """The real Azerbaijani build (Tesseract's word lists); a second build only checks."""
    first = dbuild.build_lang("aze_cyrl", root=tmp_path)
    assert first.built and first.words > 150_000  # 209,181 keys from both lists (measured)
    second = dbuild.build_lang("aze_cyrl", root=tmp_path)
    assert not second.built and second.words == first.words
    third = dbuild.build_lang("aze_cyrl", root=tmp_path, force=True)
    assert third.built


def test_format_constants_agree() -> None:
    from workbench.dictionary import index

    assert dbuild.FORMAT == index.FORMAT


def test_up_to_date_check_notices_a_damaged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheap check (no numpy) compares every file's size with the size it was built with."""
    fp = {"builder": dbuild.BUILDER_VERSION, "format": dbuild.FORMAT, "x": 1}
    monkeypatch.setattr(dbuild, "fingerprint", lambda _lang: fp)
    entries = small_azerbaijani(every=80)
    from workbench.dictionary.fold import skeleton
    from workbench.dictionary.index import write_lexicon

    folder = dbuild.index_dir("aze_cyrl", tmp_path)
    write_lexicon(folder, {"core": entries}, lambda k: skeleton(k, "aze_cyrl"), {"lang": "aze_cyrl", "sources": fp})
    assert dbuild._up_to_date(folder, fp) == len(entries)
    blob = folder / "core" / "blob.bin"
    blob.write_bytes(blob.read_bytes()[:-10])
    assert dbuild._up_to_date(folder, fp) is None
    assert dbuild._up_to_date(folder, {**fp, "x": 2}) is None


def test_up_to_date_build_does_not_import_numpy(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from workbench.dictionary import build_all; "
        "build_all(langs=('aze_cyrl',)); print('numpy' in sys.modules)"
    )
    env = {**__import__("os").environ, "WORKBENCH_DATA": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, timeout=300)
    r = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True, timeout=300)
    assert r.stdout.strip() == "False"
