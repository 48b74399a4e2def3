"""The page's CSS. The journey map and the sources panel carry their own (scoped) styles, so they
look right however the app is launched; APP_CSS is the page layout, passed to launch() by serve.
"""

ACCENT = "#0f6e78"  # teal: focus, active phases, source rules
HIGHLIGHT = "#e8a317"  # amber ring: the phase whose card is open

JOURNEY_CSS = f"""
.journey-map {{ display: flex; flex-direction: column; gap: 10px; }}
.track {{ display: flex; align-items: center; gap: 10px 14px; flex-wrap: wrap; }}
.track-name {{ margin: 0; min-width: 9rem; font-size: 0.95rem; font-weight: 600;
  color: var(--body-text-color); }}
.phases {{ display: flex; flex-wrap: wrap; gap: 8px; list-style: none; margin: 0; padding: 0; }}
.phases li {{ margin: 0; padding: 0; list-style: none; }}
.phase {{ display: inline-flex; align-items: center; gap: 8px; padding: 5px 14px 5px 5px;
  border: 1px solid var(--border-color-primary); border-radius: 999px; cursor: pointer;
  background: var(--background-fill-primary); color: var(--body-text-color);
  font: inherit; font-size: 0.9rem; line-height: 1.2; text-align: left; }}
.phase:hover {{ border-color: {ACCENT}; }}
.phase:focus-visible {{ outline: 2px solid {ACCENT}; outline-offset: 2px; }}
.phase-number {{ display: inline-flex; align-items: center; justify-content: center;
  width: 1.7rem; height: 1.7rem; flex: none; border-radius: 50%; font-weight: 600;
  background: var(--background-fill-secondary); }}
.phase.active {{ background: {ACCENT}; border-color: {ACCENT}; }}
.phase.active, .phase.active .phase-title {{ color: #fff !important; }}
.phase.active .phase-number {{ background: #fff; color: {ACCENT}; }}
.phase.selected {{ box-shadow: 0 0 0 3px {HIGHLIGHT}; }}
.journey-legend {{ margin: 2px 0 0; font-size: 0.8rem; color: var(--body-text-color-subdued); }}
.legend-swatch {{ display: inline-block; width: 10px; height: 10px; margin-right: 6px;
  border-radius: 50%; background: {ACCENT}; }}
@media (max-width: 640px) {{ .track-name {{ min-width: 100%; }} }}
"""

SOURCES_CSS = f"""
.sources-list {{ display: flex; flex-direction: column; gap: 10px; list-style: none;
  margin: 0; padding: 0; }}
.source {{ margin: 0; padding: 10px 12px; border: 1px solid var(--border-color-primary);
  border-left: 4px solid {ACCENT}; border-radius: 8px; background: var(--background-fill-primary);
  list-style: none; }}
.source-head {{ margin-bottom: 4px; font-size: 0.85rem; font-weight: 600; color: {ACCENT}; }}
.source .source-quote {{ margin: 0 !important; padding: 0 !important; border: none;
  quotes: none; font-style: normal; font-size: 0.92rem; line-height: 1.5;
  color: var(--body-text-color); white-space: pre-line; }}
.sources-empty {{ margin: 0; font-size: 0.9rem; color: var(--body-text-color-subdued); }}
"""

APP_CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#header h1 { margin-bottom: 0.2rem; }
#header p { margin-top: 0; color: var(--body-text-color-subdued); }
.panel-title h3 { margin: 0; }
#starters button, #followups button { flex: 0 1 auto !important; width: auto !important;
  justify-content: flex-start; text-align: left; white-space: normal; }
#starters .suggestions, #followups .suggestions { flex-wrap: wrap; gap: 8px; }
#phase-detail { font-size: 0.92rem; }
@media (max-width: 720px) {
  #chatbot { height: 55vh !important; }
  .gradio-container { padding: 8px !important; }
}
"""
