"""What a chat session may keep in the server's memory: only what the next answer needs.

Gradio keeps a state per session (a browser tab, an API client; AI_REJSEN_MAX_SESSIONS of
them). Its SessionState also copies the page's whole configuration (~90 kB) and, after every
event, the value of every input and output into that copy, for "deep links" this app does not
offer. An API call carrying a 4 MB history thus left ~5 MB in its session, and 400 such calls
grew the server from 418 MB to 2 GB. Here:
- `LeanSessionState` keeps the components and the gr.State values the events need, and no
  copies of configuration or values (so /gradio_api/deep_link has nothing to give, and
  ui.guards refuses it anyway);
- `kept_turns` trims the conversation a session keeps to the turns the assistant reads;
- `kept_question` keeps no text of a question refused as too long.
`install` is called by ui.server on the app it serves; nothing here imports gradio at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def kept_question(question: str, limit: int) -> str:
    """The question as the session keeps it: a question refused as too long is not kept."""
    if len(question) <= limit:
        return question
    return f"(Et spørgsmål på {len(question):,} tegn – for langt, så det er ikke gemt.)" \
        .replace(",", ".")


def kept_turns(turns: Sequence[Any], max_turns: int) -> list[Any]:
    """The last `max_turns` turns: the assistant reads no more than that of a conversation."""
    return list(turns)[-max_turns:] if max_turns > 0 else []


def lean_state_holder(blocks):
    """A Gradio StateHolder whose sessions are LeanSessionStates."""
    from gradio.state_holder import SessionState, StateHolder

    class LeanSessionState(SessionState):
        def __init__(self, blocks):  # noqa: D107 - SessionState.__init__ without the copies
            from copy import copy

            self.blocks_config = copy(blocks.default_config)
            self.config_values: dict[int, Any] = {}
            self.state_data: dict[int, Any] = {}
            self._state_ttl: dict[int, Any] = {}
            self.is_closed = False
            self.STATE_TTL_WHEN_CLOSED = 3600

        def __setitem__(self, key: int, value: Any) -> None:
            from gradio.components import State

            block = self.blocks_config.blocks.get(key)
            if isinstance(block, State):
                import datetime

                self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
                self.state_data[key] = value
            else:
                self.blocks_config.blocks[key] = value

        def _update_config(self, key: int) -> None:
            pass

        def _update_value_in_config(self, key: int, value: Any) -> None:
            pass

    class LeanStateHolder(StateHolder):
        def __getitem__(self, session_id: str) -> SessionState:
            if session_id not in self.session_data:
                self.session_data[session_id] = LeanSessionState(self.blocks)
            return super().__getitem__(session_id)

    holder = LeanStateHolder()
    holder.set_blocks(blocks)
    return holder


def install(gradio_app, blocks) -> None:
    """Give the Gradio app (before it serves) sessions that keep only what they need."""
    holder = lean_state_holder(blocks)
    gradio_app.state_holder = holder
