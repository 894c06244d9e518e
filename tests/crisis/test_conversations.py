"""`scripts/eval_conversations.py`: whole conversations through the real pipeline, scored as a person meets them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts/eval_conversations.py"
HEADER = "conversation\ttext\tlevel\tcategories\n"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )


def _figures(path: Path) -> dict[str, Any]:
    done = _run(str(path), "--json")
    assert done.returncode == 0, done.stderr
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def test_a_crisis_told_over_several_messages_is_caught_and_hyperbole_is_not(tmp_path):
    path = tmp_path / "few.tsv"
    path.write_text(
        HEADER
        + "a\tweek from hell tbh\tnone\tsuicide\n"
        + "a\tim going to kill myself tonight, i have the pills here\timminent\tsuicide\n"
        + "b\tthis commute is killing me lol\tnone\tsuicide\n"
        + "b\tanyway whats a good pasta recipe\tnone\tsuicide\n",
        encoding="utf-8",
    )
    figures = _figures(path)
    assert figures["crisis_conversations"] == 1 and figures["safe_conversations"] == 1
    assert figures["crisis_conversations_caught_in_time"] == 1.0
    assert figures["crisis_conversations_caught_on_the_message"] == 1.0
    assert figures["safe_conversations_never_flagged"] == 1.0
    assert figures["message_false_positives"] == 0.0


def test_a_crisis_reply_that_came_early_by_a_false_alarm_is_counted_apart(tmp_path):
    # The person had the lines in time, but only because an earlier (here: mislabelled) message was flagged; the
    # crisis message itself was not caught. A screen that stops crying wolf must be able to show that.
    path = tmp_path / "early.tsv"
    path.write_text(
        HEADER + "a\ti want to kill myself tonight\tnone\t\n" + "a\tok thanks, see you\turgent\tsuicide\n",
        encoding="utf-8",
    )
    figures = _figures(path)
    assert figures["crisis_conversations_caught_in_time"] == 1.0
    assert figures["crisis_conversations_caught_on_the_message"] == 0.0


def test_the_development_conversations_hold_what_the_context_was_tuned_to():
    # The conversation context was chosen on these; with session 15's screen (a pair of short words no longer
    # counted twice, trained with ordinary and narrative chat): 72 of 80 crisis conversations caught in time, 67
    # on their first crisis message itself, 75 of 80 safe ones never flagged (before: 73, 67 and 66).
    figures = _figures(ROOT / "tests/data/conversations/dev.tsv")
    assert figures["crisis_conversations"] == 80 and figures["safe_conversations"] == 80
    assert figures["crisis_conversations_caught_in_time"] >= 71 / 80
    assert figures["crisis_conversations_caught_on_the_message"] >= 66 / 80
    assert figures["safe_conversations_never_flagged"] >= 74 / 80


@pytest.mark.parametrize(
    ("name", "caught", "on_the_message", "never_flagged"),
    [
        # Each measured on arrival (README), then as the screen changed; a floor one conversation below the
        # latest (session 15): caught in time 40, 36 and 39 of 45; on the first crisis message itself 32, 29 and
        # 34 (an earlier false alarm also counts as in time, and there were fewer of them: they were 33, 29 and
        # 37 with the screen before); safe conversations never flagged 43, 35 and 28 of 45 (were 39, 34, 25).
        ("blind_a.tsv", 39 / 45, 31 / 45, 42 / 45),
        ("blind_b.tsv", 35 / 45, 28 / 45, 34 / 45),
        ("blind_c.tsv", 38 / 45, 33 / 45, 27 / 45),
    ],
)
def test_the_blind_conversations_hold_their_measured_figures(name, caught, on_the_message, never_flagged):
    # Written from shared/SAFETY.md alone and scored in aggregate only, so a change that loses the context fails here.
    figures = _figures(ROOT / "tests/data/conversations" / name)
    assert figures["crisis_conversations"] == 45 and figures["safe_conversations"] == 45
    assert figures["crisis_conversations_caught_in_time"] >= caught - 1e-9
    assert figures["crisis_conversations_caught_on_the_message"] >= on_the_message - 1e-9
    assert figures["safe_conversations_never_flagged"] >= never_flagged - 1e-9


def test_conversations_of_the_same_name_in_two_files_are_two_people(tmp_path):
    # Scored together, the second file's "a" must not start with the first file's distress as its context.
    worried, trivia = tmp_path / "worried.tsv", tmp_path / "trivia.tsv"
    worried.write_text(HEADER + "a\tim a burden to everyone and i cant go on like this\tconcern\t\n", encoding="utf-8")
    trivia.write_text(HEADER + "a\twhich bridge is the highest around here\tnone\t\n", encoding="utf-8")
    done = _run(str(worried), str(trivia), "--json")
    assert done.returncode == 0, done.stderr
    figures = [json.loads(line) for line in done.stdout.splitlines()]
    assert figures[1]["safe_conversations_never_flagged"] == 1.0


def test_a_malformed_file_gets_one_clear_line_and_no_traceback(tmp_path):
    split = tmp_path / "split.tsv"
    split.write_text(HEADER + "a\thi\tnone\t\nb\thello\tnone\t\na\tagain\tnone\t\n", encoding="utf-8")
    done = _run(str(split))
    assert done.returncode == 2
    assert "conversation 'a' is split" in done.stderr and "Traceback" not in done.stderr
    missing = _run(str(tmp_path / "nowhere.tsv"))
    assert missing.returncode == 2 and "nowhere.tsv" in missing.stderr and "Traceback" not in missing.stderr
