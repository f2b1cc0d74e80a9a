"""Which word of a personal name is the family name, by the name's own culture.

nameparser (a small, pure-Python, well-kept parser with no dependencies of its own) reads the
Western shape: given names, particles that belong to the surname ("de León", "van der Rohe",
"bin Hamad"), conjunctions ("Ortega y Gasset"). What it does not know is added here, each rule
with the convention it follows (Chicago, 'Names: particles, compound and Spanish surnames, Asian
names'):

- a family name written in capitals is the family name wherever it stands ("TANAKA Hiroshi");
- East Asian names written family name first ("Kim Min-ji", "Nguyễn Văn An");
- Spanish and Portuguese double surnames ("García Márquez", "Cortez Masto");
- Irish particles ("Ní Bhriain", "Ó Briain", "Mac Aodha"), which nameparser lacks;
- a single name (a mononym) is the name the salutation uses.

Where two readings are possible the reading taken is said, with the other one, so the clerk is
asked instead of the letter guessing silently.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nameparser.config import Constants


@functools.cache
def _constants() -> Constants:
    """nameparser's constants with the particles it lacks; made on first use, because importing
    nameparser and building its tables costs about 30 ms that the window's start need not pay."""
    from nameparser.config import Constants  # deferred: see above

    # nameparser's own constants are module-global; a private copy keeps the additions here.
    constants = Constants()
    constants.prefixes.add("ní", "nic", "ó", "ui", "uí", "mac", "mhic", "bint", "ibn", "bin", "ben", "ap", "al",
                           "el", "da", "das", "dos", "do", "della", "ter", "ten", "zu", "af", "av")
    # Titles and suffixes are read by app.core.address from the court's own tables before the name
    # reaches here; nameparser must not take "Judge" or "Major" from what is left.
    constants.titles.remove(*list(constants.titles))
    constants.suffix_acronyms.remove(*list(constants.suffix_acronyms))
    constants.suffix_not_acronyms.remove(*list(constants.suffix_not_acronyms))
    return constants


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The commonest family names of Korea, China (pinyin and Wade-Giles), Japan and Vietnam: a name of
# two words that starts with one of these may be written family name first.
EAST_ASIAN_FAMILY_NAMES = _words("""
kim lee yi park pak choi choe jung jeong chung kang cho jo yoon yun jang chang lim im han oh seo suh
shin kwon hwang ahn an song yoo yu hong jeon chun ko go moon mun yang son bae baek paik heo huh nam noh
roh wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie
song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding
ren shen yao zhong tan tanaka suzuki sato takahashi watanabe ito yamamoto nakamura kobayashi kato
yoshida yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto
ishikawa nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly
""")
# Vietnamese middle names that mark a name written family name first ("Nguyễn Văn An").
VIETNAMESE_MIDDLE = _words("""
dinh duc huu minh ngoc quoc thanh thi van xuan
""")
# Common Spanish and Portuguese family names: before another capitalised word they start a double
# surname ("García Márquez", "Cortez Masto"), not a middle name.
HISPANIC_SURNAMES = _words("""
garcia martinez rodriguez lopez hernandez gonzalez gonzales perez sanchez ramirez torres flores rivera
gomez diaz cruz morales ortiz gutierrez chavez ramos ruiz alvarez mendoza castillo jimenez moreno romero
herrera medina aguilar vargas castro fernandez guzman munoz cortez cortes silva santos costa oliveira
pereira souza sousa ferreira alves lima carvalho rocha almeida nascimento araujo ribeiro barbosa marques
mendes nunes soares vieira cardoso teixeira correia reyes dominguez vazquez velazquez salazar navarro
delgado rios estrada ortega soto contreras guerrero luna juarez mejia campos vega nunez sandoval
espinoza acosta padilla fuentes cabrera cervantes villanueva molina figueroa rojas pineda bustamante
serrano calderon lozano montoya valdez valencia maldonado ibarra zamora obregon roybal masto lujan
""")
# Spanish and Portuguese given names that often stand second ("Juan Carlos", "María José"): the
# word after one of these is not the start of a double surname.
HISPANIC_GIVEN_NAMES = _words("""
juan jose josé maria maría carlos luis miguel antonio manuel francisco javier jesus pablo pedro andres
alejandro ana isabel elena teresa carmen luisa cristina fernanda alberto eduardo enrique ernesto felipe
fernando gabriel guadalupe ignacio jorge ricardo roberto rafael ramon angel sofia lucia paula patricia
rosa mercedes dolores pilar beatriz victoria alicia daniel david diego emilio esteban gerardo gustavo
hector hugo jaime joaquin julio lorenzo marcos mario martin mateo nicolas oscar raul ruben salvador
santiago sergio tomas vicente
""")
_ROMAN = re.compile(r"^(i|ii|iii|iv|v|vi|vii|viii|ix|x)$", re.IGNORECASE)
_INITIAL = re.compile(r"^[A-Za-z]\.?$")


@dataclass(frozen=True)
class SurnameReading:
    """The family name taken, and, when another reading was possible, what was taken and why."""

    surname: str
    reason: str = ""          # empty when the reading is settled
    family_first: bool = False


def _plain(word: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return stripped.lower().replace("đ", "d").strip(".,")


def _accented(word: str) -> bool:
    return unicodedata.normalize("NFKD", word) != word or "ñ" in word.lower()


def _in_capitals(word: str) -> bool:
    """A name written in capitals; not initials run together ("JB"), which have no vowel."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and not _ROMAN.match(word) \
        and any(_plain(c) in "aeiouy" for c in letters)


def _title_case(word: str) -> str:
    # "TANAKA" -> "Tanaka", "O'BRIEN" -> "O'Brien", "PÉREZ-GÓMEZ" -> "Pérez-Gómez".
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), word)


def _ask(taken: str, other: str, why: str) -> str:
    return (f"the family name is read as '{taken}' ({why}); if it is '{other}', fill in the surname")


@functools.lru_cache(maxsize=2048)
def read_surname(words: tuple[str, ...]) -> SurnameReading:
    """The family name among ``words`` (a name without titles before it or letters after it)."""
    if not words:
        return SurnameReading("")
    if len(words) == 1:
        # A mononym: the one name is what follows the title ("Ms. Cher", "Archbishop Elpidophoros").
        return SurnameReading(words[0])
    capitals = [i for i, w in enumerate(words) if _in_capitals(w)]
    if capitals and len(capitals) < len(words):
        start, end = capitals[0], capitals[0]
        while end + 1 < len(words) and end + 1 in capitals:
            end += 1
        # Capitals mark the family name (the convention of passports and of East Asian names in
        # Western text); the salutation prints it in ordinary case.
        return SurnameReading(" ".join(_title_case(w) for w in words[start:end + 1]), family_first=start == 0)
    plain = [_plain(w) for w in words]
    if len(words) >= 3 and plain[0] in EAST_ASIAN_FAMILY_NAMES and plain[1] in VIETNAMESE_MIDDLE:
        western = words[-1]
        return SurnameReading(words[0], _ask(words[0], western, "a Vietnamese name, family name first"),
                              family_first=True)
    # "Min-ji", "Xiao-ming": a romanised East Asian given name after the family name.
    if len(words) == 2 and plain[0] in EAST_ASIAN_FAMILY_NAMES and re.fullmatch(r"[A-Z][a-z]+-[a-z]+", words[1]):
        return SurnameReading(words[0], _ask(words[0], words[1], "an East Asian name, family name first"),
                              family_first=True)
    from nameparser import HumanName  # deferred with _constants()

    parsed = HumanName(" ".join(words), constants=_constants())
    last = parsed.last or words[-1]
    last_words = last.split()
    start = len(words) - len(last_words)
    if start <= 0:
        return SurnameReading(words[-1])
    before = words[start - 1]
    if len(last_words) == 1 and start >= 2 and not _INITIAL.match(before) and before[:1].isupper():
        double = f"{before} {last}"
        # An accent on the last word alone says nothing of the word before it ("Ben Ray Luján").
        spanish = _plain(before) in HISPANIC_SURNAMES or _accented(before)
        if spanish and _plain(before) not in HISPANIC_GIVEN_NAMES:
            return SurnameReading(double, _ask(double, last, "a Spanish or Portuguese double family name"))
        return SurnameReading(last, _ask(last, double, "the last word; a two-word or Spanish family name, or "
                                                      "one written first, reads otherwise"))
    return SurnameReading(last)
