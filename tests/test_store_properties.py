"""Property tests of the store: any sequence of saves, restores and status changes keeps its invariants."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.project import init_project
from workbench.store import STATUSES, TranscriptStore, carry_reviewed
from workbench.text import nfc

LINES = st.lists(st.sampled_from(["Товарищ Багиров", "ә ғ ҝ һ", "ы̇ с̧", "", "подпись"]), min_size=1, max_size=6)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("save"), LINES, st.one_of(st.none(), st.lists(st.integers(0, 7), max_size=3))),
        st.tuples(st.just("restore"), st.integers(1, 30)),
        st.tuples(st.just("status"), st.sampled_from(STATUSES)),
        st.tuples(st.just("stale"), LINES),  # a save based on version 1 (a conflict once there are two)
    ),
    min_size=1,
    max_size=12,
)


@given(OPS)
@settings(max_examples=40, deadline=None)
def test_any_sequence_keeps_every_version(ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = TranscriptStore(init_project(Path(tmp) / "p"))
        expected: list[str] = []  # text of each version, in order
        for op in ops:
            if op[0] == "save":
                text = "\n".join(op[1])
                result = store.save("d/p1", text, reviewed=op[2])
            elif op[0] == "stale":
                if not expected:
                    continue
                text = "\n".join(op[1])
                result = store.save("d/p1", text, base=1)
                assert result.conflict == (len(expected) > 1)
            elif op[0] == "restore":
                if op[1] > len(expected):
                    continue
                text = expected[op[1] - 1]
                result = store.restore("d/p1", op[1])
            else:
                if not expected:
                    continue
                text = expected[-1]
                result = store.set_status("d/p1", op[1])
                assert result.version.status == op[1]
            assert store.read("d/p1", result.version.number).text == nfc(text)
            expected.append(nfc(text))
            assert result.version.number == len(expected)
        history = store.history("d/p1") if expected else []
        assert [m.number for m in history] == list(range(1, len(expected) + 1))
        for m in history:
            version = store.read("d/p1", m.number)  # checksum verified
            assert version.text == expected[m.number - 1]
            lines = version.text.split("\n")
            assert all(0 <= i < len(lines) for i in m.reviewed)  # marks always name existing lines
        assert store.fsck().ok


@given(LINES, LINES, st.lists(st.integers(0, 7), max_size=6))
@settings(max_examples=200, deadline=None)
def test_reviewed_marks_only_follow_identical_lines(old: list[str], new: list[str], marks: list[int]) -> None:
    old_text, new_text = "\n".join(old), "\n".join(new)
    carried = carry_reviewed(old_text, new_text, marks)
    assert list(carried) == sorted(set(carried))
    # Every carried mark sits on a line of the new text equal to a marked line of the old text.
    marked_old = {old[i] for i in marks if i < len(old)}
    assert all(0 <= j < len(new) and new[j] in marked_old for j in carried)
    # An unchanged text keeps every mark that names a line.
    assert carry_reviewed(old_text, old_text, marks) == tuple(sorted({i for i in marks if i < len(old)}))
