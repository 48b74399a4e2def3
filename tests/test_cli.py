"""`ai-rejsen serve` settles who may get in before it opens the index; other CLI edges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import cli
from assistant.errors import SettingsError
from assistant.settings import Settings
from ui.access import launch_auth

CLI = str(Path(sys.executable).parent / "ai-rejsen")
NO_LOGIN = "men der er intet login"


@pytest.fixture
def served(monkeypatch):
    """cmd_serve with the index and the server replaced: what would have been served, how."""
    seen: dict = {}

    def fake_open(settings):
        seen["opened"] = settings
        return object()

    def fake_serve(assistant, settings):
        seen["settings"] = settings

    monkeypatch.setattr(cli, "open_with_progress", fake_open)
    monkeypatch.setattr("ui.app.serve", fake_serve)
    return seen


@pytest.mark.parametrize("how", [["--host", "0.0.0.0"], ["--host", "10.1.2.3"], []])
def test_serve_refuses_a_shared_address_without_login_before_opening_the_index(
        tmp_path, how):
    env = os.environ | {"AI_REJSEN_DATA_DIR": str(tmp_path / "data"),
                        "AI_REJSEN_EMBEDDINGS": "fake"}
    if not how:
        env["AI_REJSEN_HOST"] = "0.0.0.0"
    done = subprocess.run([CLI, "serve", *how], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("ai-rejsen: Serveren skal lytte på ")
    assert NO_LOGIN in done.stderr and "AI_REJSEN_AUTH" in done.stderr
    assert "--no-auth" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "data").exists()  # the index was never opened or built


def test_serve_on_loopback_needs_no_login(served, capsys):
    assert cli.main(["serve"]) == 0
    assert served["settings"].host == "127.0.0.1"
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("how", [["--no-auth"], []])
def test_serving_openly_on_purpose_prints_a_warning(served, capsys, monkeypatch, how):
    if not how:
        monkeypatch.setenv("AI_REJSEN_ALLOW_NO_AUTH", "1")
    assert cli.main(["serve", "--host", "0.0.0.0", *how]) == 0
    assert served["settings"].allow_no_auth and served["settings"].host == "0.0.0.0"
    assert "ADVARSEL: serveren lytter på 0.0.0.0 uden login" in capsys.readouterr().err


def test_a_login_from_the_environment_or_a_file_lets_it_serve(served, capsys, monkeypatch,
                                                              tmp_path):
    monkeypatch.setenv("AI_REJSEN_AUTH", "jens:hemmelig")
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0
    assert launch_auth(served["settings"]) == [("jens", "hemmelig")]
    assert "ADVARSEL" not in capsys.readouterr().err
    monkeypatch.delenv("AI_REJSEN_AUTH")
    logins = tmp_path / "logins.txt"
    logins.write_text("# region\nanna:a1\n\nbo:b2\n", encoding="utf-8")
    monkeypatch.setenv("AI_REJSEN_AUTH_FILE", str(logins))
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0
    assert launch_auth(served["settings"]) == [("anna", "a1"), ("bo", "b2")]


@pytest.mark.parametrize(("env", "message"), [
    ({"AI_REJSEN_AUTH": "uden-kolon"}, "bruger:adgangskode"),
    ({"AI_REJSEN_AUTH_FILE": "/findes/ikke.txt"}, "Kan ikke læse AI_REJSEN_AUTH_FILE"),
    ({"AI_REJSEN_PORT": "http"}, "AI_REJSEN_PORT skal være et heltal"),
])
def test_bad_login_settings_are_one_danish_line(served, capsys, monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1
    assert "opened" not in served


def test_launch_auth_on_loopback_and_elsewhere(tmp_path):
    assert launch_auth(Settings(data_dir=tmp_path)) is None
    assert launch_auth(Settings(data_dir=tmp_path, host="::1")) is None
    with pytest.raises(SettingsError):
        launch_auth(Settings(data_dir=tmp_path, host="192.168.1.20"))
    assert launch_auth(Settings(data_dir=tmp_path, host="192.168.1.20",
                                allow_no_auth=True)) is None


def test_an_unexpected_error_is_one_line_without_a_traceback(monkeypatch, capsys):
    def boom(args, settings):
        raise RuntimeError("noget gik galt")

    monkeypatch.setitem(cli.COMMANDS, "index", boom)
    assert cli.main(["index"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ai-rejsen: uventet fejl (RuntimeError: noget gik galt)")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_index_command_reports_a_bad_model_in_danish(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AI_REJSEN_EMBEDDINGS", "bogus")
    assert cli.main(["index"]) == 1
    err = capsys.readouterr().err
    assert "Embedding-modellen kan ikke bruges: ukendt embedding-model 'bogus'" in err
    assert len(err.splitlines()) == 1
