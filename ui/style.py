"""The page's CSS. The journey strip and the sources panel carry their own (scoped) styles, so they
look right however the app is launched; APP_CSS is the page layout, passed to launch() by serve.
Those two are gr.HTML css_templates, which Gradio evaluates as JavaScript template strings: they
must hold no backticks and no dollar-brace.

Colours are chosen for WCAG 2.1 AA on white: text ≥ 4.5:1 (ACCENT 5.9:1, SUBDUED 7.6:1) and
the ring that marks an open phase card ≥ 3:1 (RING 5.0:1). Every control is at least 44 px
high and wide (TAP), so it can be hit with a thumb.
"""

ACCENT = "#0f6e78"  # teal: focus, cited phases, source rules, primary buttons
ACCENT_DARK = "#0b5961"
RING = "#b45309"  # amber ring: the phase whose card is open
SUBDUED = "#4b5563"  # secondary text on white
SUBDUED_DARK_MODE = "#c3c8d0"
FLASH = "#fff4d6"  # a source card just brought into view by its [n]
TAP = "44px"

# Text for screen readers only (the journey's button states, the answer announcements).
SR_ONLY_CSS = """.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }"""

JOURNEY_CSS = SR_ONLY_CSS + f"""
.journey-map {{ display: flex; flex-direction: column; gap: 6px; }}
.journey-bar {{ display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; }}
.journey-title {{ margin: 0; font-size: 1rem; font-weight: 700; }}
.journey-toggle {{ min-height: {TAP}; padding: 0 12px; border: 1px solid {ACCENT};
  border-radius: 8px; background: transparent; color: {ACCENT}; font: inherit;
  font-size: 0.9rem; cursor: pointer; }}
.journey-legend {{ display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0;
  font-size: 0.85rem; color: var(--body-text-color); }}
.legend-item {{ display: inline-flex; align-items: center; gap: 6px; }}
.swatch {{ display: inline-block; width: 14px; height: 14px; border-radius: 50%; }}
.swatch.cited {{ background: {ACCENT}; }}
.swatch.open {{ background: transparent; box-shadow: 0 0 0 3px {RING} inset; }}
.tracks {{ display: flex; flex-wrap: wrap; gap: 6px 28px; }}
.track {{ display: flex; align-items: center; gap: 6px 10px; flex-wrap: wrap; }}
.track-name {{ margin: 0; font-size: 0.95rem; font-weight: 600;
  color: var(--body-text-color); }}
.phases {{ display: flex; flex-wrap: wrap; gap: 6px; list-style: none; margin: 0; padding: 0; }}
.phases li {{ margin: 0; padding: 0; list-style: none; }}
.phase {{ display: inline-flex; align-items: center; gap: 8px; min-height: {TAP};
  min-width: {TAP}; padding: 4px; border: 1px solid var(--border-color-primary);
  border-radius: 999px; cursor: pointer; background: var(--background-fill-primary);
  color: var(--body-text-color); font: inherit; font-size: 0.9rem; line-height: 1.2;
  text-align: left; }}
.phase:hover {{ border-color: {ACCENT}; }}
.phase:focus-visible, .journey-toggle:focus-visible {{ outline: 3px solid {ACCENT};
  outline-offset: 2px; }}
.phase-number {{ display: inline-flex; align-items: center; justify-content: center;
  width: 34px; height: 34px; flex: none; border-radius: 50%; font-weight: 700;
  background: var(--background-fill-secondary); }}
/* The strip shows numbers; titles only for cited phases, or all once it is expanded. */
.phase-title {{ display: none; padding-right: 10px; }}
/* The JS toggles the class on the component's root, which Gradio nests this CSS in (&). */
.phase.active .phase-title, &.journey-expanded .phase-title,
.journey-expanded .phase-title {{ display: inline; }}
.phase.active {{ background: {ACCENT}; border-color: {ACCENT}; }}
.phase.active, .phase.active .phase-title {{ color: #fff !important; }}
.phase.active .phase-number {{ background: #fff; color: {ACCENT}; }}
.phase.selected {{ box-shadow: 0 0 0 3px {RING}; }}
@media (max-width: 640px) {{ .journey-legend {{ width: 100%; }} .tracks {{ gap: 6px; }} }}
"""

SOURCES_CSS = f"""
.sources-list {{ display: flex; flex-direction: column; gap: 10px; list-style: none;
  margin: 0; padding: 0; }}
.source {{ margin: 0; padding: 10px 12px; border: 1px solid var(--border-color-primary);
  border-left: 4px solid {ACCENT}; border-radius: 8px; background: var(--background-fill-primary);
  list-style: none; scroll-margin: 16px; transition: background-color 0.6s; }}
.source.flash {{ background: {FLASH}; color: #1f2937; }}
.source:focus {{ outline: 3px solid {ACCENT}; outline-offset: 2px; }}
.source-head {{ margin-bottom: 4px; font-size: 0.85rem; font-weight: 600; color: {ACCENT}; }}
.source .source-quote {{ margin: 0 !important; padding: 0 !important; border: none;
  quotes: none; font-style: normal; font-size: 0.92rem; line-height: 1.5;
  color: var(--body-text-color); white-space: pre-line; }}
.sources-empty {{ margin: 0; font-size: 0.9rem; color: var(--body-text-color); }}
.earlier-sources {{ margin-top: 16px; }}
.earlier-title {{ margin: 0 0 4px; font-weight: 600; font-size: 0.9rem; }}
.earlier-answer summary {{ min-height: {TAP}; display: flex; align-items: center;
  cursor: pointer; font-size: 0.9rem; }}
"""

APP_CSS = f"""
/* Theme colours that pass WCAG AA contrast; the dark theme keeps its light text. */
body:not(.dark) .gradio-container {{
  --body-text-color-subdued: {SUBDUED}; --block-info-text-color: {SUBDUED};
  --block-label-text-color: #374151; --block-title-text-color: #1f2937;
  --input-placeholder-color: #5f6672; --link-text-color: {ACCENT};
  --link-text-color-hover: {ACCENT_DARK}; --link-text-color-visited: {ACCENT_DARK};
  --block-title-background-fill: transparent; --block-label-background-fill: transparent;
}}
.dark .gradio-container {{ --body-text-color-subdued: {SUBDUED_DARK_MODE}; }}
.gradio-container {{
  --button-primary-background-fill: {ACCENT}; --button-primary-background-fill-hover:
  {ACCENT_DARK}; --button-primary-text-color: #fff; --button-primary-text-color-hover: #fff;
  --button-primary-border-color: {ACCENT}; --button-primary-border-color-hover: {ACCENT_DARK};
  max-width: 1280px !important; margin: 0 auto !important; padding-top: 8px !important;
}}
/* Gradio's footer has only "Use via API" (English, for developers): the API is documented in
   the README. */
footer {{ display: none !important; }}
#header {{ gap: 0 !important; }}
#header h1 {{ margin: 0; font-size: 1.6rem; line-height: 1.25; }}
#header p {{ margin: 2px 0 0; color: var(--body-text-color-subdued); }}
#journey-panel {{ padding: 0 !important; }}

/* Thumb-sized controls, Gradio's icon buttons included. */
.gradio-container button:not(.phase) {{ min-height: {TAP}; }}
#chatbot .icon-button, #chatbot button[aria-label] {{ min-width: {TAP}; min-height: {TAP}; }}
#msg button {{ min-width: {TAP}; min-height: {TAP}; }}
#starters button, #followups button {{ flex: 0 1 auto !important; width: auto !important;
  justify-content: flex-start; text-align: left; white-space: normal; }}
#starters .suggestions, #followups .suggestions {{ flex-wrap: wrap; gap: 8px; }}
#starters, #followups {{ gap: 4px !important; }}
#starters p, #followups p {{ margin: 0; }}

/* The answer: lead first, details folded; [n] links to its source. Gradio dims messages to
   0.8, which takes the teal links below 4.5:1. Its bin icon clears only the chat (not the
   sources, the map or the export): "Ny samtale" does it all and can be undone. */
#chatbot .message-content .prose {{ opacity: 1 !important; }}
#chatbot .top-panel {{ display: none !important; }}
/* Copying one's own question is seldom wanted; its row of buttons pushed the answer down. */
#chatbot .message-buttons-right {{ display: none !important; }}
#chatbot a[href^="#kilde-"] {{ display: inline-block; min-width: 24px; min-height: 24px;
  padding: 0 2px;
  font-weight: 600; text-decoration: underline; color: {ACCENT}; }}
#chatbot .answer-details summary {{ min-height: {TAP}; display: flex; align-items: center;
  cursor: pointer; font-weight: 600; color: {ACCENT}; }}
#chatbot .inline-source {{ margin: 6px 0 10px; padding: 8px 10px; border-left: 4px solid
  {ACCENT}; border-radius: 6px; background: var(--background-fill-secondary);
  font-size: 0.92rem; }}
#chatbot .inline-source blockquote {{ margin: 0; padding: 0; border: none;
  white-space: pre-line; }}
#chatbot .inline-source .source-head {{ font-weight: 600; color: {ACCENT}; }}
#chatbot [data-testid="bot"]:focus {{ outline: 3px solid {ACCENT}; outline-offset: 2px; }}

/* The phase card opens over the page, beside the chat on a laptop and across a phone. */
#phase-panel {{ position: fixed !important; z-index: 1000; top: 12px; right: 12px;
  bottom: 12px; width: min(460px, calc(100vw - 24px)); overflow-y: auto;
  border: 1px solid var(--border-color-primary); border-radius: 12px;
  background: var(--background-fill-primary) !important;
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.3); }}
#phase-detail {{ font-size: 0.95rem; }}
#phase-detail h2 {{ margin: 0 0 8px; font-size: 1.15rem; }}
#phase-detail h3 {{ margin: 12px 0 4px; font-size: 1rem; }}
#phase-actions {{ position: sticky; bottom: 0; flex-wrap: wrap; gap: 8px;
  padding: 8px; background: var(--background-fill-primary); }}
#phase-actions button {{ flex: 1 1 auto !important; min-width: 0 !important; }}
#undo-row {{ align-items: center; gap: 8px; }}
#undo-row p {{ margin: 0; }}
.panel-title h2 {{ margin: 0; font-size: 1.1rem; }}
@media (max-width: 720px) {{
  .gradio-container {{ padding: 6px !important; }}
  #header h1 {{ font-size: 1.35rem; }}
  /* One scroll on a phone: the chat grows with its answers inside the page. */
  #chatbot {{ max-height: none !important; }}
  #chatbot .message-row.bot-row {{ max-width: 100% !important; }}
  #phase-panel {{ top: 0; right: 0; bottom: 0; width: 100vw; border-radius: 0; }}
}}
"""
