"""Word lists for reading questions: words that say where in the guide (place words) and
everyday words that say nothing about the topic (neutral for the relevance check)."""

# Words that say where in the guide, not what about: a question of only these asks for a phase
# or section as a whole.
PLACE_WORDS = frozenset("""
fase faser fasen faserne spor sporet sporene phase phases track tracks handling handlinger
handlingen handlingerne central centrale opmærksom opmærksomme opmærksomhed opmærksomhedspunkter
formål formålet purpose handler sker indeholder indeholde består omfatter omfatte går ud gøre gør
ny nye nyt idé ide færdigt færdig produkt produktet guide guiden guidens ai-rejsen rejsen
ai-rejsens airejsen guides
hovedpunkter vigtigste key actions action watch-outs watch out first næste forrige kommer trin
skridt steps step about happens main points punkter punkt overblik oversigt kort kortfattet
opsummer opsummering summary summarise summarize beskriv describe explain forklar forklaring
lave laver vær værd holde øje mål målet meningen mening pointen fokus fokusere dreiier drejer
sig fortæl tell indebærer indebære indhold indholdet forklare består bestå forskel forskellen
forskelle difference differences afsnit afsnittene sections consist consists udvikle udvikler
udvikles udviklet udvikling developing develop implementere implementerer implementeres
implementeret implementing implement hører høre belong belongs
""".split())

# Everyday words: neither a sign that a question is about the guide nor that it is not.
COMMON_WORDS = frozenset("""
er var være været bliver blive blev har have havde kan kunne skal skulle må måtte bør burde vil
ville gør gøre gjorde gøres få får fik fået giver give gav givet tage tager tog taget kommer komme
kom ligger ligge står stå stod finde finder fandt bruge bruger bruges brugt lave laver lavet
sætte sætter sat går gå gik ske sker skete spiller spille hjælpe hjælper vide ved vidste mene
mener menes betyder betyde betyd hedder hedde handle forstå forstår tænke tænker snakke snakker
tale taler sige siger sagt vise viser se ser kigge kigger følge følger følges holde holder
starte starter begynde begynder bare lige nu så også dog jo vel altså fx osv ok okay hej tak ja
nej ting noget nogen ingenting måde måder del dele side gang gange sted steder spørgsmål svar
eksempel eksempler hjælp info information rolle roller slags type typer god godt gode bedre
bedste bedst stor store større lille små vigtig vigtigt vigtige særlig særligt særlige hel hele
helt første sidste anden andet andre nye egen egne eget konkret konkrete rigtig rigtigt rigtige
forskellig forskellige præcis præcist typisk typiske normalt overhovedet egentlig faktisk ret
meget mest mere lidt flere færre hver hvert enhver alle samme sådan sådanne vores jeres hans
hendes deres vi jeg du i man den det de dem denne dette disse hvordan hvorfor hvilke hvilken
hvilket hvad hvem hvor hvornår mon allerede stadig endnu igen længere tidligere senere først
sidst efter før inden under over mellem gennem hos mod uden med ved til fra om på af ind ud op
ned hvis når fordi selvom mens eller samt både enten hverken ikke aldrig altid ofte tit sjældent
muligt mulig mulige nødvendigt nødvendig nødvendige vigtigt skulle bør krav kræver kræves
egentligt overordnet generelt gerne helst nok vist rigtigt forkert kort lang langt længe hurtigt
hurtig nemt nem svært svær gå går gøre ting folk personer person nogle noget alting hinanden
bag version versionen hjem hjemme inde dag dage uge uger måned måneder år året årene tid tiden
sammen hver findes derude ellers kun selve vel sigt igennem plads intern interne internt
ekstern eksterne eksternt lokal lokale hospital hospitalet afdeling region regionen kommune
medarbejdere kolleger kollega chef ledelse ledelsen team teamet projekt projektet projektleder
firma virksomhed virksomheden leder ledere brug bruger brugere materiale materialer oplæg
præsentation præsentationen slides møde møder mødet dokument dokumenter rapport rapporten
foregår foregå foregik foregået ifølge according written wrote slags delt
a an the of to in on for is are was were be been being am do does did done doing have has had
having can could shall should will would may might must need needs needed it its this that these
those there here what which who whom whose how why when where whether if then than so such as at
by from with without into onto over under about after before during between through across up
down out off again further once all any both each few more most other some own same only very
too just also not no nor yes our ours your yours my mine me we us you they them their his her
he she i and or but because while until although though get gets got getting make makes made
making go goes went going come comes came coming take takes took taking give gives gave given
use uses used using run runs running put puts want wants like know knows think thinks say says
said tell told see look looks find finds found work works keep keeps start starts begin begins
first last next new old good best better kind kinds sort type types way ways thing things part
parts place places time times day days year years one two three difference differences between
really actually exactly basically generally typically usually please thanks hello hi okay ok
happen happens happened someone something anything everything everyone anyone people person
consist consists according require requires required required sign signs during whole
""".split())
