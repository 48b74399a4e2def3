"""The Gradio web UI: chat with streamed, cited answers beside their sources and a journey map.

gradio is imported inside the functions (it takes seconds and phones home unless
GRADIO_ANALYTICS_ENABLED=False is set first). The views are pure functions in ui.render and
ui.journey; this module only wires them to components and events.
"""

import logging
import os
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from assistant.answer import Answer, Message
from assistant.settings import Settings
from corpus.model import ATTRIBUTION, Guide
from ui import feedback, journey, render, scripts
from ui.exports import DOWNLOAD_JS, ExportDir
from ui.sessions import kept_question, kept_turns

log = logging.getLogger(__name__)

TITLE = "AI-rejsen-assistenten"
FAILED = "Beklager, der opstod en fejl, så spørgsmålet kunne ikke besvares. Prøv igen om lidt."
STREAM_CHUNKS = 6
STREAM_PAUSE_S = 0.01
SUBTITLE = ("Stil spørgsmål om guiden AI-rejsen. Svarene citerer guidens egne ord og viser, "
            "hvor de står.")
CHAT_MIN_HEIGHT = 140  # px: room for the welcome text, so the first view keeps the starters
CHAT_MAX_HEIGHT = "calc(100vh - 260px)"  # beyond this the chat scrolls, to an answer's top
ABOUT = f"""
Assistenten svarer på spørgsmål om guiden **AI-rejsen** om udvikling og implementering af
AI-produkter i det danske sundhedsvæsen.

**Sådan bliver svarene til**

- Svarene er *ekstraktive*: de citerer guidens egne sætninger, og hvert udsagn har en
  kildehenvisning [n] til det afsnit, det stammer fra (spor › fase › afsnit).
- De relevante afsnit findes med en hybrid søgning: dansk ordsøgning (BM25 med stemming)
  kombineret med semantisk søgning.
- Ingen sprogmodel digter tekst, og intet forlader maskinen: søgning, svar og eventuelle
  tilbagemeldinger (👍/👎) bliver på serveren.
- Står svaret ikke i guiden, siger assistenten det i stedet for at gætte.

**Kilde**

{ATTRIBUTION}
"""

class AssistantLike(Protocol):
    guide: Guide

    def ask(self, messages: list[Message]) -> Answer: ...


def _gradio():
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    # Gradio's queue keeps per-event statistics for its /monitoring page (which we switch off)
    # and summarises them with pandas after every event: fewer, and seldom, costs nothing.
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    # Gradio's cache in a private folder of this process, set before any component reads it.
    from ui.tempfiles import use_private_temp

    use_private_temp()
    import gradio as gr

    from ui.redact import quiet_gradio

    quiet_gradio()
    return gr


def safe_ask(assistant: AssistantLike, messages: list[Message]) -> Answer:
    """The assistant's answer; a Danish apology instead of a traceback if it fails anyway."""
    try:
        return assistant.ask(messages)
    except Exception as exc:  # noqa: BLE001 - the user sees one Danish sentence, the log the rest
        # Where it failed, but not the exception's message: that may quote the question.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("assistant.ask failed: %s\n%s", type(exc).__name__, frames)
        return Answer(FAILED, refused=True)


def conversation_messages(turns: Sequence[render.Turn], question: str,
                          max_turns: int) -> list[Message]:
    messages = []
    for turn in list(turns)[-max_turns:] if max_turns else []:
        messages += [Message("user", turn.question), Message("assistant", turn.answer.answer)]
    return messages + [Message("user", question)]


def client_messages(history: Any, question: str, max_turns: int) -> list[Message]:
    """API history (message dicts or [user, assistant] pairs) as Messages, odd shapes skipped."""
    messages = []
    for item in history if isinstance(history, list) else []:
        if isinstance(item, dict) and isinstance(item.get("content"), str):
            if item.get("role") in ("user", "assistant"):
                messages.append(Message(item["role"], item["content"]))
        elif isinstance(item, list | tuple) and len(item) == 2:
            user, bot = item
            messages += [Message("user", user)] if isinstance(user, str) else []
            messages += [Message("assistant", bot)] if isinstance(bot, str) else []
    keep = max_turns * 2
    return (messages[-keep:] if keep else []) + [Message("user", question)]


def build_app(assistant: AssistantLike, settings: Settings):
    """The gr.Blocks app; launch it with serve(), or demo.launch() in tests."""
    gr = _gradio()
    from ui.style import JOURNEY_CSS, SOURCES_CSS, SR_ONLY_CSS

    guide = assistant.guide
    exports = ExportDir()
    feedback_path = settings.data_dir / feedback.FEEDBACK_FILE
    # One turn beyond the bound: the assistant then sees the conversation was longer, uses only
    # the last max_history_turns of it, and says so in its answer.
    max_turns = settings.max_history_turns + 1
    private: dict[str, Any] = {"api_visibility": "private"}

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        demo.exports = exports  # removed when the server stops (ui.server)
        turns = gr.State([])
        selected = gr.State(None)
        cleared = gr.State([])  # the conversation "Ny samtale" removed, until it is undone
        with gr.Column(elem_id="header"):
            gr.Markdown(f"# {TITLE}\n{SUBTITLE}")
            # The live region that announces answers, and the page's script (scripts.PAGE_JS).
            gr.HTML(scripts.STATUS_HTML, elem_id="page-status", css_template=SR_ONLY_CSS,
                    js_on_load=scripts.page_js())
        with gr.Group(elem_id="journey-panel"):
            journey_map = gr.HTML(journey.journey_html(guide), elem_id="journey",
                                  css_template=JOURNEY_CSS, padding=True,
                                  js_on_load=scripts.journey_js(*journey.JOURNEY_TOGGLE))
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=320):
                # No fixed height: the chat grows with its answers up to most of the screen,
                # and never scrolls itself to an answer's end (scripts.answered shows its top).
                chatbot = gr.Chatbot(
                    elem_id="chatbot", label="Samtale", show_label=False, height=None,
                    min_height=CHAT_MIN_HEIGHT, max_height=CHAT_MAX_HEIGHT, autoscroll=False,
                    layout="bubble", buttons=["copy"],
                    placeholder="**Velkommen.** Spørg om et spor, en fase eller en opgave "
                                "i AI-rejsen — eller vælg et af forslagene nedenfor.",
                )
                msg = gr.Textbox(elem_id="msg", label="Dit spørgsmål", submit_btn="Send",
                                 placeholder="Fx: Hvad skal jeg gøre før prospektiv validering?",
                                 max_length=settings.max_question_chars)
                with gr.Column(elem_id="starters") as starters:
                    gr.Markdown("**Kom i gang** — forslag til spørgsmål:")
                    with gr.Row(elem_classes=["suggestions"]):
                        starter_buttons = [gr.Button(q, size="sm", scale=0, min_width=0)
                                           for q in journey.STARTER_QUESTIONS]
                with gr.Column(elem_id="followups", visible=False) as followups:
                    gr.Markdown("**Spørg videre:**")
                    with gr.Row(elem_classes=["suggestions"]):
                        followup_buttons = [
                            gr.Button("", size="sm", visible=False, scale=0, min_width=0)
                            for _ in range(journey.MAX_FOLLOW_UPS)
                        ]
                with gr.Row(elem_id="undo-row", visible=False) as undo_row:
                    gr.Markdown("Samtalen er ryddet.")
                    undo = gr.Button("Fortryd: hent samtalen tilbage", size="sm",
                                     elem_id="undo-new-chat", scale=0, min_width=0)
                with gr.Row():
                    clear = gr.Button("Ny samtale", elem_id="new-chat", size="sm")
                    # The file is made only when this is clicked (ui.exports).
                    export = gr.Button("Eksportér samtalen (.md)", size="sm",
                                       elem_id="export-download", interactive=False)
                    export_file = gr.DownloadButton(visible=False, elem_id="export-file")
            with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
                gr.Markdown("## Kilder til seneste svar", elem_classes=["panel-title"])
                sources = gr.HTML(render.sources_html([]), elem_id="sources",
                                  css_template=SOURCES_CSS, js_on_load=None, padding=True)
        # A Column, not a Group: a hidden Group's elem_id ends up on two elements when shown.
        with gr.Column(visible=False, elem_id="phase-panel") as phase_panel:
            phase_detail = gr.HTML(elem_id="phase-detail", js_on_load=None, padding=True)
            with gr.Row(elem_id="phase-actions"):
                ask_phase = gr.Button("Spørg om denne fase", variant="primary", size="sm",
                                      elem_id="ask-phase")
                checklist = gr.DownloadButton("Hent tjekliste (.md)", size="sm",
                                              elem_id="checklist-download")
                close_phase = gr.Button("Luk fasekortet", size="sm", elem_id="close-phase")
        with gr.Accordion("Om AI-rejsen-assistenten", open=False, elem_id="about"):
            gr.Markdown(ABOUT)

        answer_outputs = [chatbot, msg, turns, sources, journey_map, starters, followups,
                          *followup_buttons, export, undo_row]

        def conversation(now: list, phase_key: str | None) -> tuple:
            """Every answer output for the conversation `now` (empty: the first view)."""
            suggestions = journey.follow_ups(now[-1].answer, guide) if now else []
            # No file yet: one is written only when the user clicks export (ui.exports).
            export_update = gr.update(interactive=bool(now))
            return (
                render.chat_history(now), "", now, render.sources_html(now),
                journey.journey_html(guide, _focus(now), phase_key),
                gr.update(visible=not now), gr.update(visible=bool(suggestions)),
                *_suggestion_updates(gr, suggestions), export_update, gr.update(visible=False),
            )

        def respond(question: str, past: list, phase_key: str | None):
            question = (question or "").strip()
            if not question:
                yield tuple(gr.skip() for _ in answer_outputs)
                return
            answer = safe_ask(assistant, conversation_messages(past, question, max_turns))
            kept = kept_question(question, settings.max_question_chars)
            now = kept_turns([*past, render.Turn(kept, answer)], max_turns)
            skip = [gr.skip()] * (len(answer_outputs) - 2)
            for part in render.stream_chunks(render.streaming_text(answer), STREAM_CHUNKS)[:-1]:
                yield (render.chat_history(now, partial=part), "", *skip)
                time.sleep(STREAM_PAUSE_S)
            yield conversation(now, phase_key)

        def start_over(past: list):
            # Kept until the next question, so "Fortryd" can bring the conversation back.
            return (*conversation([], None)[:-1], gr.update(visible=bool(past)), past)

        def bring_back(saved: list, phase_key: str | None):
            return (*conversation(saved, phase_key), [])

        def export_conversation(past: list):
            if not past:
                return gr.skip()
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
            text = render.conversation_markdown(past, exported_at=stamp)
            return str(exports.write(f"ai-rejsen-samtale-{stamp}.md", text, one_shot=True))

        def show_phase(past: list, evt: gr.EventData):
            data = getattr(evt, "_data", None)  # what the map's JS sent: {"phase": "ny-ide-4"}
            key = data.get("phase") if isinstance(data, dict) else None
            phase = journey.parse_phase_key(guide, key)
            if phase is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            key = journey.phase_key(phase.track, phase.number)
            path = exports.write(f"ai-rejsen-tjekliste-{key}.md", journey.checklist_markdown(phase))
            return (key, journey.journey_html(guide, _focus(past), key), gr.update(visible=True),
                    journey.phase_html(phase), str(path))

        def hide_phase(past: list):
            return None, journey.journey_html(guide, _focus(past), None), gr.update(visible=False)

        def phase_question(key: str | None) -> str:
            phase = journey.parse_phase_key(guide, key)
            return journey.phase_question(phase) if phase else ""

        def on_like(past: list, data: gr.LikeData):
            index = data.index[0] if isinstance(data.index, list | tuple) else data.index
            if not isinstance(index, int) or not 0 <= index // 2 < len(past):
                return
            turn = past[index // 2]
            record = feedback.feedback_for(turn.answer, turn.question, data.liked is True,
                                           store_questions=settings.store_questions)
            try:
                feedback.save_feedback(feedback_path, record)
            except Exception:  # noqa: BLE001 - feedback is optional; the chat goes on
                log.exception("could not store feedback")
                gr.Warning("Tilbagemeldingen kunne ikke gemmes.", title="Advarsel")
                return
            gr.Info("Tak for din tilbagemelding.", title="Tak")

        def answered(event):
            # After the server's last update: show the answer's top, move focus, announce it.
            return event.then(None, js=scripts.AFTER_ANSWER_JS, **private)

        inputs = [msg, turns, selected]
        answered(msg.submit(respond, inputs, answer_outputs, **private))
        for button in [*starter_buttons, *followup_buttons]:
            answered(button.click(respond, [button, turns, selected], answer_outputs, **private))
        clear.click(start_over, [turns], [*answer_outputs, cleared], **private).then(
            hide_phase, [turns], [selected, journey_map, phase_panel], **private).then(
            None, js=scripts.AFTER_CLEAR_JS, **private)
        undo.click(bring_back, [cleared, selected], [*answer_outputs, cleared], **private).then(
            None, js=scripts.AFTER_UNDO_JS, **private)
        journey_map.click(
            show_phase, [turns], [selected, journey_map, phase_panel, phase_detail, checklist],
            **private).then(None, js=scripts.AFTER_PHASE_OPEN_JS, **private)
        close_phase.click(hide_phase, [turns], [selected, journey_map, phase_panel],
                          **private).then(None, js=scripts.AFTER_PHASE_CLOSE_JS, **private)
        # The card closes so the answer it asks for is in view.
        answered(ask_phase.click(phase_question, [selected], [msg], **private).then(
            hide_phase, [turns], [selected, journey_map, phase_panel], **private).then(
            respond, inputs, answer_outputs, **private))
        chatbot.like(on_like, [turns], None, **private)
        export.click(export_conversation, [turns], [export_file], **private).then(
            None, [export_file], None, js=DOWNLOAD_JS, **private)

        gr.api(_api_chat(assistant, max_turns), api_name="chat",
               api_description="Svar på et spørgsmål om AI-rejsen, med kilder.")

    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.max_queue)
    return demo


def _api_chat(assistant: AssistantLike, max_turns: int) -> Callable[..., str]:
    def chat(message: str, history: list | None = None) -> str:
        """The answer in Markdown, followed by a 'Kilder' section quoting every source."""
        answer = safe_ask(assistant, client_messages(history, message or "", max_turns))
        return render.api_markdown(answer)

    return chat


def _focus(past: Sequence[render.Turn]) -> tuple[tuple[str, int], ...]:
    return past[-1].answer.focus if past else ()


def _suggestion_updates(gr, suggestions: list[str]) -> list:
    padded = list(suggestions) + [""] * (journey.MAX_FOLLOW_UPS - len(suggestions))
    return [gr.update(value=q, visible=bool(q)) for q in padded[:journey.MAX_FOLLOW_UPS]]


def launch_options(settings: Settings) -> dict[str, Any]:
    """Arguments for demo.launch(): address, logins, and the page's theme and CSS."""
    gr = _gradio()
    from ui.access import launch_auth
    from ui.server import middleware
    from ui.style import APP_CSS

    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": launch_auth(settings),
        "auth_message": "Log ind for at bruge AI-rejsen-assistenten.",
        "theme": gr.themes.Soft(primary_hue="teal", secondary_hue="slate"),
        "css": APP_CSS,
        "footer_links": ["api"],
        "show_error": False,
        "enable_monitoring": False,  # no /monitoring dashboard or summary for anyone
        # Every session (a browser tab, an API client) holds some state (~2 kB, ui.sessions):
        # bound their number, or memory grows with every API call that starts a new session.
        "state_session_capacity": settings.max_sessions,
        "max_file_size": "1mb",  # the app takes no uploads (ui.guards refuses the route)
        "run_history": False,  # Gradio would keep every API call's inputs in the browser
        "app_kwargs": {"middleware": middleware(settings)},
    }


def serve(assistant: AssistantLike, settings: Settings, *, block: bool = True):
    """Build the app and serve it on settings.host:settings.port (blocks unless block=False).

    Served by ui.server (our own uvicorn, with time-outs and the other protections); returns
    something with close().
    """
    from ui.server import run

    options = launch_options(settings)  # refuses an open non-loopback server before building
    return run(build_app(assistant, settings), settings, options, block=block)
