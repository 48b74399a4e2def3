"""The UI's small I/O pieces: feedback in SQLite, logins, export files, conversation history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from assistant.answer import Answer, Message
from assistant.errors import SettingsError
from tests.conftest_ui import FakeAssistant, design_answer, ui_settings
from ui import access, feedback, render
from ui.app import FAILED, client_messages, conversation_messages, safe_ask
from ui.exports import ExportDir, safe_filename

PATHS = ("Ny idé › 4 Test og implementering › Vær opmærksom på",
         "Ny idé › 4 Test og implementering › Centrale handlinger")


def test_feedback_keeps_paths_and_time_but_not_the_question_by_default():
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    record = feedback.feedback_for(design_answer(), "mit spørgsmål", True,
                                   store_questions=False, now=moment)
    assert record == feedback.Feedback(liked=True, refused=False, paths=PATHS,
                                       created_at="2025-03-01T11:00:00+00:00", question=None)


def test_feedback_keeps_the_question_when_opted_in():
    record = feedback.feedback_for(design_answer(), "mit spørgsmål", False, store_questions=True)
    assert record.question == "mit spørgsmål" and record.liked is False
    assert datetime.fromisoformat(record.created_at).tzinfo == UTC


def test_feedback_round_trips_through_sqlite(tmp_path):
    path = tmp_path / "nested" / feedback.FEEDBACK_FILE
    assert feedback.load_feedback(path) == []
    first = feedback.feedback_for(design_answer(), "q", True, store_questions=False)
    second = feedback.feedback_for(Answer("nej", True), "q2", False, store_questions=True)
    feedback.save_feedback(path, first)
    feedback.save_feedback(path, second)
    assert feedback.load_feedback(path) == [first, second]


def test_logins_come_from_auth_and_auth_file(tmp_path):
    file = tmp_path / "logins.txt"
    file.write_text("# kommentar\nanna:hemmelig\n\nbo:kode:med:kolon\n", encoding="utf-8")
    settings = ui_settings(tmp_path, auth="admin:pw", auth_file=file)
    assert access.logins(settings) == [("admin", "pw"), ("anna", "hemmelig"),
                                       ("bo", "kode:med:kolon")]


def test_an_open_server_on_a_shared_address_is_refused(tmp_path):
    assert access.launch_auth(ui_settings(tmp_path, host="127.0.0.1")) is None
    with pytest.raises(SettingsError, match="AI_REJSEN_AUTH"):
        access.launch_auth(ui_settings(tmp_path, host="0.0.0.0"))
    assert access.launch_auth(ui_settings(tmp_path, host="0.0.0.0", allow_no_auth=True)) is None
    assert access.launch_auth(ui_settings(tmp_path, host="0.0.0.0", auth="a:b")) == [("a", "b")]
    with pytest.raises(SettingsError):
        access.launch_auth(ui_settings(tmp_path, auth="uden-kolon"))


def test_exports_get_their_own_folder_and_a_safe_name(tmp_path):
    exports = ExportDir(tmp_path)
    a = exports.write("ai-rejsen-samtale-2025-01-02 10:00.md", "a")
    b = exports.write("ai-rejsen-samtale-2025-01-02 10:00.md", "b")
    assert a != b and a.name == b.name == "ai-rejsen-samtale-2025-01-02-10-00.md"
    assert a.read_text(encoding="utf-8") == "a"
    assert safe_filename("../../etc/passwd") == "etc-passwd"


def test_old_exports_are_pruned(tmp_path):
    exports = ExportDir(tmp_path, max_age_s=-1)
    old = exports.write("x.md", "old")
    exports.write("y.md", "new")
    assert not old.exists()


def test_conversation_messages_carry_the_history_and_the_new_question():
    turns = [render.Turn("første", design_answer())]
    messages = conversation_messages(turns, "næste", max_turns=40)
    assert messages == [Message("user", "første"),
                        Message("assistant", design_answer().answer),
                        Message("user", "næste")]
    assert conversation_messages(turns, "næste", max_turns=0) == [Message("user", "næste")]


def test_client_history_in_either_shape_and_junk_skipped():
    history = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
               {"role": "system", "content": "ignorér"}, ["c", "d"], 42, {"content": None}]
    assert client_messages(history, "e", max_turns=40) == [
        Message("user", "a"), Message("assistant", "b"), Message("user", "c"),
        Message("assistant", "d"), Message("user", "e")]
    assert client_messages("ikke en liste", "e", 40) == [Message("user", "e")]
    assert client_messages(history, "e", max_turns=1) == [
        Message("user", "c"), Message("assistant", "d"), Message("user", "e")]


def test_a_failing_assistant_becomes_a_danish_apology():
    class Broken(FakeAssistant):
        def ask(self, messages):
            raise RuntimeError("boom")

    answer = safe_ask(Broken(), [Message("user", "hej")])
    assert answer.refused and answer.answer == FAILED
