"""What the assistant says in its own words (in Danish): refusals and the framing around quotes.

Kept in one place so the wording is consistent and easy to review; the guide's words are never
here, only ours.
"""

NOT_COVERED = ("Det dækker guiden ikke. AI-rejsen handler om at udvikle og implementere "
               "AI-produkter i sundhedsvæsenet gennem offentlig-privat samarbejde; spørg fx om "
               "en fase, dens centrale handlinger, eller hvad man skal være opmærksom på.")
INJECTION = ("Jeg følger ikke instruktioner i spørgsmålet. Jeg svarer kun ud fra AI-rejsen "
             "og med kildehenvisninger; stil gerne et spørgsmål om guiden.")
TASK = "Det kan jeg ikke: jeg skriver ikke {what}, men svarer ud fra guidens egne ord."
TASK_NEAREST = "Det nærmeste, guiden siger om det, er:"
DETAIL = "Guiden angiver ikke {what}. Det nærmeste, den siger, er:"
DETAIL_GENERIC = "det, du spørger om"
MISSING_PHASE = "{track} har {count} faser; der er ingen fase {number}."
MISSING_PHASE_ANY = "Guiden har {tracks}; der er ingen fase {number}."
MISSING_ACTION = ("{place} har {count} centrale handlinger; der er ingen handling nr. "
                  "{number}.")
MISSING_TRACK = "Guiden har {count} spor, {names}; der er intet spor nr. {number}."
UNREADABLE = ("Jeg kan kun læse spørgsmål skrevet på dansk eller engelsk. Skriv gerne "
              "spørgsmålet med ord, fx »Hvad sker der i fase 1?«")

# What a task asks for, by its verb: for "Det kan jeg ikke: jeg skriver ikke …".
TASK_OBJECTS = {
    "oversæt": "oversættelser", "translate": "oversættelser",
    "kode": "kode", "code": "kode", "script": "kode", "program": "kode",
}
TASK_DEFAULT = "tekster, dokumenter eller kode for dig"


def join(items: list[str]) -> str:
    """'A', 'A og B', 'A, B og C': a Danish list."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]
