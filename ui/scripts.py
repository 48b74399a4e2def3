"""The page's JavaScript: what the server cannot do from Python — moving focus and scroll,
announcing answers, opening a cited source, and Danish names for Gradio's own controls.

PAGE_JS runs once, when the page's status element loads (gr.HTML js_on_load), and installs
`window.aiRejsen`; the event snippets below call it after the server has answered. Nothing here
builds HTML from data: cards are cloned from the escaped sources panel.
"""

import json

NARROW_PX = 900  # below this the sources panel sits under the chat: sources open inline
# The live region the page script writes to when an answer has arrived; it is never
# re-rendered, so screen readers keep watching it.
STATUS_HTML = '<div id="answer-status" class="sr-only" role="status" aria-live="polite"></div>'

# Gradio's own labels are English and its locales have no Danish, and a locale can only be
# forced through launch(): rename them in the page instead, whenever Gradio (re)renders them.
DANISH_LABELS = {
    "Clear": "Ryd samtalen",
    "Copy message": "Kopiér beskeden",
    "Copied message": "Beskeden er kopieret",
    "Copy": "Kopiér",
    "Copied": "Kopieret",
    "Like": "Godt svar",
    "Dislike": "Dårligt svar",
    "Scroll down": "Rul ned",
    "Scroll to bottom": "Rul ned",
    "chatbot conversation": "Samtale",
    "Close": "Luk",
    "Loading...": "Henter …",
    "Download": "Hent",
}

PAGE_JS = """
if (window.aiRejsen) return;
document.documentElement.lang = 'da';
const NARROW = __NARROW__;
const LABELS = __LABELS__;
const status = element.querySelector('#answer-status');
let openedFrom = null;  // the phase button whose card is open: focus returns there

function danish() {
  document.querySelectorAll('[aria-label], [title]').forEach((el) => {
    for (const attr of ['aria-label', 'title']) {
      const value = el.getAttribute(attr);
      if (value && LABELS[value]) el.setAttribute(attr, LABELS[value]);
    }
    // "bot's message: <raw Markdown>": the message's own text is a better name.
    if (/^(user|bot)'s message: /.test(el.getAttribute('aria-label') || '')) {
      el.removeAttribute('aria-label');
    }
  });
  const scroller = chatScroller();
  if (scroller && !scroller.hasAttribute('tabindex')) scroller.setAttribute('tabindex', '0');
}
let pending = false;
new MutationObserver(() => {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; danish(); });
}).observe(document.body, {subtree: true, childList: true, attributes: true,
                           attributeFilter: ['aria-label', 'title']});
danish();

function chatScroller() {
  const wrap = document.querySelector('#chatbot .bubble-wrap');
  for (let el = wrap; el && el.id !== 'chatbot'; el = el.parentElement) {
    if (el.scrollHeight > el.clientHeight + 1) return el;
  }
  const chat = document.getElementById('chatbot');
  return chat && chat.scrollHeight > chat.clientHeight + 1 ? chat : wrap;
}

function last(selector) {
  const all = document.querySelectorAll(selector);
  return all.length ? all[all.length - 1] : null;
}

// The question at the top of the chat's view and, if the page must scroll, of the page's:
// a new answer is read from its start, never from its end.
function showLatest() {
  const question = last('#chatbot .message-row.user-row, #chatbot .user-row');
  if (!question) return;
  const box = chatScroller();
  if (box) box.scrollTop += question.getBoundingClientRect().top
                          - box.getBoundingClientRect().top - 8;
  const top = question.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.5) window.scrollBy(0, top - 8);
}

function announce(text) {
  if (!status) return;
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 50);
}

function answered() {
  const answer = last('#chatbot [data-testid="bot"]');
  if (!answer || answer.dataset.announced) return;
  answer.dataset.announced = '1';
  showLatest();
  // Focus stays in the question box when the user typed; after a starter, a follow-up or a
  // phase question (whose button may be gone now) it moves to the new answer.
  const input = document.querySelector('#msg textarea');
  if (document.activeElement !== input) {
    answer.setAttribute('tabindex', '-1');
    answer.focus({preventScroll: true});
  }
  const count = document.querySelectorAll('#sources .sources-list.current .source').length;
  announce(count ? `Svaret er kommet. Det bygger på ${count} ${count === 1 ? 'kilde' : 'kilder'}` +
                   ' fra guiden, vist under Kilder.' : 'Svaret er kommet.');
}

function phaseOpened() {
  const heading = document.getElementById('phase-card-title');
  if (heading) heading.focus();
}

function phaseClosed() {
  const button = openedFrom && document.getElementById(openedFrom);
  if (button) button.focus();
  openedFrom = null;
}

function showSource(link) {
  const id = link.getAttribute('href').slice(1);
  const card = document.getElementById(id);
  if (!card) return;
  if (window.innerWidth < NARROW) return inlineSource(card, link);
  if (document.getElementById('phase-panel')) document.getElementById('close-phase')?.click();
  const earlier = card.closest('details');
  if (earlier) earlier.open = true;
  document.querySelectorAll('#sources .source.flash').forEach((el) => el.classList.remove('flash'));
  card.classList.add('flash');
  card.scrollIntoView({block: 'center'});
  card.focus({preventScroll: true});
}

// On a phone the panel is screens away: the card opens under the claim that cites it.
function inlineSource(card, link) {
  const block = link.closest('li, p') || link.parentElement;
  const open = block.querySelector(`:scope > .inline-source[data-source="${card.id}"]`)
    || (block.nextElementSibling?.dataset.source === card.id ? block.nextElementSibling : null);
  if (open) {
    open.remove();
    link.setAttribute('aria-expanded', 'false');
    return;
  }
  const box = document.createElement('div');
  box.className = 'inline-source';
  box.dataset.source = card.id;
  box.setAttribute('role', 'note');
  box.setAttribute('tabindex', '-1');
  for (const child of card.children) box.appendChild(child.cloneNode(true));
  if (block.tagName === 'LI') block.appendChild(box); else block.after(box);
  link.setAttribute('aria-expanded', 'true');
  box.scrollIntoView({block: 'nearest'});
  box.focus({preventScroll: true});
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="#kilde-"]');
  if (!link) return;
  event.preventDefault();
  showSource(link);
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && document.getElementById('phase-panel')) {
    document.getElementById('close-phase')?.click();
  }
});

window.aiRejsen = {answered, announce, phaseOpened, phaseClosed, showLatest,
                   opened: (key) => { openedFrom = 'phase-' + key; }};
"""

# The journey strip: a phase button asks the server for its card; the toggle shows the titles.
# The strip is re-rendered after every answer, so its expanded state lives on `element`, which
# persists, and is copied back onto the new toggle.
JOURNEY_JS = """
const sync = () => {
  const expanded = element.classList.contains('journey-expanded');
  const toggle = element.querySelector('.journey-toggle');
  if (!toggle) return;
  const text = expanded ? __TOGGLE_LESS__ : __TOGGLE_MORE__;
  // Only real changes: the observer would otherwise answer its own writes forever.
  if (toggle.getAttribute('aria-expanded') !== String(expanded)) {
    toggle.setAttribute('aria-expanded', String(expanded));
  }
  if (toggle.textContent !== text) toggle.textContent = text;
};
new MutationObserver(sync).observe(element, {childList: true, subtree: true});
element.addEventListener('click', (event) => {
  if (event.target.closest('.journey-toggle')) {
    element.classList.toggle('journey-expanded');
    sync();
    return;
  }
  const button = event.target.closest('button[data-phase]');
  if (!button) return;
  window.aiRejsen?.opened(button.dataset.phase);
  trigger('click', {phase: button.dataset.phase});
});
"""

AFTER_ANSWER_JS = "() => { setTimeout(() => window.aiRejsen?.answered(), 60); }"
# "Ny samtale" is said aloud with its way back; after "Fortryd" (whose button is gone) focus
# returns to the question box.
AFTER_CLEAR_JS = ("() => window.aiRejsen?.announce("
                  "'Samtalen er ryddet. Knappen Fortryd henter den tilbage.')")
AFTER_UNDO_JS = "() => { setTimeout(() => document.querySelector('#msg textarea')?.focus(), 60); }"
AFTER_PHASE_OPEN_JS = "() => { setTimeout(() => window.aiRejsen?.phaseOpened(), 60); }"
AFTER_PHASE_CLOSE_JS = "() => { setTimeout(() => window.aiRejsen?.phaseClosed(), 60); }"


def page_js() -> str:
    return (PAGE_JS.replace("__NARROW__", str(NARROW_PX))
            .replace("__LABELS__", json.dumps(DANISH_LABELS, ensure_ascii=False)))


def journey_js(more: str, less: str) -> str:
    return (JOURNEY_JS.replace("__TOGGLE_MORE__", json.dumps(more, ensure_ascii=False))
            .replace("__TOGGLE_LESS__", json.dumps(less, ensure_ascii=False)))
