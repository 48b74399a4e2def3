"""Attack: a question about a patient ("Jens Hansen", a CPR number) asked in a conversation.
Expected: no cache in the process keeps its words — the spelling memo, the conversation memo
and the query-vector cache are keyed by digests, and word stems are not cached at all."""

from assistant.answer import Message
from index import lexical

CANARY = "Zyxwvutqrs"


def _strings(memo) -> list[str]:
    found = []
    for key, value in memo._items.items():
        found += [x for x in (key, value) if isinstance(x, str)]
        if isinstance(value, tuple):
            found += [str(x) for x in value]
    return found


def test_a_patients_name_stays_in_no_cache(fake_assistant):
    fake_assistant.ask([
        Message("user", f"Hvad gør vi med data om {CANARY} Hansen, CPR 010203-1234?"),
        Message("assistant", "…"),
        Message("user", f"og hvad med {CANARY}?"),
    ])
    memos = [fake_assistant.index.analyzer._corrections, fake_assistant._context_memo]
    for memo in memos:
        assert all(CANARY.lower() not in s.lower() for s in _strings(memo))
        assert all(isinstance(key, bytes) for key in memo._items)
    assert not hasattr(lexical.stem, "cache_info")  # stems are computed, never cached
