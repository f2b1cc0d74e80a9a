"""Forms of address on cases written from the sources, beyond the first table: offices written the way
people write them, former and retired holders, names by their culture, Spanish courtesy titles, tribal,
international and foreign offices, every military grade, every state's officers, and groups.

Each row names the table of ``app.core.protocol.SOURCES`` whose rule decides it. The two tables
together hold more than 500 rows.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.core.address import (
    SOURCES,
    address_findings,
    explain_salutation,
    group_salutation_for,
    joint_salutation,
    plural_office,
)
from app.core.letter import Addressee
from tests.core.test_protocol_table import ROWS as FIRST_TABLE

H = "The Honorable"


def case(category: str, honorific: str | None, name: str, title: str | None, expected: str, source: str,
         **extra: Any) -> tuple[str, dict[str, Any], str, str]:
    fields: dict[str, Any] = {"name": name, **extra}
    if honorific is not None:
        fields["honorific"] = honorific
    if title is not None:
        fields["title"] = title
    return category, fields, expected, source


CASES = [
    # --- offices written the way people write them (Hickey; GPO, 'Abbreviations') --------------------
    case("written", H, "Juliana Stratton", "Lt. Gov. of Illinois", "Dear Lieutenant Governor Stratton:",
         "executive"),
    case("written", H, "Kwame Raoul", "Atty. Gen. of Illinois", "Dear Attorney General Raoul:", "executive"),
    case("written", H, "JB Pritzker", "Gov. of Illinois", "Dear Governor Pritzker:", "executive"),
    case("written", H, "Dick Durbin", "Sen., Illinois", "Dear Senator Durbin:", "legislative"),
    case("written", H, "Jan Schakowsky", "Rep., 9th District of Illinois", "Dear Representative Schakowsky:",
         "legislative"),
    case("written", H, "Jane Doe", "Asst. Atty. Gen.", "Dear Assistant Attorney General Doe:", "executive"),
    case("written", H, "Jane Doe", "Dep. Secy. of Commerce", "Dear Deputy Secretary Doe:", "executive"),
    case("written", H, "Jane Doe", "Supt. of Public Instruction", "Dear Superintendent Doe:", "executive"),
    case("written", H, "Jane Doe", "Ranking Member, Committee on the Judiciary, United States Senate",
         "Dear Senator Doe:", "legislative"),
    case("written", H, "John Roe", "Ranking Member, Committee on Appropriations, U.S. House of Representatives",
         "Dear Representative Roe:", "legislative"),
    case("written", H, "Jane Doe", "Member, Board of Supervisors", "Dear Supervisor Doe:", "local"),
    case("written", H, "Jane Doe", "Member, Los Angeles City Council", "Dear Councilmember Doe:", "local"),
    case("written", H, "Jane Doe", "Member, Board of Aldermen", "Dear Alderman Doe:", "local"),
    case("written", H, "Jane Doe", "Member, Board of County Commissioners", "Dear Commissioner Doe:", "local"),
    case("written", "Ms.", "Jane Doe", "Member, Board of Education", "Dear Ms. Doe:", "courtesy"),
    case("written", H, "Jane Doe", "Member of the New York State Assembly", "Dear Assemblymember Doe:",
         "legislative"),
    case("written", H, "Jane Doe", "Member of the House of Delegates", "Dear Delegate Doe:", "legislative"),
    case("written", H, "Jane Doe", "Sheriff-Coroner, County of Sacramento", "Dear Sheriff Doe:", "local"),
    case("written", H, "Jane Doe", "Treasurer-Tax Collector", "Dear Treasurer Doe:", "executive"),
    case("written", H, "Jane Doe", "Vice-President of the United States", "Dear Vice President Doe:",
         "unique_offices", courtesy="Ms.") if False else
    case("written", H, "Jane Doe", "Vice-President of the United States", "Dear Madam Vice President:",
         "unique_offices", courtesy="Ms."),
    case("written", H, "Tani G. Cantil-Sakauye", "Chief Justice of California (Ret.)",
         "Dear Chief Justice Cantil-Sakauye:", "judicial"),
    case("written", H, "Katherine Tai", "United States Trade Representative", "Dear Ambassador Tai:",
         "diplomatic"),
    case("written", H, "Jane Doe", "Deputy U.S. Trade Representative", "Dear Ambassador Doe:", "diplomatic"),
    case("written", "Mr.", "Joseph R. Biden", "President of the United States", "Dear Mr. President:",
         "unique_offices"),
    case("written", None, "The President", None, "Dear Mr. President:", "unique_offices", courtesy="Mr."),
    case("written", None, "The President", "The White House", "Dear Mr. President:", "unique_offices",
         courtesy="Mr."),
    case("written", None, "The Chief Justice", None, "Dear Chief Justice:", "unique_offices"),
    case("written", None, "The Chief Justice", "Supreme Court of the United States", "Dear Chief Justice:",
         "unique_offices"),
    case("written", None, "The Vice President", None, "Dear Madam Vice President:", "unique_offices",
         courtesy="Ms."),
    case("written", H, "Jane Doe", "Chief Deputy Whip, United States House of Representatives",
         "Dear Representative Doe:", "legislative"),
    case("written", H, "Jane Doe", "Assistant Majority Leader of the Senate", "Dear Senator Doe:", "legislative"),
    case("written", H, "Jane Doe", "State Senator", "Dear Senator Doe:", "legislative"),
    case("written", H, "Jane Doe", "State Representative", "Dear Representative Doe:", "legislative"),
    case("written", H, "Jane Doe", "County Executive, Montgomery County", "Dear County Executive Doe:", "local"),
    case("written", H, "Jane Doe", "Borough President of Manhattan", "Dear Borough President Doe:", "local"),
    case("written", H, "Jane Doe", "Public Advocate for the City of New York", "Dear Public Advocate Doe:",
         "local"),
    case("written", H, "Jane Doe", "Mayor pro Tem", "Dear Mayor Pro Tem Doe:", "local"),
    case("written", H, "Jane Doe", "Governor-elect of Ohio", "Dear Governor-elect Doe:", "executive"),
    case("written", H, "Jane Doe", "Acting Secretary of Labor", "Dear Acting Secretary Doe:", "executive"),
    case("written", H, "Jane Doe", "Selectwoman, Town of Lexington", "Dear Selectwoman Doe:", "local"),
    case("written", "Ms.", "Jane Doe", "Chief of Staff to the Governor", "Dear Ms. Doe:", "courtesy"),
    case("written", "Mr.", "John Roe", "City Manager", "Dear Mr. Roe:", "courtesy"),
    # --- former and retired holders (Hickey, 'Former Officials') ----------------------------------------
    case("former", H, "Barbara Boxer", "Former United States Senator", "Dear Senator Boxer:", "former"),
    case("former", H, "John Roe", "Former Member of Congress", "Dear Representative Roe:", "former"),
    case("former", H, "John Roe", "Former U.S. Representative", "Dear Representative Roe:", "former"),
    case("former", H, "Jane Doe", "Former Ambassador to Japan", "Dear Ambassador Doe:", "former"),
    case("former", H, "Jane Doe", "Former State Senator", "Dear Senator Doe:", "former"),
    case("former", H, "Jane Doe", "Former Assemblymember", "Dear Assemblymember Doe:", "former"),
    case("former", H, "Jane Doe", "Former Delegate", "Dear Delegate Doe:", "former"),
    case("former", "Mr.", "Gray Davis", "Former Governor of California", "Dear Mr. Davis:", "modifiers"),
    case("former", "Ms.", "Jane Doe", "Former Mayor of Fresno", "Dear Ms. Doe:", "modifiers"),
    case("former", "Mr.", "John Roe", "Former Attorney General", "Dear Mr. Roe:", "modifiers"),
    case("former", "Mr.", "John Roe", "Former Secretary of Defense", "Dear Mr. Roe:", "modifiers"),
    case("former", "Mr.", "John Roe", "Former Sheriff of Kern County", "Dear Mr. Roe:", "modifiers"),
    case("former", H, "George W. Bush", "Former President of the United States", "Dear President Bush:",
         "modifiers"),
    case("former", "Ms.", "Joan E. Donoghue", "Former President of the International Court of Justice",
         "Dear Ms. Donoghue:", "modifiers"),
    case("former", "Judge", "Joan E. Donoghue", "Former President of the International Court of Justice",
         "Dear Judge Donoghue:", "judicial"),
    case("former", "Mr.", "John Roe", "Former President of the Republic of Chile", "Dear Mr. Roe:", "modifiers"),
    case("former", H, "Jane Doe", "Judge of the Superior Court (Ret.)", "Dear Judge Doe:", "judicial"),
    case("former", H, "Jane Doe", "Associate Justice (Retired)", "Dear Justice Doe:", "judicial"),
    case("former", H, "Jane Doe", "Retired United States Senator", "Dear Senator Doe:", "former"),
    case("former", "Dr.", "Jane Doe", "Former Surgeon General", "Dear Dr. Doe:", "modifiers"),
    # --- clergy and chaplains (Hickey, 'Religious Officials'; 'Chaplain in the Armed Services') -------
    case("clergy", "Chaplain (Major)", "John Roe", None, "Dear Chaplain Roe:", "clergy"),
    case("clergy", None, "Chaplain (Major) John Roe", None, "Dear Chaplain Roe:", "clergy"),
    case("clergy", "Chaplain (Colonel)", "Jane Doe", "Command Chaplain, U.S. Army", "Dear Chaplain Doe:",
         "clergy"),
    case("clergy", "Colonel", "Jane Doe", "Chaplain, U.S. Air Force", "Dear Chaplain Doe:", "clergy"),
    case("clergy", "His Eminence", "Archbishop Elpidophoros", "Greek Orthodox Archbishop of America",
         "Dear Archbishop Elpidophoros:", "clergy"),
    case("clergy", "His Eminence", "Metropolitan Tikhon", "Primate of the Orthodox Church in America",
         "Dear Metropolitan Tikhon:", "clergy"),
    case("clergy", "His Eminence", "Timothy Cardinal Dolan", "Archbishop of New York", "Dear Cardinal Dolan:",
         "clergy"),
    case("clergy", "His Eminence", "Wilton Cardinal Gregory", None, "Dear Cardinal Gregory:", "clergy"),
    case("clergy", "His Eminence", "John Roe", None, "Your Eminence:", "clergy",
         organization="Greek Orthodox Archdiocese of America"),
    case("clergy", "His Eminence", "John Roe", "Archbishop of Washington", "Dear Archbishop Roe:", "clergy"),
    case("clergy", "The Reverend", "Jane Doe", "Minister, First Baptist Church", "Dear Reverend Doe:", "clergy"),
    case("clergy", "Sr.", "Mary Roe", "Principal, St. Agnes School", "Dear Sister Mary Roe:", "clergy",
         organization="Sisters of Mercy"),
    # --- Spanish courtesy titles are courtesy titles (Real Academia; Emily Post) ------------------------
    case("spanish", "Sra.", "María Pérez-Gómez", None, "Dear Ms. Pérez-Gómez:", "courtesy"),
    case("spanish", "Sr.", "José Núñez", None, "Dear Mr. Núñez:", "courtesy"),
    case("spanish", "Srta.", "Ana Ruiz", None, "Dear Ms. Ruiz:", "courtesy"),
    case("spanish", "Lic.", "Juan Pérez", None, "Dear Lic. Pérez:", "courtesy"),  # "Lic." says no gender
    case("spanish", "Licdo.", "Juan Pérez", None, "Dear Mr. Pérez:", "courtesy"),
    case("spanish", "Licda.", "Ana Torres", None, "Dear Ms. Torres:", "courtesy"),
    case("spanish", "Dra.", "Ana Torres", None, "Dear Dr. Torres:", "courtesy"),
    case("spanish", "Mtro.", "Luis Ramos", None, "Dear Mr. Ramos:", "courtesy"),
    case("spanish", "Mtra.", "Luisa Ramos", None, "Dear Ms. Ramos:", "courtesy"),
    case("spanish", "Sra.", "María Pérez", "Presidenta Municipal", "Dear Ms. Pérez:", "courtesy"),
    case("spanish", "Sra.", "Claudia Sheinbaum", "President of the United Mexican States",
         "Dear Madam President:", "diplomatic"),
    case("spanish", "SrA", "John Roe", "U.S. Air Force", "Dear Airman Roe:", "ranks"),
    case("spanish", "Sr.", "Juan Carlos Pérez", None, "Dear Mr. Pérez:", "courtesy", surname="Pérez"),
    # --- names by their culture (Chicago, 'Names') --------------------------------------------------------
    case("names", H, "Catherine Cortez Masto", "United States Senator", "Dear Senator Cortez Masto:",
         "legislative"),
    case("names", H, "Sheila Jackson Lee", "United States Representative", "Dear Representative Jackson Lee:",
         "legislative", surname="Jackson Lee"),
    case("names", "Mr.", "Gabriel García Márquez", None, "Dear Mr. García Márquez:", "courtesy"),
    case("names", H, "Andrés Manuel López Obrador", "President of the United Mexican States",
         "Dear Mr. President:", "diplomatic", courtesy="Mr."),
    case("names", "Ms.", "Máire Ní Bhriain", None, "Dear Ms. Ní Bhriain:", "courtesy"),
    case("names", "Mr.", "Seán Ó Briain", None, "Dear Mr. Ó Briain:", "courtesy"),
    case("names", "Mr.", "Ciarán Mac Aodha", None, "Dear Mr. Mac Aodha:", "courtesy"),
    case("names", "Mr.", "TANAKA Hiroshi", None, "Dear Mr. Tanaka:", "courtesy"),
    case("names", "Ms.", "Hiroko YAMADA", None, "Dear Ms. Yamada:", "courtesy"),
    case("names", "Ms.", "Kim Min-ji", None, "Dear Ms. Kim:", "courtesy"),
    case("names", "Mr.", "Nguyễn Văn An", None, "Dear Mr. Nguyễn:", "courtesy"),
    case("names", "Mr.", "Xi Jinping", None, "Dear Mr. Xi:", "courtesy", surname="Xi"),
    case("names", "Ms.", "Cher", None, "Dear Ms. Cher:", "courtesy"),
    case("names", "Mr.", "Tanaka Hiroshi", None, "Dear Mr. Tanaka:", "courtesy", given_name="Hiroshi"),
    case("names", "Ms.", "Park Ji-woo", None, "Dear Ms. Park:", "courtesy", given_name="Ji-woo"),
    case("names", H, "Jane Doe", "Mayor", "Dear Mayor Doe:", "local"),
    case("names", "Mr.", "Ludwig van der Rohe", None, "Dear Mr. van der Rohe:", "courtesy"),
    case("names", "Mr.", "Ali bin Hamad", None, "Dear Mr. bin Hamad:", "courtesy"),
    case("names", "Mr.", "Jean de la Fontaine", None, "Dear Mr. de la Fontaine:", "courtesy"),
    case("names", "Mr.", "Martin Luther King III", None, "Dear Mr. King:", "courtesy"),
    case("names", "Ms.", "Mary Smith-Jones", None, "Dear Ms. Smith-Jones:", "courtesy"),
    case("names", H, "Richard J. Durbin", "United States Senator", "Dear Senator Durbin:", "legislative"),
    case("names", None, "Richard J. Durbin", None, "Dear Sir or Madam:", "courtesy"),
    case("names", "Mr.", "Eric H. Holder, Jr.", "Partner, Covington & Burling", "Dear Mr. Holder:", "courtesy"),
    # --- tribal governments (Hickey, 'Tribal Officials') ----------------------------------------------------
    case("tribal", H, "Chuck Hoskin Jr.", "Principal Chief of the Cherokee Nation", "Dear Principal Chief Hoskin:",
         "tribal"),
    case("tribal", H, "Chuck Hoskin Jr.", "Principal Chief", "Dear Principal Chief Hoskin:", "tribal"),
    case("tribal", H, "Bryan Warner", "Deputy Principal Chief", "Dear Deputy Principal Chief Warner:", "tribal"),
    case("tribal", H, "Jane Doe", "Chief, Mashpee Wampanoag Tribe", "Dear Chief Doe:", "tribal"),
    case("tribal", H, "John Roe", "Tribal Chairman", "Dear Chairman Roe:", "tribal"),
    case("tribal", H, "Buu Nygren", "President of the Navajo Nation", "Dear President Nygren:", "executive"),
    case("tribal", H, "John Roe", "Governor of the Pueblo of Zuni", "Dear Governor Roe:", "executive"),
    # --- international organizations (State Dept, 'International Organizations') -------------------------
    case("international", "Mr.", "Filippo Grandi", "United Nations High Commissioner for Refugees",
         "Dear High Commissioner Grandi:", "international"),
    case("international", "Mr.", "Volker Türk", "UN High Commissioner for Human Rights",
         "Dear High Commissioner Türk:", "international"),
    case("international", "Dr.", "Tedros Adhanom Ghebreyesus", "Director-General of the World Health Organization",
         "Dear Director-General Ghebreyesus:", "international", surname="Ghebreyesus"),
    case("international", "Mr.", "Tedros Adhanom Ghebreyesus", "Director-General, WHO",
         "Dear Mr. Director-General:", "international"),
    case("international", "Mr.", "António Guterres", "Secretary-General of the United Nations",
         "Dear Mr. Secretary-General:", "unique_offices"),
    case("international", "Ms.", "Amina J. Mohammed", "Deputy Secretary-General of the United Nations",
         "Dear Deputy Secretary-General Mohammed:", "international"),
    case("international", "Ms.", "Jane Doe", "Special Rapporteur on the Independence of Judges",
         "Dear Ms. Doe:", "courtesy"),
    case("international", H, "Linda Thomas-Greenfield", "U.S. Permanent Representative to the United Nations",
         "Dear Ambassador Thomas-Greenfield:", "diplomatic"),
    # --- foreign offices as their own (State Dept, 'Foreign Officials') -------------------------------------
    case("foreign", "Mr.", "Justin Trudeau", "Prime Minister of Canada", "Dear Mr. Prime Minister:", "foreign"),
    case("foreign", "Ms.", "Jacinda Ardern", "Prime Minister of New Zealand", "Dear Madam Prime Minister:",
         "foreign"),
    case("foreign", H, "Jane Doe", "Prime Minister", "Dear Prime Minister Doe:", "foreign"),
    case("foreign", "Ms.", "Mélanie Joly", "Minister of Foreign Affairs of Canada", "Dear Madam Minister:",
         "foreign"),
    case("foreign", "Mr.", "John Roe", "Minister of Justice", "Dear Mr. Minister:", "foreign"),
    case("foreign", "Mr.", "Olaf Scholz", "Federal Chancellor of Germany", "Dear Mr. Chancellor:", "foreign"),
    case("foreign", "Mr.", "Doug Ford", "Premier of Ontario", "Dear Mr. Premier:", "foreign"),
    case("foreign", "Mr.", "John Roe", "Member of Parliament", "Dear Mr. Roe:", "foreign"),
    case("foreign", "Ms.", "Jane Doe", "Member of the European Parliament", "Dear Ms. Doe:", "foreign"),
    case("foreign", "Mr.", "Emmanuel Macron", "President of the French Republic", "Dear Mr. President:",
         "diplomatic"),
    case("foreign", H, "Jean Dupont", "Ambassador of France to the United States", "Excellency:", "diplomatic"),
    case("foreign", "His Majesty", "Charles III", "King of the United Kingdom", "Your Majesty:", "foreign"),
    case("foreign", "Her Royal Highness", "Jane Doe", None, "Your Royal Highness:", "foreign"),
    case("foreign", "Mr.", "John Roe", "Consul General of Mexico in Los Angeles", "Dear Mr. Consul General:",
         "foreign"),
    case("foreign", "Mr.", "John Roe", "Secretary General of NATO", "Dear Mr. Secretary-General:",
         "unique_offices"),
    case("written", H, "Jane Doe", "Postmaster General", "Dear Postmaster General Doe:", "executive"),
    case("written", H, "Jane Doe", "Comptroller General of the United States", "Dear Comptroller General Doe:",
         "executive"),
    case("written", H, "Jane Doe", "Lieutenant Governor and President of the Senate",
         "Dear Lieutenant Governor Doe:", "executive"),
    case("written", "Mr.", "John Roe", "United States Attorney for the Eastern District of California",
         "Dear Mr. Roe:", "courtesy"),
    case("names", "Mr. and Mrs.", "John Smith", None, "Dear Mr. and Mrs. Smith:", "courtesy"),
    case("names", "Drs.", "Jane and John Smith", None, "Dear Drs. Smith:", "courtesy"),
    case("grades", "Cadet", "Jane Doe", "United States Military Academy", "Dear Cadet Doe:", "ranks"),
    case("grades", "Midshipman", "John Roe", None, "Dear Midshipman Roe:", "ranks"),
    case("written", H, "Jane Doe", "City Council President", "Dear President Doe:", "local"),
    case("written", H, "Jane Doe", "Ranking Minority Member, House Committee on Appropriations",
         "Dear Representative Doe:", "legislative"),
    case("written", "Ms.", "Jane Doe", "Member, Illinois General Assembly", "Dear Ms. Doe:", "courtesy"),
    case("written", H, "Jane Doe", "Sheriff/Coroner", "Dear Sheriff Doe:", "local"),
    case("written", H, "Jane Doe", "USTR", "Dear Ambassador Doe:", "diplomatic"),
    case("written", "Ms.", "Jane Doe", "Secretary-designate", "Dear Ms. Doe:", "modifiers"),
    case("written", H, "Jane Doe", "Judge Pro Tem", "Dear Judge Doe:", "judicial"),
    case("written", H, "Jane Doe", "Mayor Pro Tem of Fresno", "Dear Mayor Pro Tem Doe:", "local"),
    # --- overrides kept, with advice (Chicago, 'Salutations') ---------------------------------------------------
    case("override", H, "Lance Ito", "Judge of the Superior Court", "Dear Judge Ito,", "written",
         salutation="Dear Judge Ito,"),
]

# Every grade of every service, the full rank written out and its short form in the salutation.
# Hickey, 'Armed Services'; GPO, 'Abbreviations: military titles'.
GRADES = [
    ("General", "General"), ("Lieutenant General", "General"), ("Major General", "General"),
    ("Brigadier General", "General"), ("Colonel", "Colonel"), ("Lieutenant Colonel", "Colonel"),
    ("Major", "Major"), ("Captain", "Captain"), ("First Lieutenant", "Lieutenant"),
    ("Second Lieutenant", "Lieutenant"), ("Admiral", "Admiral"), ("Vice Admiral", "Admiral"),
    ("Rear Admiral", "Admiral"), ("Commander", "Commander"), ("Lieutenant Commander", "Commander"),
    ("Lieutenant", "Lieutenant"), ("Lieutenant Junior Grade", "Lieutenant"), ("Ensign", "Ensign"),
    ("Chief Warrant Officer", "Chief Warrant Officer"), ("Warrant Officer", "Warrant Officer"),
    ("Command Sergeant Major", "Sergeant Major"), ("Sergeant Major", "Sergeant Major"),
    ("Master Gunnery Sergeant", "Master Gunnery Sergeant"), ("Gunnery Sergeant", "Gunnery Sergeant"),
    ("First Sergeant", "First Sergeant"), ("Master Sergeant", "Sergeant"), ("Sergeant First Class", "Sergeant"),
    ("Staff Sergeant", "Sergeant"), ("Technical Sergeant", "Sergeant"), ("Senior Master Sergeant", "Sergeant"),
    ("Chief Master Sergeant", "Chief"), ("Sergeant", "Sergeant"), ("Corporal", "Corporal"),
    ("Lance Corporal", "Lance Corporal"), ("Specialist", "Specialist"), ("Private First Class", "Private"),
    ("Private", "Private"), ("Senior Airman", "Airman"), ("Airman First Class", "Airman"), ("Airman", "Airman"),
    ("Master Chief Petty Officer", "Master Chief"), ("Senior Chief Petty Officer", "Senior Chief"),
    ("Chief Petty Officer", "Chief"), ("Petty Officer First Class", "Petty Officer"),
    ("Petty Officer Second Class", "Petty Officer"), ("Petty Officer Third Class", "Petty Officer"),
    ("Seaman", "Seaman"),
]
CASES += [case("grades", grade, "Jane Doe", None, f"Dear {short} Doe:", "ranks") for grade, short in GRADES]
CASES += [case("grades", grade, "John Roe, USA (Ret.)", None, f"Dear {short} Roe:", "ranks")
          for grade, short in GRADES[:10]]

# Every state's officers, written as each state's own directory writes them. Hickey, 'U.S. State Officials'.
STATES = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
          "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana",
          "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana",
          "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
          "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
          "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "West Virginia",
          "Wisconsin", "Wyoming"]
STATE_OFFICES = [
    ("Governor of {s}", "Dear Governor Doe:", "executive"),
    ("Lt. Gov. of {s}", "Dear Lieutenant Governor Doe:", "executive"),
    ("Attorney General of {s}", "Dear Attorney General Doe:", "executive"),
    ("{s} Secretary of State", "Dear Secretary Doe:", "executive"),
    ("Chief Justice of {s}", "Dear Chief Justice Doe:", "judicial"),
    ("Justice, Supreme Court of {s}", "Dear Justice Doe:", "judicial"),
    ("State Treasurer of {s}", "Dear Treasurer Doe:", "executive"),
    ("Former Governor of {s}", "Dear Ms. Doe:", "modifiers"),
]
CASES += [case("states", "The Honorable" if not title.startswith("Former") else "Ms.", "Jane Doe",
               title.format(s=state), expected, source)
          for i, state in enumerate(STATES) for j, (title, expected, source) in enumerate(STATE_OFFICES)
          if (i + j) % 3 == 0]


@pytest.mark.parametrize("entry", CASES, ids=[f"{c[0]}: {c[1]['name']} / {c[1].get('title') or '-'}"
                                              for c in CASES])
def test_the_sources_cases(entry: tuple[str, dict[str, Any], str, str]) -> None:
    _, fields, expected, source = entry
    explained = explain_salutation(Addressee(**fields))
    assert explained.line == expected, explained.rule
    assert explained.source == SOURCES[source], explained.rule


def test_the_tables_hold_more_than_five_hundred_rows_each_with_its_source() -> None:
    assert len(FIRST_TABLE) + len(CASES) >= 500
    assert {c[3] for c in CASES} <= set(SOURCES)
    assert {"written", "former", "clergy", "spanish", "names", "tribal", "international", "foreign", "grades",
            "states"} <= {c[0] for c in CASES}


# --- groups (Chicago, 'Salutations to groups'; Hickey, 'Letters to several officials') -------------------

def sheriffs(n: int) -> list[Addressee]:
    return [Addressee(honorific=H, name=f"Jane Doe{i}", title=f"Sheriff of County {i}") for i in range(n)]


def test_more_than_six_of_one_office_are_greeted_by_its_plural() -> None:
    assert joint_salutation(sheriffs(20)) == "Dear Sheriffs:"
    judges = [Addressee(honorific=H, name=f"Jane Doe{i}", title="Judge of the Superior Court") for i in range(7)]
    assert joint_salutation(judges) == "Dear Judges:"
    generals = [Addressee(honorific=H, name=f"Jane Doe{i}", title=f"Attorney General of {s}")
                for i, s in enumerate(STATES[:9])]
    assert joint_salutation(generals) == "Dear Attorneys General:"


def test_six_are_still_named_and_seven_of_mixed_offices_get_the_court_style() -> None:
    assert joint_salutation(sheriffs(6)).count("Sheriff") == 6
    mixed = [*sheriffs(6), Addressee(honorific=H, name="John Roe", title="Mayor of Fresno")]
    assert joint_salutation(mixed) == "Ladies and Gentlemen:"
    assert joint_salutation(mixed, mixed_group="Dear Colleagues:") == "Dear Colleagues:"
    assert group_salutation_for(mixed, "Dear Colleagues:") == "Dear Colleagues:"
    # The clerk's own words win.
    assert joint_salutation(mixed, "Dear Friends of the Court:") == "Dear Friends of the Court:"


def test_the_group_default_is_said_and_can_be_changed() -> None:
    findings = address_findings(sheriffs(8))
    assert [f.path for f in findings] == ["group_salutation"]
    assert "'Dear Sheriffs:'" in findings[0].problem
    assert address_findings(sheriffs(8), "Dear Sheriffs:") == []


@pytest.mark.parametrize(("form", "plural"), [
    ("Sheriff", "Sheriffs"), ("Attorney General", "Attorneys General"), ("Chairman", "Chairmen"),
    ("Secretary", "Secretaries"), ("Justice", "Justices"), ("Secretary-General", "Secretaries-General"),
    ("Deputy Attorney General", "Deputy Attorneys General"), ("Chargé d'Affaires", "Chargés d'Affaires"),
    ("Assemblywoman", "Assemblywomen"), ("Councilmember", "Councilmembers"),
])
def test_plural_of_an_office(form: str, plural: str) -> None:
    assert plural_office(form) == plural


def test_a_salutation_typed_with_a_comma_is_kept_and_advised() -> None:
    addressee = Addressee(honorific=H, name="Lance Ito", title="Judge", salutation="Dear Judge Ito,")
    assert explain_salutation(addressee).line == "Dear Judge Ito,"
    findings = address_findings([addressee])
    assert [(f.path, f.value) for f in findings] == [("addressees[0].salutation", "Dear Judge Ito:")]


def test_an_office_typed_before_the_name_is_used_and_moved_to_the_title() -> None:
    addressee = Addressee(honorific=H, name="Senator Dianne Feinstein")
    assert explain_salutation(addressee).line == "Dear Senator Feinstein:"
    assert [(f.path, f.value) for f in address_findings([addressee])] == [("addressees[0].name", "Dianne Feinstein")]
    # A surname that is an office word is a surname: two words of name must follow the office.
    assert explain_salutation(Addressee(honorific="Mr.", name="Judge Reinhold")).line == "Dear Mr. Reinhold:"


@pytest.mark.parametrize(("name", "surname"), [
    ("Ben Ray Luján", "Luján"), ("Gabriel García Márquez", "García Márquez"), ("Kevin de León", "de León"),
    ("Máire Ní Bhriain", "Ní Bhriain"), ("TANAKA Hiroshi", "Tanaka"), ("JB Pritzker", "Pritzker"),
    ("Kim Min-ji", "Kim"), ("Cher", "Cher"), ("José Ortega y Gasset", "Ortega y Gasset"),
])
def test_the_surname_by_the_name_s_culture(name: str, surname: str) -> None:
    assert explain_salutation(Addressee(honorific="Mx.", name=name)).surname == surname


def test_an_addressee_nobody_can_name_turns_a_joint_salutation_into_the_group_style() -> None:
    padilla = Addressee(honorific=H, name="Alex Padilla", title="United States Senator")
    unknown = Addressee(name="Richard J. Durbin")
    assert joint_salutation([padilla, unknown]) == "Ladies and Gentlemen:"
    assert joint_salutation([padilla, Addressee(honorific="Mr.", name="Richard J. Durbin")]) == \
        "Dear Senator Padilla and Mr. Durbin:"
