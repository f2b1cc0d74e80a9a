"""Salutations in Spanish, for packs that declare ``language: es``.

The rules are the English engine's (``app.core.address``): the same office, rank, religious or
courtesy title is chosen, then said in Spanish, agreeing with the addressee ("Estimado Secretario
Kelly:", "Estimada Jueza Ruiz:", "Estimado Señor Presidente:"). Where the courtesy title does not
say whether the addressee is a man or a woman, "Honorable" (which does not agree) opens the line
instead of "Estimado/Estimada". Sources: Real Academia Española, 'Diccionario panhispánico de
dudas: tratamientos'; Fundéu, 'cargos en femenino' (jueza, presidenta, alcaldesa).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core import address as forms
from app.core import protocol as p
from app.core.address import Addressable

# English form -> (masculine, feminine). Offices, ranks and religious titles as a salutation uses them.
FORMS: dict[str, tuple[str, str]] = {
    "Mr.": ("Sr.", "Sra."), "Ms.": ("Sr.", "Sra."), "Mrs.": ("Sr.", "Sra."), "Miss": ("Sr.", "Srta."),
    "Dr.": ("Dr.", "Dra."), "Professor": ("Profesor", "Profesora"),
    "Secretary": ("Secretario", "Secretaria"), "Attorney General": ("Fiscal General", "Fiscal General"),
    "Solicitor General": ("Procurador General", "Procuradora General"),
    "Inspector General": ("Inspector General", "Inspectora General"),
    "Governor": ("Gobernador", "Gobernadora"), "Lieutenant Governor": ("Vicegobernador", "Vicegobernadora"),
    "Senator": ("Senador", "Senadora"), "Representative": ("Representante", "Representante"),
    "Delegate": ("Delegado", "Delegada"), "Assemblymember": ("Asambleísta", "Asambleísta"),
    "Assemblyman": ("Asambleísta", "Asambleísta"), "Assemblywoman": ("Asambleísta", "Asambleísta"),
    "Mayor": ("Alcalde", "Alcaldesa"), "Councilmember": ("Concejal", "Concejala"),
    "Councilman": ("Concejal", "Concejala"), "Councilwoman": ("Concejal", "Concejala"),
    "Supervisor": ("Supervisor", "Supervisora"), "Sheriff": ("Alguacil", "Alguacil"),
    "District Attorney": ("Fiscal de Distrito", "Fiscal de Distrito"),
    "City Attorney": ("Procurador Municipal", "Procuradora Municipal"),
    "Public Defender": ("Defensor Público", "Defensora Pública"),
    "Judge": ("Juez", "Jueza"), "Justice": ("Magistrado", "Magistrada"),
    "Chief Justice": ("Magistrado Presidente", "Magistrada Presidenta"),
    "Ambassador": ("Embajador", "Embajadora"), "President": ("Presidente", "Presidenta"),
    "Vice President": ("Vicepresidente", "Vicepresidenta"), "Speaker": ("Presidente", "Presidenta"),
    "Director": ("Director", "Directora"), "Administrator": ("Administrador", "Administradora"),
    "Commissioner": ("Comisionado", "Comisionada"), "Chair": ("Presidente", "Presidenta"),
    "Chairman": ("Presidente", "Presidenta"), "Chairwoman": ("Presidente", "Presidenta"),
    "Superintendent": ("Superintendente", "Superintendente"), "Treasurer": ("Tesorero", "Tesorera"),
    "Controller": ("Contralor", "Contralora"), "Comptroller": ("Contralor", "Contralora"),
    "Marshal": ("Alguacil", "Alguacil"), "Dean": ("Decano", "Decana"), "Chancellor": ("Rector", "Rectora"),
    "Prime Minister": ("Primer Ministro", "Primera Ministra"), "Minister": ("Ministro", "Ministra"),
    "High Commissioner": ("Alto Comisionado", "Alta Comisionada"),
    "Secretary-General": ("Secretario General", "Secretaria General"),
    "Director-General": ("Director General", "Directora General"),
    "Chief": ("Jefe", "Jefa"), "Principal Chief": ("Jefe Principal", "Jefa Principal"),
    "Sister": ("Hermana", "Hermana"), "Brother": ("Hermano", "Hermano"), "Father": ("Padre", "Padre"),
    "Mother": ("Madre", "Madre"), "Reverend": ("Reverendo", "Reverenda"), "Pastor": ("Pastor", "Pastora"),
    "Bishop": ("Obispo", "Obispa"), "Archbishop": ("Arzobispo", "Arzobispo"), "Cardinal": ("Cardenal", "Cardenal"),
    "Monsignor": ("Monseñor", "Monseñor"), "Rabbi": ("Rabino", "Rabina"), "Imam": ("Imán", "Imán"),
    "Chaplain": ("Capellán", "Capellana"), "Deacon": ("Diácono", "Diaconisa"),
    "General": ("General", "General"), "Admiral": ("Almirante", "Almirante"), "Colonel": ("Coronel", "Coronel"),
    "Major": ("Mayor", "Mayor"), "Captain": ("Capitán", "Capitana"), "Lieutenant": ("Teniente", "Teniente"),
    "Commander": ("Comandante", "Comandante"), "Sergeant": ("Sargento", "Sargento"),
    "Corporal": ("Cabo", "Cabo"), "Private": ("Soldado", "Soldado"), "Airman": ("Aviador", "Aviadora"),
    "Seaman": ("Marinero", "Marinera"), "Ensign": ("Alférez", "Alférez"),
}
# Qualifiers: Spanish puts them after the office ("Secretario interino", "Fiscal General adjunto").
QUALIFIERS: dict[str, tuple[str, str]] = {
    "Acting": ("interino", "interina"), "Interim": ("interino", "interina"), "Deputy": ("adjunto", "adjunta"),
    "Assistant": ("adjunto", "adjunta"), "Associate": ("asociado", "asociada"),
}
LINES = {"Excellency": "Excelencia:", "Your Holiness": "Su Santidad:", "Your Beatitude": "Su Beatitud:",
         "Your All Holiness": "Su Toda Santidad:", "Sir or Madam": "A quien corresponda:"}
MIXED_GROUP = "Estimados señores y señoras:"
# A courtesy title typed in Spanish is kept as typed: "Lic.", "Ing.", "Mtra." have no English twin.
_SPANISH_COURTESY = {"lic", "licdo", "licda", "ing", "mtro", "mtra", "arq", "dra", "sr", "sra", "srta",
                     "senor", "senora", "senorita"}


def _gendered(pair: tuple[str, str], gender: str | None) -> str:
    return pair[1] if gender == "f" else pair[0]


def _form_es(form: str, gender: str | None) -> str | None:
    """"Acting Secretary" -> "Secretario interino"; "Governor-elect" -> "Gobernador electo"; None if unknown."""
    elect = form.endswith("-elect")
    form = form.removesuffix("-elect")
    after: list[str] = []
    words = form.split()
    while len(words) > 1 and words[0] in QUALIFIERS:
        after.append(_gendered(QUALIFIERS[words.pop(0)], gender))
    base = " ".join(words)
    if base not in FORMS:
        return None
    said = " ".join([_gendered(FORMS[base], gender), *after])
    return said + (" electa" if gender == "f" else " electo") if elect else said


def _courtesy_written(addressee: Addressable) -> str | None:
    """A Spanish courtesy title typed in the honorific or courtesy field, as typed ("Lic.")."""
    for text in (getattr(addressee, "courtesy", None), addressee.honorific):
        key = p.normal(text or "")
        if key in _SPANISH_COURTESY:
            return p.COURTESY[key].form
    return None


def salutation_words(addressee: Addressable) -> tuple[str, str | None]:
    """(the words after "Estimado/Estimada" or the whole line, the gender agreed with: "m", "f", None);
    a whole line (no "Estimado") ends with a colon."""
    explained = forms.explain_salutation(addressee)
    if explained.rule == "the salutation written for this addressee":
        return explained.line, None
    name = explained.name.rstrip(":")
    if name in LINES:
        return LINES[name], None
    return _say(name, explained.surname, explained.gender, addressee)


def _say(name: str, surname: str, gender: str | None, addressee: Addressable) -> tuple[str, str | None]:
    """The English words after "Dear" ("Secretary Kelly", "Mr. President") said in Spanish."""
    if surname and name.endswith(surname) and name != surname:
        form = name[: -len(surname)].strip()
        if form in ("Mr.", "Ms.", "Mrs.", "Miss", "Lic.", "Ing.", "Arq."):
            written = _courtesy_written(addressee)
            if written:
                return f"{written} {surname}", gender
        said = _form_es(form, gender)
        if said is not None:
            return f"{said} {surname}", gender
    for prefix, (masc, fem) in (("Mr. ", ("Señor", "Señora")), ("Madam ", ("Señor", "Señora"))):
        if name.startswith(prefix):
            said = _form_es(name.removeprefix(prefix), "f" if prefix == "Madam " else "m")
            if said is not None:
                return f"{fem if prefix == 'Madam ' else masc} {said}", "f" if prefix == "Madam " else "m"
    said = _form_es(name, gender)
    if said is not None:
        return said, gender
    return name, gender


def _opening(gender: str | None, plural: bool = False, office: bool = True) -> str:
    if gender is None:
        # Neither agrees with a gender: "Honorable" before an office, "Apreciable" before a courtesy title.
        word = "Honorable" if office else "Apreciable"
        return word + ("s" if plural else "")
    word = "Estimada" if gender == "f" else "Estimado"
    return word + "s" if plural else word


def salutation_line(addressee: Addressable) -> str:
    """One addressee's salutation in Spanish: "Estimada Jueza Ruiz:", "Excelencia:"."""
    words, gender = salutation_words(addressee)
    if words.endswith(":"):
        return words
    courtesy = words.split()[0] in {c.form for c in p.COURTESY.values()} | {"Dr.", "Dra."}
    return f"{_opening(gender, office=not courtesy)} {words}:"


def joint_salutation(addressees: Sequence[Addressable], group: str | None = None,
                     mixed_group: str = MIXED_GROUP) -> str:
    """The letter's salutation in Spanish; several addressees share one "Estimados" (masculine
    plural unless every one is a woman), joined with "y"; many are greeted as a group."""
    written = forms.written_salutation(group)
    if written is not None:
        return written
    if forms.uses_distribution(len(addressees)):
        return mixed_group
    if len(addressees) == 1:
        return salutation_line(addressees[0])
    said = [salutation_words(a) for a in addressees]
    if any(words == LINES["Sir or Madam"] for words, _ in said):
        return mixed_group
    for i, (words, _gender) in enumerate(said):
        if words.endswith(":"):
            # A line of its own ("Excelencia:") joins the others by its office: "Embajador Dupont".
            explained = forms.explain_salutation(addressees[i])
            said[i] = _say(explained.joinable, explained.surname, explained.gender, addressees[i])
    genders = {gender for _, gender in said}
    opening = _opening(None if None in genders else ("f" if genders == {"f"} else "m"), plural=True)
    return f"{opening} {_join([words for words, _ in said])}:"


def _join(names: Sequence[str]) -> str:
    # Spanish joins the last two with "y" and puts no comma before it.
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" y {names[-1]}"
