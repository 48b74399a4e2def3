"""Read a question the way the guide is organised: which track, which phase, which section kind,
whether it asks about order, whether it follows up, and whether it is something to refuse.

Pure: text in, a frozen Question out. Does not retrieve anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.lexical import normalize

BEFORE, AFTER, NEXT_PHASE, PREVIOUS_PHASE = "before", "after", "next_phase", "previous_phase"

TRACK_PATTERNS = {
    "ny-ide": re.compile(
        r"\bny(?:e|t)? id[eé](?:er|en)?\b|\bnew idea\b|\bny-ide\b|\budvikle (?:et |vores |)ny"
        r"|\budvikler (?:et |vores |)ny|\bselv udvikle\w*|\budvikler (?:vi |selv )|\bnyudvikle\w*"
        r"|\bnyt ai-produkt\b|\bnyt produkt\b"
        r"|\bdevelop(?:ing)? (?:a |our )?new\b|\bbuild(?:ing)? (?:a |our )?new\b"),
    "faerdigt-produkt": re.compile(
        r"\bf[æa]e?rdig(?:t|e)?[ -]?(?:produkt|projekt|løsning)\w*|\bfinished product\b"
        r"|\bready[- ]made\b|\boff[- ]the[- ]shelf\b|\bhyldevare\b|\bkøbe? (?:et |en )?(?:færdig|"
        r"godkendt|eksisterende|ce-mærket)|\ballerede (?:mdr-)?godkendt|\bgodkendt ai-produkt\b"
        r"|\bbuy(?:ing)? (?:an? )?(?:existing|approved|finished|ready)|\bce-mærket produkt\b"
        r"|\ballerede (?:er |har |har fået )?(?:et )?(?:ce-mærke\w*|mdr-godkend\w*|godkendt|"
        r"ce-godkend\w*)"
        r"|\bkøber et\b|\bkøbe et\b|\bkøber (?:vi )?(?:et )?færdig"
        r"|\b(?:ind)?købt(?:e)? (?:et |en )?(?:ce-mærket|godkendt|færdig)\w*"
        r"|\bce-mærket (?:ai-)?(?:værktøj|produkt|løsning|software)\w*"
        r"|\b(?:existing|approved|ce[- ]marked) (?:ai )?(?:product|tool|solution)"),
}

# Phase titles and their everyday names; a bare "udvikling" is too common to mean phase 3.
PHASE_PATTERNS: list[tuple[re.Pattern, tuple[tuple[str, int], ...]]] = [
    (re.compile(r"\bid[eé](?:udvikling|fase)\w*|\bideation\b|\bidea (?:development )?phase\b"
                r"|\bidea development\b"), (("ny-ide", 1),)),
    (re.compile(r"\bkon[cs]ep\w*|\bconcept\w*"), (("ny-ide", 2),)),
    (re.compile(r"\budviklingsfase\w*|\bfasen udvikling\b|\b(?<!idea )development phase\b"
                r"|\bfase \d udvikling\b"),
     (("ny-ide", 3),)),
    (re.compile(r"\btest[- ]og[- ]implementering\w*|\btest and implementation\b"
                r"|\btestfase\w*|\bimplementeringsfase\w*|\btesting (?:and|&) implementation\b"),
     (("ny-ide", 4), ("faerdigt-produkt", 1))),
    (re.compile(r"\bindkøb, drift og skalering\b|\bindkøb,? drift\b|\bdriftsfase\w*"
                r"|\bprocurement, operation\w*|\bindkøbs-? og driftsfase\w*|\bprocurement phase\b"
                r"|\boperations? (?:and|&) scaling\b"),
     (("ny-ide", 5), ("faerdigt-produkt", 2))),
]

PHASE_NUMBER_RE = re.compile(
    r"\b(?:fase|phase|trin)\s*(?:nr\.?\s*)?(\d)\b|\b(\d)\.?\s*fase\b|\b(første|anden|andra|tredje|"
    r"fjerde|femte|first|second|third|fourth|fifth)\s+(?:fase|phase)\b")
EDGE_PHASE_RE = re.compile(
    r"\b(?:aller)?(sidste|første|last|first)\s+(?:fase|phase)\b")
ORDINALS = {"første": 1, "first": 1, "anden": 2, "andra": 2, "second": 2, "tredje": 3,
            "third": 3, "fjerde": 4, "fourth": 4, "femte": 5, "fifth": 5}

KIND_PATTERNS = [
    (WATCH_OUTS, re.compile(r"opm[æa]e?rksom|\bpas p[åa]\b|faldgrube|\bwatch|\bpitfall|"
                            r"\bhold(?:e|er)? øje\b|\bkeep an eye\b|\blook out\b|"
                            r"\bbeware\b|\bhuske p[åa]\b|\bværd at vide\b|\bopmærksomhedspunkt")),
    (PURPOSE, re.compile(r"\bform[åa]l\w*|\bhandler\b.{0,20}\bom\b|\bg[åa]r\b.{0,12}\bud p[åa]\b|"
                         r"\bpurpose\b|\babout\b|\bsker der\b|\bindeholder\b")),
    (KEY_ACTIONS, re.compile(r"\bhandling\w*|\bgøre\b|\bgør\b|\btrin\b|\bskridt\b|\bsteps?\b|"
                             r"\bactions?\b|\bto-?do\b|\bopgaver\b|\bhvad skal\b|\btjekliste")),
]
# Asking for the steps themselves (not just "what should I do about X").
STEPS_RE = re.compile(r"\bhvilke (?:centrale )?(?:handlinger|trin|skridt|opgaver)\b|"
                      r"\bwhich (?:key )?(?:actions|steps)\b|"
                      r"\bwhat (?:are the )?(?:key )?(?:actions|steps)\b|"
                      r"\btrin for trin\b|\bstep by step\b|\bi hvilken rækkefølge\b")

ORDER_CUE = (r"(?:kommer|sker|ske|skal|gør|gøre|gøres|følger|foregår|laver|lave|må|bør|næste|"
             r"fase|phase|next|happens?|comes?|do|should|must|need|first|først)")
QUOTES = "'\"«»“”‘’"
ORDER_PATTERNS = [
    (BEFORE, re.compile(ORDER_CUE + r"\b.{0,60}?\b(?:før|inden|forud for|prior to|before)\b"
                        rf"[\s,:{QUOTES}]+(?P<target>\w.+)")),
    (AFTER, re.compile(ORDER_CUE + r"\b.{0,60}?\b(?:efter|after|once)\b"
                       rf"[\s,:{QUOTES}]+(?P<target>\w.+)")),
    (NEXT_PHASE, re.compile(r"\bnæste fase\b|\bnext phase\b|\bderefter\b|\bbagefter\b|"
                            r"\b(?:fase|phase)\b.{0,25}\b(?:efter|after)\W*$|"
                            r"\bherefter\b|\bså\b.{0,15}\b(?:kommer|sker)\b|\bwhat comes next\b|"
                            r"\bwhat happens next\b|\bafter that\b|\bnæste skridt\b|\bnext step")),
    (PREVIOUS_PHASE, re.compile(r"\bforrige fase\b|\bprevious phase\b|\bfasen før\b|"
                                r"\b(?:fase|phase)\b.{0,25}\b(?:før|inden|before)\W*$")),
]

FOLLOW_UP_RE = re.compile(
    r"^(?:og|men|så|hvad med|og hvad|and|what about|hvad så|også|ok|okay)\b|\b(?:der|dér|den "
    r"fase|denne fase|samme fase|i den|i det|det|den|dem|derefter|bagefter|herefter|there|that "
    r"phase|this phase|it|them)\s*\??$|\b(?:den fase|denne fase|samme fase|that phase|this phase|"
    r"næste fase|next phase|forrige fase|i samme|det trin|den handling)\b")

# "the first/last key action" of a phase or track
ACTION_ORDINAL_RE = re.compile(
    r"\b(?:den |det )?(?:aller)?(første|sidste|first|last)\b.{0,25}\b(?:handling|action|trin|"
    r"skridt|step|man gør|man skal gøre|vi gør|vi skal gøre)|\b(?:allerførste|allersidste)\b"
    r"|\bstep (one|1)\b|\b(?:trin|skridt) (1|et|ét)\b")

# Which track fits.
WHICH_TRACK_RE = re.compile(r"\bhvilke[tn]? (?:af )?(?:de to )?spor\b|\bwhich (?:of the )?(?:two )?"
                            r"tracks?\b|\bwhat tracks?\b|\bhvilke spor\b")

# How the guide is built up.
LAYOUT_RE = re.compile(r"\b(?:afsnit|opbygget|opbygning|struktur\w*|delt (?:op|ind)|inddelt|"
                       r"sections?|structured?|built up|organi[sz]ed)\b")

# Where in the journey something happens.
WHEN_RE = re.compile(r"\bhvornår\b|\bwhen\b|\bpå hvilket tidspunkt\b|\bi hvilken fase\b|"
                     r"\bwhich phase\b|\bhvor i (?:forløbet|processen|rejsen)\b|"
                     r"\bat what point\b")

# How to get going: the first phase of a track.
START_RE = re.compile(
    r"\bkomme[r]? (?:vi |man |jeg )?i gang\b|\bhvor (?:starter|begynder) (?:vi|man|jeg)\b|"
    r"\bhvad (?:gør|skal) (?:vi|man|jeg) (?:så )?nu\b|\bhvad så nu\b|\bget(?:ting)? started\b|"
    r"\bwhere do (?:we|i) (?:start|begin)\b|\bhvordan starter\b")

INJECTION_RE = re.compile(
    r"\b(?:ignor\w*|glem|forget|disregard|tilsidesæt\w*|override|bypass|se bort fra)\b.{0,60}"
    r"\b(?:instru\w*|regl\w*|rules?|prompt\w*|tidligere|previous|above|ovenstående|alt|all|"
    r"guidelines|retningslinje\w*|guide\w*|kilde\w*)\b"
    r"|\bsystem\s*-?prompt\w*|\bsystem\s*:|\bjailbreak|\bdeveloper mode\b|\bdan\b.{0,30}"
    r"\b(?:mode|restrictions)\b|\bdo anything now\b|\bnew instructions\b|\bnye instruktioner\b"
    r"|\b(?:du er nu|you are now|act as|opfør dig som|lad som om|pretend|roleplay|rollespil|"
    r"from now on|fra nu af)\b"
    r"|<\s*/?\s*(?:script|iframe|img|svg|object|style)\b|javascript\s*:|\bon(?:error|load)\s*="
    r"|\b(?:svar|answer|respond|reply)\b.{0,25}\b(?:kun|only)\b.{0,25}"
    r"\b(?:med|with|ja|yes)\b"
    r"|\b(?:din|dine|your)\s+(?:instruktioner|instructions|regler|rules|prompt|konfiguration|"
    r"configuration|api)\b|\bapi[- ]?(?:key|nøgle)\w*",
    re.S)

# Requests to produce something (a text, code, a translation): the assistant only answers.
TASK_RE = re.compile(
    r"^(?:kan du |vil du |could you |can you |please |venligst )?(?:skriv|lav|generer|oversæt|"
    r"opret|udfyld|formuler|digt|write|draft|generate|create|translate|compose|code|program|"
    r"debug|fix|implement)\w*\b.{0,40}?(?:ansøgning|skabelon|script|kode|program|digt|"
    r"mail|e-?mail|brev|tekst|sang|query|sql|template|application|code|poem|letter|essay|"
    r"oversættelse|resumé|kontrakt|aftale|til (?:tysk|engelsk|fransk|svensk|norsk|spansk))"
    r"|^(?:kan du |could you |can you )?(?:oversæt|translate)\b"
    r"|\b(?:debugge|debug|python-?script|pytorch|sql|javascript-?kode)\b")

# Recommendations of named things the guide never names: vendors, bodies, funds, models.
RECOMMEND_RE = re.compile(
    r"\bhvilke(?:n|t)?\s+(?:konkrete\s+|specifikke\s+)?(?:bemyndige\w* organ\w*|leverandør\w*|"
    r"virksomhed\w*|firma\w*|fond(?:e|en|ene)?\b|ai-model\w*|model(?:ler)?\b|software\w*|"
    r"algoritme\w*|systemer|konsulent\w*)\b.{0,50}\b(?:kan|skal|bør|er bedst|anbefal\w*|findes|"
    r"vælge|bruge)\b"
    r"|\b(?:which|what)\s+(?:vendor|supplier|notified bod|company|fund|model|software)\w*\b"
    r".{0,40}\b(?:should|can|best|recommend)"
    r"|\bbedst til at\b|\banbefal\w* (?:en|et|nogle|os|mig) (?:god|bestemt|konkret)")

# Asking for a number, an amount, a duration or a date.
NUMBER_RE = re.compile(
    r"\bhvor (?:meget|mange|lang tid|længe|stor|store|dyrt?)\b|\bhvad koster\b|\bkoste[rt]?\b|"
    r"pris(?:en|er|erne)?\b|beløb\w*|\bprocent|\bantal\b|dato\w*|deadline|frist\w*|\bi kraft\b|"
    r"\bbetale\w*|\bbetaling\w*|\budgift\w*|\bgebyr\w*|\bhonorar\w*|\bpay\b|\bfee\w*|"
    r"\bhow (?:much|many|long)\b|\bcost\w*|\bprice\b|\bwhat year\b|\bwhich year\b|\bårstal\b|"
    r"\bhvilket år\b|\bhvornår træder\b|\bhvornår udkom\b|\budkom\b|\budgivet i\b")
STRUCTURE_COUNT_RE = re.compile(
    r"\bhvor mange (?:faser|spor|centrale handlinger|handlinger|trin|skridt)\b|"
    r"\bhow many (?:phases|tracks|key actions|actions|steps)\b")

# Other regulations' specifics: the guide names regulations, it does not cite their articles.
LEGAL_DETAIL_RE = re.compile(
    r"\bartikel\s*\d|\bart\.\s*\d|\barticle\s*\d|§\s*\d|\bstk\.|\bbilag\s+[ivx\d]|\bannex\b|"
    r"\biso\s*\d{4,5}|\biec\s*\d{4,5}|\bhipaa\b|\bfda\b|\b510\(k\)|\bnis\s*2\b|\bklasse\s+(?:i|ii|"
    r"iii|iia|iib|1|2|3)\b|\bclass\s+(?:i|ii|iii|iia|iib)\b|\bsundhedsloven\w*|\bbekendtgørelse"
    r"|\brisikoklasse\w*|\brisk class\w*|\bhøjrisiko\w*|\bhigh-risk\b|\bjournalføring\w*"
    r"|\bdatabeskyttelsesforordning\w*|\bgdpr\b.{0,30}\b(?:siger|kræver|artikel|says|require)")


@dataclass(frozen=True)
class Question:
    text: str
    tracks: tuple[str, ...]  # tracks named in the question
    phases: tuple[tuple[str, int], ...]  # phases named (resolved to tracks where possible)
    kind: str | None  # preferred section kind
    order: str | None  # before | after | next_phase | previous_phase
    order_target: str | None  # the text after "før"/"efter"
    order_head: str | None  # the text before it ("hvilke godkendelser skal indhentes")
    follow_up: bool
    injection: bool
    task: bool
    recommend: bool
    asks_number: bool
    asks_structure_count: bool
    legal_detail: bool
    action_ordinal: str | None  # "first" | "last"
    start: bool
    when: bool
    which_track: bool
    asks_steps: bool
    asks_layout: bool
    topic_text: str  # the question without the words that name a track, phase or section


def _phase_numbers(text: str, tracks: tuple[str, ...]) -> list[tuple[str, int]]:
    found = []
    for m in PHASE_NUMBER_RE.finditer(text):
        number = int(m.group(1) or m.group(2) or 0) or ORDINALS[m.group(3)]
        candidates = tracks or (("ny-ide", "faerdigt-produkt") if number <= 2 else ("ny-ide",))
        for track in candidates:
            limit = 5 if track == "ny-ide" else 2
            if 1 <= number <= limit:
                found.append((track, number))
    for m in EDGE_PHASE_RE.finditer(text):
        last = m.group(1) in ("sidste", "last")
        for track in tracks or ("ny-ide", "faerdigt-produkt"):
            found.append((track, (5 if track == "ny-ide" else 2) if last else 1))
    return found


def _ordinal(norm: str) -> str | None:
    m = ACTION_ORDINAL_RE.search(norm)
    if not m:
        return None
    word = m.group(1) or m.group(2) or m.group(3) or (
        "første" if "første" in m.group(0) else "sidste")
    return "last" if word in ("sidste", "last") else "first"


def understand(text: str) -> Question:
    norm = normalize(" ".join(text.split()))
    topic_text = norm
    for pattern in [*TRACK_PATTERNS.values(), *(p for p, _ in PHASE_PATTERNS), PHASE_NUMBER_RE,
                    EDGE_PHASE_RE, *(p for _, p in KIND_PATTERNS)]:
        topic_text = pattern.sub(" ", topic_text)
    tracks = tuple(t for t, pattern in TRACK_PATTERNS.items() if pattern.search(norm))
    phases = _phase_numbers(norm, tracks)
    for pattern, refs in PHASE_PATTERNS:
        if pattern.search(norm):
            phases.extend(r for r in refs if not tracks or r[0] in tracks)
    phases = list(dict.fromkeys(phases))
    kind = next((k for k, pattern in KIND_PATTERNS if pattern.search(norm)), None)
    order = target = head = None
    for name, pattern in ORDER_PATTERNS:
        if m := pattern.search(norm):
            order = name
            target = m.groupdict().get("target")
            if target is not None:
                head = norm[:m.start("target")]
            break
    if order in (BEFORE, AFTER) and target:
        target = target.strip(" ?.!")
    return Question(
        text=text.strip(),
        tracks=tracks,
        phases=tuple(phases),
        kind=kind,
        order=order,
        order_target=target,
        order_head=head,
        follow_up=bool(FOLLOW_UP_RE.search(norm)),
        injection=bool(INJECTION_RE.search(norm)),
        task=bool(TASK_RE.search(norm)),
        recommend=bool(RECOMMEND_RE.search(norm)),
        asks_number=bool(NUMBER_RE.search(norm)) and not STRUCTURE_COUNT_RE.search(norm),
        asks_structure_count=bool(STRUCTURE_COUNT_RE.search(norm)),
        legal_detail=bool(LEGAL_DETAIL_RE.search(norm)),
        action_ordinal=_ordinal(norm),
        start=bool(START_RE.search(norm)),
        when=bool(WHEN_RE.search(norm)),
        which_track=bool(WHICH_TRACK_RE.search(norm)),
        asks_steps=bool(STEPS_RE.search(norm)),
        asks_layout=bool(LAYOUT_RE.search(norm)),
        topic_text=topic_text,
    )
