"""Logs and feedback never hold question text unless the operator opted in.

(The server's own output is checked in test_network.py, under strace.)
"""

from __future__ import annotations

import logging

from assistant.answer import Message
from assistant.settings import Settings
from tests.conftest_ui import FakeAssistant, design_answer
from ui import feedback
from ui.app import FAILED, safe_ask

SECRET = "Patient Hansen, CPR 010203-4567, har fået Kvxzyqw"


def logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


def test_answering_logs_no_question_text(fake_assistant, caplog):
    caplog.set_level(logging.INFO)
    for question in (SECRET, f"Hvad er formålet med fase 4? {SECRET}", "", "x" * 5000):
        fake_assistant.ask([Message("user", "tidligere: " + SECRET), Message("assistant", "…"),
                            Message("user", question)])
    assert "Kvxzyqw" not in logged(caplog) and "010203" not in logged(caplog)


def test_a_failing_assistant_is_logged_without_the_question(caplog):
    class Leaky(FakeAssistant):
        def ask(self, messages):
            raise KeyError(f"kunne ikke slå {messages[-1].content!r} op")

    caplog.set_level(logging.INFO)
    answer = safe_ask(Leaky(), [Message("user", SECRET)])
    assert answer.answer == FAILED and answer.refused
    text = logged(caplog)
    assert "KeyError" in text and "test_reliability_privacy.py" in text  # what and where
    assert "Kvxzyqw" not in text and "010203" not in text


def test_feedback_keeps_the_question_only_when_opted_in(tmp_path):
    path = tmp_path / feedback.FEEDBACK_FILE
    for opted_in in (False, True):
        record = feedback.feedback_for(design_answer(), SECRET, True, store_questions=opted_in)
        feedback.save_feedback(path, record)
    stored = feedback.load_feedback(path)
    assert [r.question for r in stored] == [None, SECRET]
    raw = path.read_bytes()
    assert raw.count(b"Kvxzyqw") == 1  # only the opted-in record


def test_storing_questions_is_off_unless_switched_on(tmp_path):
    assert Settings.from_env({}).store_questions is False
    assert Settings.from_env({"AI_REJSEN_STORE_QUESTIONS": "1"}).store_questions is True
    assert Settings.from_env({"AI_REJSEN_STORE_QUESTIONS": "nej"}).store_questions is False
