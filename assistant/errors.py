"""Errors the CLI and the UI turn into one Danish sentence for the user."""


class AssistantError(Exception):
    """Base: its message is shown to the user as it is (in Danish)."""


class BadInput(AssistantError):
    """The question or conversation cannot be answered as given."""


class SettingsError(AssistantError):
    """An AI_REJSEN_* environment variable has a value that cannot be used."""


class IndexUnavailable(AssistantError):
    """The index could not be opened or built."""
