"""The tables behind the forms of address, each with the reference it follows.

The engine in ``app.core.address`` holds the rules; these tables hold the words. A table entry is
matched on normalised words: lower case, accents and full stops removed ("Lt. Gen." -> "lt gen",
"Chargé d'Affaires" -> "charge d'affaires").

SOURCES names, for every table, the section of the reference a protocol officer would open.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

HICKEY = "Hickey, Honor & Respect"
STATE = "U.S. Department of State, Office of the Chief of Protocol"
POST = "Emily Post's Etiquette"
CHICAGO = "The Chicago Manual of Style"
GPO = "U.S. Government Publishing Office Style Manual"

SOURCES: dict[str, str] = {
    "ranks": f"{HICKEY}, 'Armed Services' (officers, warrant officers and enlisted of the Army, Navy, "
             f"Air Force, Marine Corps, Coast Guard and Space Force: address by full rank, salute by the "
             f"rank's short form); {GPO}, 'Abbreviations: military titles'",
    "rank_over_office": f"{HICKEY}, 'Armed Services: officers in civilian positions' (an officer is addressed "
                        f"by rank in a military or appointed office; an elected, cabinet, judicial or "
                        f"diplomatic office held by a retired officer is used instead)",
    "clergy": f"{HICKEY}, 'Religious Officials' (Roman Catholic, Episcopal, Protestant, Orthodox, Jewish and "
              f"Muslim clergy); {POST}, 'Forms of address: clergy'",
    "unique_offices": f"{HICKEY}, 'Precedence and one-of-a-kind offices' (the President, the Vice President, "
                      f"the Chief Justice, the Speaker); {STATE}, 'Forms of Address: The President'",
    "executive": f"{HICKEY}, 'U.S. Federal Officials' and 'U.S. State Officials' (Dear Secretary (Surname), "
                 f"Dear Governor (Surname), Dear Attorney General (Surname))",
    "legislative": f"{HICKEY}, 'U.S. Legislators' and 'State Legislators' (Senator, Representative, "
                   f"Delegate, Assemblymember; leaders and whips by their chamber's title)",
    "local": f"{HICKEY}, 'Local Officials' (Mayor, Councilmember, Supervisor, Sheriff, District Attorney)",
    "judicial": f"{HICKEY}, 'U.S. Judiciary' and 'State Judiciary' (Dear Justice / Dear Judge (Surname); "
                f"the Chief Justice of the United States as Dear Chief Justice)",
    "diplomatic": f"{STATE}, 'Forms of Address: Ambassadors and Chargés d'Affaires'; {HICKEY}, 'Diplomats' "
                  f"(a U.S. ambassador as Dear Ambassador (Surname); a foreign ambassador as Excellency or "
                  f"Dear Mr./Madam Ambassador)",
    "academic": f"{HICKEY}, 'Academics' (President, Chancellor, Dean, Professor); {POST}, 'Doctors'",
    "post_nominals": f"{CHICAGO}, 'Academic degrees' and 'Esquire' (no courtesy title with Esq.; no Dr. with "
                     f"a doctorate after the name); {POST}, 'Professional titles'",
    "modifiers": f"{HICKEY}, 'Former, Acting, Elect, Pro Tempore' (a former official is not addressed by the "
                 f"office; acting and -elect stay in the salutation); {STATE}, 'Forms of Address: "
                 f"former officials'",
    "honorable": f"{HICKEY}, 'The Honorable' (always 'The Honorable' in full before a full name, never in a "
                 f"salutation); {GPO}, 'Forms of address'",
    "courtesy": f"{POST}, 'Forms of address: Mr., Ms., Mrs.'; {CHICAGO}, 'Titles and offices'",
    "surname": f"{CHICAGO}, 'Names: particles, compound and Spanish surnames, Asian names' (the family "
               f"name is not always the last word)",
    "written": f"{CHICAGO}, 'Salutations' (a salutation the writer chose is printed as written, with its own "
               f"punctuation); {HICKEY}, 'The Honorable' (which is still left out of it)",
    "group": f"{CHICAGO}, 'Salutations to groups'; {HICKEY}, 'Letters to several officials' (a group "
             f"salutation and a distribution list when the addressees are many)",
    "former": f"{HICKEY}, 'Former Officials' (a former holder of an office of which there are many at a time, "
              f"a senator, a representative, an ambassador, keeps its title; a former holder of a one-of-a-kind "
              f"office, a governor, a mayor, a secretary, is Mr. or Ms.; a former President of the United States "
              f"keeps 'President' by tradition); {STATE}, 'Forms of Address: former officials'",
    "international": f"{STATE}, 'Forms of Address: International Organizations' (the Secretary-General, High "
                     f"Commissioners, Directors-General, judges of international courts); {HICKEY}, "
                     f"'International Officials'",
    "foreign": f"{STATE}, 'Forms of Address: Foreign Officials' (a head of government as Dear Mr./Madam Prime "
               f"Minister, a minister as Dear Mr./Madam Minister, a member of a parliament as Mr. or Ms.); "
               f"{HICKEY}, 'Officials of Other Countries'",
    "tribal": f"{HICKEY}, 'Tribal Officials' (Principal Chief, Chief, Chairman, Governor, President of a tribe "
              f"or nation, by the office and the surname)",
    "spanish": f"{POST}, 'Forms of address in other languages'; Real Academia Espanola, 'Diccionario "
               f"panhispanico de dudas: tratamientos' (Sr., Sra., Srta., Lic., Licda., Dr., Dra., Ing., Mtro., "
               f"Mtra. are courtesy titles; the salutation 'Estimado/Estimada' agrees with the addressee)",
}


@dataclass(frozen=True)
class Rank:
    """A military grade: the full form for the address, the form after "Dear"."""

    full: str
    salutation: str
    services: str


# Full rank -> (form after "Dear", services, abbreviations used by those services). The short form
# is Hickey's: every general officer is "General", every flag officer "Admiral", a lieutenant
# colonel "Colonel", a lieutenant commander "Commander", a first or second lieutenant "Lieutenant".
_RANKS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("General of the Army", "General", "Army", ()),
    ("Fleet Admiral", "Admiral", "Navy", ("FADM",)),
    ("General", "General", "Army, Air Force, Marine Corps, Space Force", ("GEN", "Gen")),
    ("Lieutenant General", "General", "Army, Air Force, Marine Corps, Space Force",
     ("LTG", "Lt Gen", "LtGen", "Lieut Gen")),
    ("Major General", "General", "Army, Air Force, Marine Corps, Space Force", ("MG", "Maj Gen", "MajGen")),
    ("Brigadier General", "General", "Army, Air Force, Marine Corps, Space Force",
     ("BG", "Brig Gen", "BGen", "BrigGen")),
    ("Colonel", "Colonel", "Army, Air Force, Marine Corps, Space Force", ("COL", "Col")),
    ("Lieutenant Colonel", "Colonel", "Army, Air Force, Marine Corps, Space Force", ("LTC", "Lt Col", "LtCol")),
    ("Major", "Major", "Army, Air Force, Marine Corps, Space Force", ("MAJ", "Maj")),
    ("Captain", "Captain", "all services (Navy and Coast Guard: an O-6)", ("CPT", "Capt", "CAPT")),
    ("First Lieutenant", "Lieutenant", "Army, Air Force, Marine Corps, Space Force", ("1LT", "1st Lt", "1stLt")),
    ("Second Lieutenant", "Lieutenant", "Army, Air Force, Marine Corps, Space Force", ("2LT", "2nd Lt", "2ndLt")),
    ("Admiral", "Admiral", "Navy, Coast Guard", ("ADM", "Adm")),
    ("Vice Admiral", "Admiral", "Navy, Coast Guard", ("VADM", "VAdm", "Vice Adm")),
    ("Rear Admiral", "Admiral", "Navy, Coast Guard", ("RADM", "RAdm", "Rear Adm", "RDML")),
    ("Rear Admiral (lower half)", "Admiral", "Navy, Coast Guard", ()),
    ("Commodore", "Commodore", "Navy (historical)", ("COMO",)),
    ("Commander", "Commander", "Navy, Coast Guard", ("CDR", "Cmdr", "Cdr")),
    ("Lieutenant Commander", "Commander", "Navy, Coast Guard", ("LCDR", "Lt Cmdr", "Lt Cdr")),
    ("Lieutenant", "Lieutenant", "Navy, Coast Guard", ("LT", "Lt", "Lieut")),
    ("Lieutenant (junior grade)", "Lieutenant", "Navy, Coast Guard", ("LTJG", "Lt jg", "Lt (jg)")),
    ("Lieutenant Junior Grade", "Lieutenant", "Navy, Coast Guard", ()),
    ("Ensign", "Ensign", "Navy, Coast Guard", ("ENS",)),
    ("Chief Warrant Officer", "Chief Warrant Officer", "all services",
     ("CWO", "CW2", "CW3", "CW4", "CW5", "CWO2", "CWO3", "CWO4", "CWO5")),
    ("Warrant Officer", "Warrant Officer", "all services", ("WO", "WO1")),
    ("Sergeant Major of the Army", "Sergeant Major", "Army", ("SMA",)),
    ("Sergeant Major of the Marine Corps", "Sergeant Major", "Marine Corps", ("SMMC",)),
    ("Command Sergeant Major", "Sergeant Major", "Army", ("CSM",)),
    ("Sergeant Major", "Sergeant Major", "Army, Marine Corps", ("SGM", "SgtMaj")),
    ("Master Gunnery Sergeant", "Master Gunnery Sergeant", "Marine Corps", ("MGySgt",)),
    ("Gunnery Sergeant", "Gunnery Sergeant", "Marine Corps", ("GySgt",)),
    ("First Sergeant", "First Sergeant", "Army, Marine Corps", ("1SG", "1stSgt")),
    ("Master Sergeant", "Sergeant", "Army, Air Force, Marine Corps", ("MSG", "MSgt")),
    ("Sergeant First Class", "Sergeant", "Army", ("SFC",)),
    ("Staff Sergeant", "Sergeant", "Army, Air Force, Marine Corps", ("SSG", "SSgt")),
    ("Technical Sergeant", "Sergeant", "Air Force, Space Force", ("TSgt",)),
    ("Chief Master Sergeant of the Air Force", "Chief", "Air Force", ("CMSAF",)),
    ("Chief Master Sergeant", "Chief", "Air Force, Space Force", ("CMSgt",)),
    ("Senior Master Sergeant", "Sergeant", "Air Force, Space Force", ("SMSgt",)),
    ("Sergeant", "Sergeant", "Army, Marine Corps, Space Force", ("SGT", "Sgt")),
    ("Corporal", "Corporal", "Army, Marine Corps", ("CPL", "Cpl")),
    ("Lance Corporal", "Lance Corporal", "Marine Corps", ("LCpl",)),
    ("Specialist", "Specialist", "Army, Space Force", ("SPC", "Spc")),
    ("Private First Class", "Private", "Army, Marine Corps", ("PFC",)),
    ("Private", "Private", "Army, Marine Corps", ("PVT", "PV2", "Pvt")),
    ("Senior Airman", "Airman", "Air Force", ("SrA",)),
    ("Airman First Class", "Airman", "Air Force", ("A1C",)),
    ("Airman", "Airman", "Air Force", ("Amn",)),
    ("Airman Basic", "Airman", "Air Force", ("AB",)),
    ("Master Chief Petty Officer of the Navy", "Master Chief", "Navy", ("MCPON",)),
    ("Master Chief Petty Officer of the Coast Guard", "Master Chief", "Coast Guard", ("MCPOCG",)),
    ("Master Chief Petty Officer", "Master Chief", "Navy, Coast Guard", ("MCPO",)),
    ("Senior Chief Petty Officer", "Senior Chief", "Navy, Coast Guard", ("SCPO",)),
    ("Chief Petty Officer", "Chief", "Navy, Coast Guard", ("CPO",)),
    ("Petty Officer First Class", "Petty Officer", "Navy, Coast Guard", ("PO1",)),
    ("Petty Officer Second Class", "Petty Officer", "Navy, Coast Guard", ("PO2",)),
    ("Petty Officer Third Class", "Petty Officer", "Navy, Coast Guard", ("PO3",)),
    ("Petty Officer", "Petty Officer", "Navy, Coast Guard", ()),
    ("Seaman", "Seaman", "Navy, Coast Guard", ("SN",)),
    ("Cadet", "Cadet", "Military, Air Force, Coast Guard academies", ("CDT",)),
    ("Midshipman", "Midshipman", "Naval Academy, Merchant Marine Academy", ("MIDN",)),
]


@functools.lru_cache(maxsize=4096)
def normal(text: str) -> str:
    """The matching form of words: lower case, no accents, no full stops, single spaces."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    stripped = stripped.replace("’", "'").replace(".", " ").replace("(", " ").replace(")", " ")
    return " ".join(stripped.lower().split())


RANKS: dict[str, Rank] = {}
for _full, _form, _services, _abbreviations in _RANKS:
    _rank = Rank(_full, _form, _services)
    RANKS[normal(_full)] = _rank
    for _abbreviation in _abbreviations:
        RANKS.setdefault(normal(_abbreviation), _rank)
# "Lt" alone is a Navy lieutenant, but in "Lt Gen" the longer key wins; "Capt" is the same word in
# every service. Abbreviations that are also ordinary words are not taken from a name ("Major").
RANK_WORDS_NOT_IN_NAMES = frozenset({"major", "private", "specialist", "airman", "seaman", "chief", "ensign",
                                     "maj", "sergeant", "corporal", "cpl"})
ACADEMIC_BODIES = frozenset({"university", "college", "institute", "seminary", "academy"})


@dataclass(frozen=True)
class Clergy:
    """A religious title: the form after "Dear" (None: the line is ``line`` without "Dear")."""

    salutation: str | None
    line: str | None = None
    whole_name: bool = False   # Sister Mary Smith: the religious name follows, not the surname


# Honorifics and words before a name -> form. Hickey, 'Religious Officials'.
CLERGY: dict[str, Clergy] = {
    "his holiness": Clergy(None, "Your Holiness:"),
    "his all holiness": Clergy(None, "Your All Holiness:"),
    # A cardinal, but also an Orthodox archbishop or metropolitan: the title or name says which.
    "his eminence": Clergy("Eminence"),
    "her eminence": Clergy("Eminence"),
    "metropolitan": Clergy("Metropolitan"),
    "patriarch": Clergy("Patriarch"),
    "cardinal": Clergy("Cardinal"),
    "his beatitude": Clergy(None, "Your Beatitude:"),
    "the most reverend": Clergy("Bishop"),
    "most reverend": Clergy("Bishop"),
    "most rev": Clergy("Bishop"),
    "the most rev": Clergy("Bishop"),
    "the right reverend": Clergy("Bishop"),
    "right reverend": Clergy("Bishop"),
    "the rt rev": Clergy("Bishop"),
    "rt rev": Clergy("Bishop"),
    "archbishop": Clergy("Archbishop"),
    "bishop": Clergy("Bishop"),
    "the very reverend": Clergy("Reverend"),
    "very reverend": Clergy("Reverend"),
    "the very rev": Clergy("Reverend"),
    "monsignor": Clergy("Monsignor"),
    "msgr": Clergy("Monsignor"),
    "mgr": Clergy("Monsignor"),
    "father": Clergy("Father"),
    "fr": Clergy("Father"),
    "the reverend": Clergy("Reverend"),
    "reverend": Clergy("Reverend"),
    "the rev": Clergy("Reverend"),
    "rev": Clergy("Reverend"),
    "pastor": Clergy("Pastor"),
    "rabbi": Clergy("Rabbi"),
    "cantor": Clergy("Cantor"),
    "imam": Clergy("Imam"),
    "deacon": Clergy("Deacon"),
    "chaplain": Clergy("Chaplain"),
    "elder": Clergy("Elder"),
    "sister": Clergy("Sister", whole_name=True),
    "sr": Clergy("Sister", whole_name=True),
    "brother": Clergy("Brother", whole_name=True),
    "br": Clergy("Brother", whole_name=True),
    "mother": Clergy("Mother", whole_name=True),
}
# Words that are also given names or surnames are only taken from the honorific field, never from
# the front of a name ("Bishop Smith" may be Mr. Bishop Smith; "Sr." is also "Senior").
CLERGY_NOT_IN_NAMES = frozenset({"metropolitan", "patriarch", "bishop", "pastor", "deacon", "elder", "chaplain",
                                 "cantor", "sister", "brother", "mother", "sr", "br", "cardinal", "archbishop"})
# A title that names the church office: "Archbishop of Los Angeles", "Senior Rabbi".
CLERGY_OFFICES: dict[str, str] = {
    "pope": "Your Holiness", "cardinal": "Cardinal", "archbishop": "Archbishop", "bishop": "Bishop",
    "auxiliary bishop": "Bishop", "presiding bishop": "Bishop", "monsignor": "Monsignor",
    "rabbi": "Rabbi", "cantor": "Cantor", "imam": "Imam", "pastor": "Pastor", "deacon": "Deacon",
    "chaplain": "Chaplain", "priest": "Father", "parish priest": "Father",
    "metropolitan": "Metropolitan", "patriarch": "Patriarch",
}

class Courtesy(NamedTuple):
    """A courtesy title: as written, the form of address it implies ("Mr." -> "Mr. President"),
    its English form in a salutation, and the grammatical gender a Spanish salutation agrees with."""

    form: str
    address: str | None
    english: str
    gender: str | None = None    # "m", "f" or None (not said)


# Courtesy titles, English and Spanish. The Spanish ones are courtesy titles, never ranks ("Sra." is
# not the Air Force's SrA) nor religious ("Sr." is Señor, not Sister, outside a religious order).
COURTESY: dict[str, Courtesy] = {
    "mr": Courtesy("Mr.", "Mr.", "Mr.", "m"), "mister": Courtesy("Mr.", "Mr.", "Mr.", "m"),
    "ms": Courtesy("Ms.", "Madam", "Ms.", "f"), "mrs": Courtesy("Mrs.", "Madam", "Mrs.", "f"),
    "miss": Courtesy("Miss", "Madam", "Miss", "f"), "mx": Courtesy("Mx.", None, "Mx."),
    "madam": Courtesy("Madam", "Madam", "Madam", "f"), "madame": Courtesy("Madame", "Madam", "Madame", "f"),
    "sr": Courtesy("Sr.", "Mr.", "Mr.", "m"), "senor": Courtesy("Sr.", "Mr.", "Mr.", "m"),
    "sra": Courtesy("Sra.", "Madam", "Ms.", "f"), "senora": Courtesy("Sra.", "Madam", "Ms.", "f"),
    "srta": Courtesy("Srta.", "Madam", "Ms.", "f"), "senorita": Courtesy("Srta.", "Madam", "Ms.", "f"),
    # "Lic." is written for women and men alike: kept as written, never turned into "Mr.".
    "lic": Courtesy("Lic.", None, "Lic."), "licdo": Courtesy("Licdo.", "Mr.", "Mr.", "m"),
    "licda": Courtesy("Licda.", "Madam", "Ms.", "f"), "dra": Courtesy("Dra.", "Madam", "Dr.", "f"),
    "ing": Courtesy("Ing.", None, "Ing."), "mtro": Courtesy("Mtro.", "Mr.", "Mr.", "m"),
    "mtra": Courtesy("Mtra.", "Madam", "Ms.", "f"), "arq": Courtesy("Arq.", None, "Arq."),
}
# Words in a title or organization that make "Sr." a religious sister rather than Señor.
RELIGIOUS_CONTEXT = frozenset({"sister", "sisters", "order", "convent", "congregation", "catholic", "abbey",
                               "parish", "diocese", "archdiocese", "monastery", "religious", "mercy", "charity",
                               "dominican", "franciscan", "benedictine", "ursuline", "carmelite", "church"})
DOCTOR = frozenset({"dr", "doctor"})
PROFESSOR = frozenset({"prof", "professor"})
HONORABLE = frozenset({"the honorable", "the honourable", "honorable", "honourable", "hon", "the hon"})
EXCELLENCY: dict[str, str | None] = {"his excellency": "Mr.", "her excellency": "Madam",
                                     "excellency": None, "his or her excellency": None}
# Two people in one honorific: the salutation greets both. Emily Post, 'Couples'.
COUPLES: dict[str, str] = {"mr and mrs": "Mr. and Mrs.", "mr & mrs": "Mr. and Mrs.", "dr and mr": "Dr. and Mr.",
                           "dr and mrs": "Dr. and Mrs.", "drs": "Drs.", "the drs": "Drs.", "messrs": "Messrs.",
                           "mmes": "Mmes.", "mesdames": "Mesdames"}
# Royal styles: the salutation is the style alone. State Dept, 'Forms of Address: Chiefs of State'.
ROYAL: dict[str, str] = {"his majesty": "Your Majesty:", "her majesty": "Your Majesty:",
                         "his royal highness": "Your Royal Highness:", "her royal highness": "Your Royal Highness:",
                         "his highness": "Your Highness:", "her highness": "Your Highness:",
                         "his serene highness": "Your Serene Highness:", "her serene highness": "Your Serene Highness:"}

# Post-nominals. Chicago, 'Academic degrees'; Emily Post, 'Doctors'.
DOCTORATES = frozenset({"phd", "md", "do", "dds", "dmd", "dvm", "od", "edd", "dd", "dmin", "psyd", "dnp",
                        "pharmd", "scd", "dsc", "dba", "thd", "jsd", "sjd", "drph", "dph", "dpt", "aud",
                        "dma", "dlitt", "lld", "lhd"})
# Degrees and licences that give no title before the name (a J.D. is not "Dr.").
OTHER_POST_NOMINALS = frozenset({"jd", "llm", "llb", "mba", "mpa", "mph", "msw", "ma", "ms", "mfa", "cpa",
                                 "rn", "pe", "faia", "aia", "cfa", "lcsw", "sj", "op", "ofm", "osb", "csc"})
ESQUIRE = frozenset({"esq", "esquire"})
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
SERVICES = frozenset({"usa", "usn", "usaf", "usmc", "uscg", "ussf", "ret", "retired", "arng", "ang",
                      "usar", "usnr", "usafr", "usmcr"})

# The words before a surname that belong to it. Chicago, 'Names: particles'.
PARTICLES = frozenset({"da", "das", "de", "del", "della", "der", "di", "dos", "du", "la", "le", "van",
                       "von", "ter", "ten", "y", "e", "bin", "ibn", "al", "el", "st", "saint", "ste",
                       "mac", "ni", "nic", "o", "ui", "bint"})

# --- offices -------------------------------------------------------------------------------------

# How an office is used in the salutation.
#   by_name:  "<form> <Surname>"       (Dear Secretary Kelly:)
#   unique:   "Mr./Madam <form>" when known, else by_name (Dear Madam Speaker:)
#   alone:    "<form>" alone            (Dear Chief Justice:)
#   member:   the chamber's member form (a Majority Leader of the Senate: Dear Senator Schumer:)
#   courtesy: no title in the salutation, Mr./Ms. <Surname> (Dear Ms. Doe:)
#   ambassador / charge: see the diplomatic rules


@dataclass(frozen=True)
class Office:
    form: str
    table: str                 # the SOURCES key
    strict: bool = False       # a common noun ("Secretary", "Director"): only words that name a
                               # place or a qualifier may stand before it
    civil: bool = False        # an elected, cabinet, judicial or diplomatic office: wins over rank
    usage: str = "by_name"
    keeps_qualifiers: bool = True
    military: bool = False     # an office held by an officer, who is addressed by rank
    many: bool = False         # many hold it at a time (a senator): a former holder keeps the title
    unique_form: bool = False  # "Dear Mr./Madam <form>:" when the courtesy is known (a prime minister)
    courtesy_only: bool = False  # its holder is Mr. or Ms. in the salutation (a member of a parliament)


def _o(form: str, table: str, **kw: object) -> Office:
    return Office(form, table, **kw)  # type: ignore[arg-type]


OFFICES: dict[str, Office] = {
    # Executive (federal and state).
    "president": _o("President", "executive", strict=True, civil=True),
    "vice president": _o("Vice President", "executive", strict=True, civil=True),
    "attorney general": _o("Attorney General", "executive", civil=True),
    "solicitor general": _o("Solicitor General", "executive", civil=True),
    "secretary": _o("Secretary", "executive", strict=True, civil=True),
    "governor": _o("Governor", "executive", civil=True),
    "lieutenant governor": _o("Lieutenant Governor", "executive", civil=True),
    "director": _o("Director", "executive", strict=True),
    "administrator": _o("Administrator", "executive", strict=True),
    "commissioner": _o("Commissioner", "executive"),
    "inspector general": _o("Inspector General", "executive"),
    "controller": _o("Controller", "executive", strict=True),
    "comptroller": _o("Comptroller", "executive", strict=True),
    "treasurer": _o("Treasurer", "executive", strict=True),
    "superintendent": _o("Superintendent", "executive", strict=True),
    "marshal": _o("Marshal", "executive", strict=True),
    # Legislative, federal and every state chamber.
    "senator": _o("Senator", "legislative", civil=True),
    "representative": _o("Representative", "legislative", strict=True, civil=True),
    "congressman": _o("Representative", "legislative", civil=True),
    "congresswoman": _o("Representative", "legislative", civil=True),
    "congressmember": _o("Representative", "legislative", civil=True),
    "member of congress": _o("Representative", "legislative", civil=True),
    "member of the house of representatives": _o("Representative", "legislative", civil=True),
    "member of the house": _o("Representative", "legislative", civil=True),
    "resident commissioner": _o("Resident Commissioner", "legislative", civil=True),
    "delegate": _o("Delegate", "legislative", strict=True, civil=True),
    "member of the house of delegates": _o("Delegate", "legislative", civil=True),
    "assemblymember": _o("Assemblymember", "legislative", civil=True),
    "assembly member": _o("Assemblymember", "legislative", civil=True),
    "member of the assembly": _o("Assemblymember", "legislative", civil=True),
    "assemblyman": _o("Assemblyman", "legislative", civil=True),
    "assemblywoman": _o("Assemblywoman", "legislative", civil=True),
    "assemblyperson": _o("Assemblymember", "legislative", civil=True),
    "member of the senate": _o("Senator", "legislative", civil=True),
    "legislator": _o("Senator", "legislative", civil=True),  # Nebraska's unicameral: senators
    "speaker": _o("Speaker", "legislative", strict=True, civil=True, usage="unique"),
    "president pro tempore": _o("Senator", "legislative", civil=True, usage="member"),
    "speaker pro tempore": _o("Representative", "legislative", civil=True, usage="member"),
    "majority leader": _o("Leader", "legislative", civil=True, usage="member"),
    "minority leader": _o("Leader", "legislative", civil=True, usage="member"),
    "floor leader": _o("Leader", "legislative", civil=True, usage="member"),
    "republican leader": _o("Leader", "legislative", civil=True, usage="member"),
    "democratic leader": _o("Leader", "legislative", civil=True, usage="member"),
    "majority whip": _o("Whip", "legislative", civil=True, usage="member"),
    "minority whip": _o("Whip", "legislative", civil=True, usage="member"),
    "whip": _o("Whip", "legislative", strict=True, civil=True, usage="member"),
    "caucus chair": _o("Chair", "legislative", civil=True, usage="member"),
    # Local.
    "mayor": _o("Mayor", "local", civil=True),
    "councilmember": _o("Councilmember", "local", civil=True),
    "council member": _o("Councilmember", "local", civil=True),
    "councilman": _o("Councilman", "local", civil=True),
    "councilwoman": _o("Councilwoman", "local", civil=True),
    "councilor": _o("Councilor", "local", civil=True),
    "alderman": _o("Alderman", "local", civil=True),
    "alderwoman": _o("Alderwoman", "local", civil=True),
    "alderperson": _o("Alderperson", "local", civil=True),
    "supervisor": _o("Supervisor", "local", strict=True, civil=True),
    "sheriff": _o("Sheriff", "local", civil=True),
    "district attorney": _o("District Attorney", "local", civil=True),
    "state's attorney": _o("State's Attorney", "local", civil=True),
    "city attorney": _o("City Attorney", "local", civil=True),
    "county counsel": _o("County Counsel", "local"),
    "public defender": _o("Public Defender", "local"),
    "chief of police": _o("Chief", "local"),
    "police chief": _o("Chief", "local"),
    "fire chief": _o("Chief", "local"),
    # Judicial.
    "chief justice": _o("Chief Justice", "judicial", civil=True),
    "associate justice": _o("Justice", "judicial", civil=True, keeps_qualifiers=False),
    "presiding justice": _o("Justice", "judicial", civil=True, keeps_qualifiers=False),
    "justice": _o("Justice", "judicial", civil=True, keeps_qualifiers=False),
    "judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "presiding judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "chief judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "magistrate judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "magistrate": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "justice of the peace": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "administrative law judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    "bankruptcy judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False),
    # Diplomatic.
    "ambassador": _o("Ambassador", "diplomatic", civil=True, usage="ambassador"),
    "ambassador-at-large": _o("Ambassador", "diplomatic", civil=True, usage="ambassador"),
    "permanent representative": _o("Ambassador", "diplomatic", civil=True, usage="ambassador"),
    "secretary-general": _o("Secretary-General", "diplomatic", civil=True, usage="unique"),
    "charge d'affaires": _o("Chargé d'Affaires", "diplomatic", civil=True, usage="charge"),
    # Academic.
    "chancellor": _o("Chancellor", "academic", strict=True),
    "dean": _o("Dean", "academic", keeps_qualifiers=False),
    "professor": _o("Professor", "academic", keeps_qualifiers=False),
    "professor emeritus": _o("Professor", "academic", keeps_qualifiers=False),
    # Chairs (of committees, boards, councils).
    "chair": _o("Chair", "executive"),
    "chairman": _o("Chairman", "executive"),
    "chairwoman": _o("Chairwoman", "executive"),
    "chairperson": _o("Chair", "executive"),
    # Offices an officer holds: the rank is used, so without one the salutation is a guess.
    "chairman of the joint chiefs of staff": _o("Chairman", "rank_over_office", military=True),
    "vice chairman of the joint chiefs of staff": _o("Vice Chairman", "rank_over_office", military=True),
    "chief of naval operations": _o("Admiral", "rank_over_office", military=True),
    "chief of staff of the army": _o("General", "rank_over_office", military=True),
    "chief of staff of the air force": _o("General", "rank_over_office", military=True),
    "commandant": _o("Commandant", "rank_over_office", military=True),
    "chief of space operations": _o("General", "rank_over_office", military=True),
    "chief of the national guard bureau": _o("General", "rank_over_office", military=True),
}

# Offices many hold at a time: a former holder keeps the title (Hickey, 'Former Officials').
for _key in ("senator", "representative", "congressman", "congresswoman", "congressmember", "member of congress",
             "member of the house of representatives", "member of the house", "resident commissioner", "delegate",
             "member of the house of delegates", "assemblymember", "assembly member", "member of the assembly",
             "assemblyman", "assemblywoman", "assemblyperson", "member of the senate", "legislator",
             "ambassador", "ambassador-at-large", "permanent representative"):
    OFFICES[_key] = dataclasses.replace(OFFICES[_key], many=True)

OFFICES.update({
    # Legislative titles written the way people write them.
    "ranking member": _o("Member", "legislative", civil=True, usage="member"),
    "ranking minority member": _o("Member", "legislative", civil=True, usage="member"),
    "ranking majority member": _o("Member", "legislative", civil=True, usage="member"),
    "state senator": _o("Senator", "legislative", civil=True, many=True),
    "state representative": _o("Representative", "legislative", civil=True, many=True),
    # Which house is not said: Mr. or Ms. until the clerk names it (see the ranking member).
    "member of the general assembly": _o("Member", "legislative", civil=True, many=True, usage="member"),
    "member of the legislature": _o("Member", "legislative", civil=True, many=True, usage="member"),
    "majority floor leader": _o("Leader", "legislative", civil=True, usage="member"),
    "assistant majority leader": _o("Leader", "legislative", civil=True, usage="member"),
    "assistant minority leader": _o("Leader", "legislative", civil=True, usage="member"),
    "chief deputy whip": _o("Whip", "legislative", civil=True, usage="member"),
    # Executive offices of many kinds.
    "trade representative": _o("Ambassador", "diplomatic", civil=True, usage="ambassador", many=True),
    "county executive": _o("County Executive", "local", civil=True),
    "undersheriff": _o("Undersheriff", "local", civil=True),
    "council president": _o("President", "local", civil=True),
    "city council president": _o("President", "local", civil=True),
    "borough president": _o("Borough President", "local", civil=True),
    "public advocate": _o("Public Advocate", "local", civil=True),
    "county judge": _o("Judge", "judicial", civil=True, keeps_qualifiers=False, many=True),
    "coroner": _o("Coroner", "local", strict=True),
    "constable": _o("Constable", "local", strict=True),
    "clerk of court": _o("Clerk", "local"),
    "selectman": _o("Selectman", "local", civil=True, many=True),
    "selectwoman": _o("Selectwoman", "local", civil=True, many=True),
    "select board member": _o("Select Board Member", "local", civil=True, many=True),
    "freeholder": _o("Freeholder", "local", civil=True, many=True),
    "county commissioner": _o("Commissioner", "local", civil=True, many=True),
    "city manager": _o("", "courtesy", courtesy_only=True),
    "county administrator": _o("", "courtesy", courtesy_only=True),
    # Tribal governments. Hickey, 'Tribal Officials'.
    "principal chief": _o("Principal Chief", "tribal", civil=True),
    "deputy principal chief": _o("Deputy Principal Chief", "tribal", civil=True),
    "tribal chairman": _o("Chairman", "tribal", civil=True),
    "tribal chairwoman": _o("Chairwoman", "tribal", civil=True),
    "tribal chair": _o("Chair", "tribal", civil=True),
    "tribal council member": _o("Councilmember", "tribal", civil=True, many=True),
    "tribal chief": _o("Chief", "tribal", civil=True),
    # A chief of staff is Mr. or Ms. (Hickey, 'Chief of Staff'); a chief of an office is read by the grammar.
    "chief of staff": _o("", "courtesy", courtesy_only=True),
    # International organizations. State Dept, 'International Organizations'.
    "high commissioner": _o("High Commissioner", "international", civil=True, many=True),
    "director-general": _o("Director-General", "international", civil=True, unique_form=True),
    "director general": _o("Director-General", "international", civil=True, unique_form=True),
    "deputy secretary-general": _o("Deputy Secretary-General", "international", civil=True),
    "under-secretary-general": _o("Under-Secretary-General", "international", civil=True, many=True),
    "under secretary-general": _o("Under-Secretary-General", "international", civil=True, many=True),
    "special rapporteur": _o("", "courtesy", courtesy_only=True),
    "registrar": _o("", "courtesy", courtesy_only=True, strict=True),
    # Federal officers by their office (Hickey, 'U.S. Federal Officials'); a U.S. Attorney is Mr. or Ms.
    "postmaster general": _o("Postmaster General", "executive", civil=True),
    "comptroller general": _o("Comptroller General", "executive", civil=True),
    "united states attorney": _o("", "courtesy", courtesy_only=True, civil=True),
    "u s attorney": _o("", "courtesy", courtesy_only=True, civil=True),
    "us attorney": _o("", "courtesy", courtesy_only=True, civil=True),
    "secretary general": _o("Secretary-General", "diplomatic", civil=True, usage="unique"),
    # Consuls: "Dear Mr./Madam Consul General:" (State Dept, 'Consular Officers').
    "consul general": _o("Consul General", "foreign", civil=True, unique_form=True, many=True),
    "consul": _o("Consul", "foreign", civil=True, unique_form=True, many=True, strict=True),
    # The Surgeon General is addressed as Dr. (Hickey, 'Surgeon General').
    "surgeon general": _o("", "courtesy", courtesy_only=True),
    # Other countries' offices, as their own. State Dept, 'Foreign Officials'.
    "prime minister": _o("Prime Minister", "foreign", civil=True, unique_form=True),
    "premier": _o("Premier", "foreign", civil=True, unique_form=True, strict=True),
    "deputy prime minister": _o("Deputy Prime Minister", "foreign", civil=True, unique_form=True),
    "federal chancellor": _o("Chancellor", "foreign", civil=True, unique_form=True),
    "minister": _o("Minister", "foreign", civil=True, unique_form=True, strict=True),
    "foreign minister": _o("Minister", "foreign", civil=True, unique_form=True),
    "member of parliament": _o("", "foreign", courtesy_only=True, civil=True, many=True),
    "member of the european parliament": _o("", "foreign", courtesy_only=True, civil=True, many=True),
    "mp": _o("", "foreign", courtesy_only=True, civil=True, many=True),
    "mep": _o("", "foreign", courtesy_only=True, civil=True, many=True),
    "high commissioner for refugees": _o("High Commissioner", "international", civil=True, many=True),
})

# Members of a body named after "Member, " or "Member of": the form a member is addressed by; ""
# when the member is Mr. or Ms. (a board of education, a parliament). Hickey, 'Board Member'.
MEMBER_BODIES: list[tuple[tuple[str, ...], str]] = [
    (("board", "of", "supervisors"), "Supervisor"),
    (("board", "of", "aldermen"), "Alderman"),
    (("board", "of", "commissioners"), "Commissioner"),
    (("commissioners",), "Commissioner"),
    (("supervisors",), "Supervisor"),
    (("aldermen",), "Alderman"),
    (("county", "commission"), "Commissioner"),
    (("city", "commission"), "Commissioner"),
    (("board", "of", "selectmen"), "Selectman"),
    (("city", "council"), "Councilmember"),
    (("county", "council"), "Councilmember"),
    (("town", "council"), "Councilmember"),
    (("council",), "Councilmember"),
    (("parliament",), ""),
    (("board",), ""),
    (("commission",), ""),
    (("committee",), ""),
]

# Words after "Chief" that make it the head of a tribal nation. Hickey, 'American Indian Chief'.
TRIBAL_WORDS = frozenset({"nation", "nations", "tribe", "tribes", "band", "pueblo", "tribal", "indians",
                          "rancheria", "reservation", "confederated"})
# Words that make a "Minister" a member of the clergy rather than a government's minister.
CHURCH_WORDS = frozenset({"church", "chapel", "congregation", "parish", "baptist", "methodist", "presbyterian",
                          "lutheran", "episcopal", "ministries", "temple", "fellowship", "worship", "music",
                          "youth", "pastoral"})

# Abbreviations written in titles, expanded before the office is read ("Lt. Gov." -> Lieutenant
# Governor, "Atty. Gen." -> Attorney General). GPO, 'Abbreviations: titles'.
TITLE_ABBREVIATIONS: dict[str, str] = {
    "gov": "governor", "sen": "senator", "rep": "representative", "atty": "attorney", "att'y": "attorney",
    "asst": "assistant", "dep": "deputy", "supt": "superintendent", "secy": "secretary", "sec'y": "secretary",
    "amb": "ambassador", "pres": "president", "dir": "director", "commr": "commissioner",
    "comm'r": "commissioner", "chmn": "chairman", "supv": "supervisor", "assemb": "assembly",
    "assemblymem": "assemblymember", "cong": "congress", "mbr": "member", "lieut": "lieutenant",
    "mgr": "manager", "admin": "administrator", "sup": "superior", "ct": "court", "dist": "district",
    "cnty": "county", "pro-tem": "pro tempore", "ustr": "united states trade representative",
}
# "Gen." after "Attorney" is "General" (elsewhere it is the rank).
ABBREVIATIONS_AFTER: dict[tuple[str, str], str] = {("attorney", "gen"): "general", ("inspector", "gen"): "general",
                                                   ("solicitor", "gen"): "general", ("adjutant", "gen"): "general"}

# Offices of which there is one, addressed by the office alone. Hickey, 'one-of-a-kind offices'.
# Key: the office's form -> words that must follow in the title (the jurisdiction).
UNIQUE_OFFICES: dict[str, tuple[str, ...]] = {
    "President": ("of the united states", "of the us", "of the usa"),
    "Vice President": ("of the united states", "of the us", "of the usa"),
    "Chief Justice": ("of the united states", "of the us", "of the supreme court of the united states"),
}
# Speaker of any chamber: "Dear Mr. Speaker:" / "Dear Madam Speaker:" when known.

# Former officials keep these (Hickey: a former President is still "President (Surname)"); a
# retired judge sits by assignment and keeps "Judge".
KEPT_WHEN_FORMER = frozenset({"President"})
KEPT_WHEN_RETIRED = frozenset({"Judge", "Justice", "Chief Justice"})

# Words before an office that do not change it. Anything else before a strict office makes it a
# different office: a press secretary, an executive director, a field office director.
QUALIFIERS: dict[str, str] = {
    "acting": "Acting", "interim": "Interim", "deputy": "Deputy", "assistant": "Assistant",
    "associate": "Associate", "vice": "Vice", "under": "Under", "lieutenant": "Lieutenant",
    "lt": "Lieutenant", "principal": "Principal",
}
JURISDICTION_WORDS = frozenset({
    "the", "united", "states", "us", "u", "s", "usa", "federal", "national", "state", "county", "city",
    "town", "village", "borough", "township", "parish", "municipal", "district", "tribal", "territorial",
    "commonwealth", "school", "schools", "senate", "house", "assembly", "congressional", "chief",
    "presiding", "senior", "superior", "court", "circuit", "appellate", "supreme", "trial", "and",
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
    "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
    "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi",
    "missouri", "montana", "nebraska", "nevada", "new", "hampshire", "jersey", "mexico", "york",
    "north", "south", "carolina", "dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode",
    "island", "tennessee", "texas", "utah", "vermont", "virginia", "west", "washington", "wisconsin",
    "wyoming", "columbia", "puerto", "rico", "guam",
})
# Words that make a different, lesser office of any office they stand before.
ROLE_WORDS = frozenset({"press", "executive", "managing", "field", "office", "program", "programme",
                        "communications", "legislative", "regional", "private", "personal", "brand",
                        "goodwill", "student", "youth", "sales", "customer", "union", "recording",
                        "corresponding", "financial", "social", "technical", "art", "creative",
                        "medical", "athletic", "funeral", "music", "shift", "project", "account",
                        "staff", "campaign", "keynote", "policy", "research", "club", "board",
                        "clerk", "executive's"})
SEPARATORS = frozenset({",", "of", "for", "to", "on", "from", "in", "at", "with"})
# The chamber named in a leader's title gives the form a member of it is addressed by.
CHAMBERS: list[tuple[tuple[str, ...], str]] = [
    (("house", "of", "delegates"), "Delegate"),
    (("new", "jersey", "general", "assembly"), "Assemblymember"),   # New Jersey's lower house
    (("nebraska", "legislature"), "Senator"),                     # the unicameral's members
    (("general", "assembly"), ""),            # elsewhere the whole legislature: no one member form
    (("assembly",), "Assemblymember"),
    (("senate",), "Senator"),
    (("house",), "Representative"),
    (("congress",), "Representative"),
]
# Services named in a title, so that "General, U.S. Army" is read as a rank.
SERVICE_WORDS = frozenset({"army", "navy", "air", "force", "marine", "marines", "corps", "coast", "guard",
                           "space", "usa", "usn", "usaf", "usmc", "uscg", "ussf", "national"})
# A President "of" one of these is a head of state: "Dear Mr. President:" or "Excellency:". State Dept,
# 'Forms of Address: Chiefs of State'.
HEAD_OF_STATE_WORDS = frozenset({"republic", "federation", "kingdom", "emirates", "confederation", "principality"})
INTERNATIONAL_BODIES = (("united", "nations"), ("un",), ("u", "n"), ("organization", "of", "american"),
                        ("european", "union"), ("nato",), ("european", "commission"), ("european", "council"),
                        ("european", "parliament"), ("international", "court"), ("international", "criminal"),
                        ("world", "bank"), ("international", "monetary"), ("african", "union"))

# Above this many addressees the inside addresses would fill the first page: the letter names the
# group in the salutation and lists the addressees under "Distribution" on its last page. Hickey,
# 'Letters to several officials'; six blocks of four or five lines already take half a page.
DISTRIBUTION_THRESHOLD = 6
# Many addressees of different offices: the salutation the court's style chooses. Chicago, 'Salutations
# to groups' ("Ladies and Gentlemen:"); an office writing to fellow judges may choose "Dear Colleagues:".
MIXED_GROUP_SALUTATION = "Ladies and Gentlemen:"
GROUP_STYLES = ("Ladies and Gentlemen:", "Dear Colleagues:", "Dear Sir or Madam:")
