"""Who may use the web UI: logins from settings, and no open server beyond this machine.

A server on a loopback address needs no login. On any other address a login is required
unless the operator explicitly allowed running without one (settings.allow_no_auth).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from assistant.errors import SettingsError
from assistant.settings import Settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_login(line: str, origin: str) -> tuple[str, str]:
    user, sep, password = line.strip().partition(":")
    if not sep or not user or not password:
        raise SettingsError(f"{origin}: et login skal skrives som bruger:adgangskode")
    return user, password


def logins(settings: Settings) -> list[tuple[str, str]]:
    """The (user, password) pairs from AI_REJSEN_AUTH and the lines of AI_REJSEN_AUTH_FILE."""
    pairs = []
    if settings.auth:
        pairs.append(parse_login(settings.auth, "AI_REJSEN_AUTH"))
    if settings.auth_file:
        path = Path(settings.auth_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SettingsError(f"Kan ikke læse AI_REJSEN_AUTH_FILE ({path}): {error}") from None
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                pairs.append(parse_login(line, f"{path} linje {number}"))
    return pairs


def launch_auth(settings: Settings) -> list[tuple[str, str]] | None:
    """The logins to pass to launch(), or None; refuses an open server on a shared address."""
    pairs = logins(settings)
    if not pairs and not is_loopback(settings.host) and not settings.allow_no_auth:
        raise SettingsError(
            f"Serveren skal lytte på {settings.host}, men der er intet login. Sæt AI_REJSEN_AUTH "
            "(bruger:adgangskode) eller AI_REJSEN_AUTH_FILE, eller brug --no-auth "
            "(AI_REJSEN_ALLOW_NO_AUTH=1), hvis alle på netværket må bruge den."
        )
    return pairs or None
