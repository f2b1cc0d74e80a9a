"""Forms of address: the office table, surnames, salutations, the joint salutation, inside addresses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.address import (
    OFFICES,
    SUFFIXES,
    inside_address,
    join_names,
    joint_salutation,
    name_line,
    office_of,
    salutation_name,
    surname_of,
)
from app.core.letter import Addressee


@dataclass(frozen=True)
class Official:
    """A plain stand-in for an addressee: the forms of address need only these attributes."""

    name: str
    title: str | None = None
    honorific: str | None = None
    organization: str | None = None
    address: Sequence[str] = field(default_factory=tuple)
    salutation: str | None = None


SESSIONS = Official(
    honorific="The Honorable",
    name="Jeff Sessions",
    title="Attorney General of the United States",
    organization="U.S. Department of Justice",
    address=("950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"),
)
KELLY = Official(
    honorific="The Honorable",
    name="John F. Kelly",
    title="Secretary of Homeland Security",
    organization="U.S. Department of Homeland Security",
    address=("Washington, DC 20528",),
)


# --- the office named by a title -------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "office"),
    [
        # The seed letter.
        ("Attorney General of the United States", "Attorney General"),
        ("Secretary of Homeland Security", "Secretary"),
        # Attorneys general and their deputies: a deputy is never promoted to the office itself.
        ("Attorney General", "Attorney General"),
        ("Attorney General of California", "Attorney General"),
        ("ATTORNEY GENERAL OF THE UNITED STATES", "Attorney General"),
        ("Deputy Attorney General", "Deputy Attorney General"),
        ("Assistant Attorney General, Civil Rights Division", "Assistant Attorney General"),
        ("Acting Attorney General", "Acting Attorney General"),
        ("Acting Assistant Attorney General", "Acting Assistant Attorney General"),
        ("Solicitor General of the United States", "Solicitor General"),
        # Secretaries.
        ("Secretary of State", "Secretary"),
        ("secretary of state", "Secretary"),
        ("Secretary, California Health and Human Services Agency", "Secretary"),
        ("Acting Secretary of Homeland Security", "Acting Secretary"),
        ("Deputy Secretary of Homeland Security", "Deputy Secretary"),
        ("Under Secretary for Management", "Under Secretary"),
        ("Deputy Under Secretary for Management", "Deputy Under Secretary"),
        ("Assistant Secretary for Policy", "Assistant Secretary"),
        # Legislators.
        ("Senator", "Senator"),
        ("United States Senator", "Senator"),
        ("U.S. Senator for California", "Senator"),
        ("State Senator, 11th District", "Senator"),
        ("Former Senator", "Senator"),
        ("Representative", "Representative"),
        ("U.S. Representative, 12th District", "Representative"),
        ("Member of Congress", "Representative"),
        ("Congresswoman", "Representative"),
        ("Congressman", "Representative"),
        ("Assemblymember, 17th District", "Assemblymember"),
        ("Assembly Member", "Assemblymember"),
        ("Delegate to Congress", "Delegate"),
        ("Speaker of the Assembly", "Speaker"),
        ("Speaker of the House of Representatives", "Speaker"),
        # A presiding officer pro tempore is addressed as a member of the chamber (Hickey).
        ("President pro Tempore of the Senate", "Senator"),
        ("Chair, Senate Judiciary Committee", "Chair"),
        ("Chairman, Committee on the Judiciary", "Chairman"),
        ("Chairwoman, Committee on Appropriations", "Chairwoman"),
        ("Chairperson, Judicial Council", "Chair"),
        ("Vice Chair, Committee on Public Safety", "Vice Chair"),
        # Governors: the longer office wins, and "Lt." is spelled out.
        ("Governor", "Governor"),
        ("Governor of California", "Governor"),
        ("Lieutenant Governor", "Lieutenant Governor"),
        ("Lieutenant Governor of California", "Lieutenant Governor"),
        ("Lt. Governor", "Lieutenant Governor"),
        # Mayors and local offices.
        ("Mayor of San Francisco", "Mayor"),
        ("Deputy Mayor for Public Safety", "Deputy Mayor"),
        ("Vice Mayor", "Vice Mayor"),
        ("Councilmember, District 5", "Councilmember"),
        ("Council Member", "Councilmember"),
        ("Supervisor, First District", "Supervisor"),
        ("Sheriff of Los Angeles County", "Sheriff"),
        ("Deputy Sheriff", "Deputy Sheriff"),
        ("District Attorney of San Francisco", "District Attorney"),
        ("Deputy District Attorney", "Deputy District Attorney"),
        ("Public Defender", "Public Defender"),
        ("City Attorney of Los Angeles", "City Attorney"),
        ("County Counsel", "County Counsel"),
        ("Chief of Police", "Chief"),
        ("Chief of Police, City of Oakland", "Chief"),
        ("Police Chief", "Chief"),
        ("Deputy Chief of Police", "Deputy Chief"),
        ("State Controller", "Controller"),
        ("State Treasurer", "Treasurer"),
        ("Superintendent of Public Instruction", "Superintendent"),
        # Judges and justices: Chief Justice before Justice; every judge is "Judge".
        ("Chief Justice of California", "Chief Justice"),
        ("Chief Justice of the United States", "Chief Justice"),
        ("Acting Chief Justice", "Acting Chief Justice"),
        ("Associate Justice of the Supreme Court", "Justice"),
        ("Justice", "Justice"),
        ("Presiding Justice, Court of Appeal, First Appellate District", "Justice"),
        ("Judge of the Superior Court", "Judge"),
        ("Superior Court Judge", "Judge"),
        ("Presiding Judge", "Judge"),
        ("Presiding Judge of the Superior Court of California, County of Los Angeles", "Judge"),
        ("Assistant Presiding Judge", "Judge"),
        ("Chief Judge, United States Court of Appeals for the Ninth Circuit", "Judge"),
        ("United States Magistrate Judge", "Judge"),
        ("Senior Judge", "Judge"),
        ("Associate Judge", "Judge"),
        ("Commissioner", "Commissioner"),
        # Directors, and places named after the office that are not the office.
        ("Director, U.S. Immigration and Customs Enforcement", "Director"),
        ("Acting Director, U.S. Immigration and Customs Enforcement", "Acting Director"),
        ("Director, Office of the Governor", "Director"),
        ("Director of the Administrative Office of the Courts", "Director"),
        ("Director, Office of the Attorney General", "Director"),
        ("Deputy Director", "Deputy Director"),
        ("Assistant Director, Enforcement and Removal Operations", "Assistant Director"),
        ("Commissioner of U.S. Customs and Border Protection", "Commissioner"),
        ("Administrator, Drug Enforcement Administration", "Administrator"),
        ("Inspector General, Department of Homeland Security", "Inspector General"),
        ("President of the State Bar", "President"),
        ("Vice President of the United States", "Vice President"),
        ("United States Marshal", "Marshal"),
        ("Ambassador to Mexico", "Ambassador"),
        ("Dean, School of Law", "Dean"),
        ("Professor of Law", "Professor"),
        ("Associate Professor of Law", "Professor"),
    ],
)
def test_office_of_a_title(title: str, office: str) -> None:
    assert office_of(title) == office


@pytest.mark.parametrize(
    "title",
    [
        None,
        "",
        "   ",
        ", of the",
        "Chief of Staff",
        "Chief of Staff to the Governor",
        "Special Agent in Charge",
        "Court Executive Officer",
        "Legal Counsel to the Mayor",
        "Special Assistant to the Secretary",
        "Member, Board of Directors",
        "Citizen",
        # Protocol errors the first table made: an office word inside a longer title is not the
        # office (Hickey: a clerk of court, an executive director are Mr./Ms.).
        "Clerk of the Court",
        "Field Office Director, San Francisco",
        "Executive Director",
        "Press Secretary",
        "Deputy Press Secretary to the President",
    ],
)
def test_no_office_is_known(title: str | None) -> None:
    assert office_of(title) is None


def test_every_entry_of_the_office_table_is_found_on_its_own() -> None:
    # A table entry that can never be matched (e.g. one holding "of") would be dead weight.
    # An office whose holder is Mr. or Ms. in the salutation (a member of a parliament) has no form.
    # "Minister" alone is a member of the clergy; "Minister of Justice" is a government's minister.
    unreachable = {key: office.form for key, office in OFFICES.items()
                   if office_of(key.title()) != (office.form or None) and key != "minister"}
    assert office_of("Minister of Foreign Affairs of France") == "Minister"
    assert office_of("Minister") is None
    assert unreachable == {}


# --- surnames ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "surname"),
    [
        ("Jeff Sessions", "Sessions"),
        ("John F. Kelly", "Kelly"),
        ("Tani G. Cantil-Sakauye", "Cantil-Sakauye"),
        ("Mary Smith-Jones", "Smith-Jones"),
        ("Sandra Day O'Connor", "O'Connor"),
        ("Ruth Bader Ginsburg", "Ginsburg"),
        ("Martin Luther King, Jr.", "King"),
        ("Martin Luther King Jr.", "King"),
        ("Martin Luther King Jr", "King"),
        ("John Smith Sr.", "Smith"),
        ("Henry Ford II", "Ford"),
        ("John Smith III", "Smith"),
        ("Louis Gates IV", "Gates"),
        ("Jane Doe, Esq.", "Doe"),
        ("Jane Doe Esq", "Doe"),
        ("Jane Roe, Ph.D.", "Roe"),
        ("John Smith, Jr., Esq.", "Smith"),
        ("  Jeff    Sessions  ", "Sessions"),
        ("Cher", "Cher"),
        ("", ""),
        # Particles belong to the surname, but a first name is never taken for one.
        ("Kevin de León", "de León"),
        ("Maria de la Cruz", "de la Cruz"),
        ("Ursula von der Leyen", "von der Leyen"),
        ("Dick Van Dyke", "Van Dyke"),
        ("Kevin de León Jr.", "de León"),
        ("Van Jones", "Jones"),
    ],
)
def test_surname(name: str, surname: str) -> None:
    assert surname_of(name) == surname


# --- the salutation for one addressee ----------------------------------------------------------

@pytest.mark.parametrize(
    ("addressee", "expected"),
    [
        (SESSIONS, "Attorney General Sessions"),
        (KELLY, "Secretary Kelly"),
        (Official("Tani G. Cantil-Sakauye", "Chief Justice of California"), "Chief Justice Cantil-Sakauye"),
        (Official("Jerry Brown", "Governor of California"), "Governor Brown"),
        (Official("Gavin Newsom", "Lieutenant Governor of California"), "Lieutenant Governor Newsom"),
        (Official("Ed Lee", "Mayor of the City and County of San Francisco"), "Mayor Lee"),
        (Official("Thomas D. Homan", "Acting Director, U.S. Immigration and Customs Enforcement"),
         "Acting Director Homan"),
        (Official("Jane Smith", "Director, Office of the Governor"), "Director Smith"),
        (Official("Kamala D. Harris", "United States Senator"), "Senator Harris"),
        (Official("Nancy Pelosi", "Member of Congress"), "Representative Pelosi"),
        (Official("Anthony Rendon", "Speaker of the Assembly"), "Speaker Rendon"),
        (Official("Kevin de León", "President pro Tempore of the Senate"), "Senator de León"),
        (Official("Jim McDonnell", "Sheriff of Los Angeles County"), "Sheriff McDonnell"),
        (Official("George Gascón", "District Attorney of San Francisco"), "District Attorney Gascón"),
        (Official("Carolyn B. Kuhl", "Presiding Judge, Superior Court of Los Angeles County"), "Judge Kuhl"),
        (Official("Goodwin Liu", "Associate Justice"), "Justice Liu"),
        (Official("Martin Luther King, Jr.", "Chair, Southern Christian Leadership Conference"), "Chair King"),
        (Official("Jane Doe, Esq.", "County Counsel"), "County Counsel Doe"),
        (Official("Anne Milgram-Ward", "Attorney General of New Jersey"), "Attorney General Milgram-Ward"),
        (Official("Rod Rosenstein", "Deputy Attorney General"), "Deputy Attorney General Rosenstein"),
        (Official("Vanita Gupta", "Assistant Attorney General, Civil Rights Division"),
         "Assistant Attorney General Gupta"),
        (Official("Ray Kelly", "Deputy Mayor for Public Safety"), "Deputy Mayor Kelly"),
        (Official("Libby Schaaf", "Lt. Governor"), "Lieutenant Governor Schaaf"),
        (Official("Ann Kirkpatrick", "Chief of Police, City of Oakland"), "Chief Kirkpatrick"),
        # The honorific is never part of the salutation, whether in its own field or in the name.
        (Official("The Honorable Jeff Sessions", "Attorney General"), "Attorney General Sessions"),
        (Official("Hon. John F. Kelly", "Secretary of Homeland Security"), "Secretary Kelly"),
        # No office and no courtesy title known: never the full name ("Dear Jane Smith:"), but the
        # form that is never wrong, and preflight asks for the courtesy title.
        (Official("Jane Smith", "Chief of Staff to the Governor"), "Sir or Madam"),
        (Official("Jane Smith", None), "Sir or Madam"),
        (Official("Jane Smith", ""), "Sir or Madam"),
        (Official("  Jane Smith  ", "Court Executive Officer"), "Sir or Madam"),
        (Official("The Honorable Jane Smith", "Court Executive Officer"), "Sir or Madam"),
        (Official("Hon. Jane Smith", "Court Executive Officer"), "Sir or Madam"),
        (Official("Jane Smith", "Court Executive Officer", honorific="Ms."), "Ms. Smith"),
        (Official("Honorable Jane Smith", "Court Executive Officer", honorific="Ms."), "Ms. Smith"),
        (Official("The Honourable Jane Smith", "Court Executive Officer", honorific="Ms."), "Ms. Smith"),
        # A name that merely begins like the honorific is left alone.
        (Official("Honesty Smith", "Court Executive Officer", honorific="Ms."), "Ms. Smith"),
    ],
)
def test_salutation_from_office_and_surname(addressee: Official, expected: str) -> None:
    assert salutation_name(addressee) == expected


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("Mr. Attorney General", "Mr. Attorney General"),
        ("General Sessions", "General Sessions"),
        ("  Attorney General Sessions  ", "Attorney General Sessions"),
        # The honorific never survives, even when the clerk types it into the override.
        ("The Honorable Jeff Sessions", "Jeff Sessions"),
        ("Honorable Jeff Sessions", "Jeff Sessions"),
        ("Hon. Jeff Sessions", "Jeff Sessions"),
        ("THE HONORABLE JEFF SESSIONS", "JEFF SESSIONS"),
        # An override typed as the whole line does not give "Dear Dear ...::".
        ("Dear Attorney General Sessions:", "Attorney General Sessions"),
        ("dear Attorney General Sessions,", "Attorney General Sessions"),
        ("Dear The Honorable Jeff Sessions:", "Jeff Sessions"),
    ],
)
def test_salutation_override_wins(override: str, expected: str) -> None:
    addressee = Official("Jeff Sessions", "Attorney General of the United States", salutation=override)
    assert salutation_name(addressee) == expected


@pytest.mark.parametrize("override", [None, "", "   ", "The Honorable", "Dear :"])
def test_an_empty_override_falls_back_to_office_and_surname(override: str | None) -> None:
    addressee = Official("Jeff Sessions", "Attorney General of the United States", salutation=override)
    assert salutation_name(addressee) == "Attorney General Sessions"


# --- the joint salutation ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("names", "joined"),
    [
        ([], ""),
        (["A"], "A"),
        (["A", "B"], "A and B"),
        (["A", "B", "C"], "A, B, and C"),
        (["A", "B", "C", "D"], "A, B, C, and D"),
    ],
)
def test_join_names_uses_the_serial_comma(names: list[str], joined: str) -> None:
    assert join_names(names) == joined


@pytest.mark.parametrize(
    ("addressees", "expected"),
    [
        ([SESSIONS], "Dear Attorney General Sessions:"),
        ([SESSIONS, KELLY], "Dear Attorney General Sessions and Secretary Kelly:"),
        ([KELLY, SESSIONS], "Dear Secretary Kelly and Attorney General Sessions:"),
        (
            [SESSIONS, KELLY, Official("Jerry Brown", "Governor of California", honorific="The Honorable")],
            "Dear Attorney General Sessions, Secretary Kelly, and Governor Brown:",
        ),
        (
            [
                SESSIONS,
                KELLY,
                Official("Jerry Brown", "Governor of California"),
                Official("Jane Smith", "Chief of Staff", salutation="Ms. Smith"),
            ],
            "Dear Attorney General Sessions, Secretary Kelly, Governor Brown, and Ms. Smith:",
        ),
        (
            [Official("The Honorable Jane Smith", None, honorific="Ms."), Official("Hon. John Roe", "Senator")],
            "Dear Ms. Smith and Senator Roe:",
        ),
        (
            [Official("Jeff Sessions", "Attorney General", salutation="The Honorable Jeff Sessions"), KELLY],
            "Dear Jeff Sessions and Secretary Kelly:",
        ),
    ],
)
def test_joint_salutation(addressees: list[Official], expected: str) -> None:
    assert joint_salutation(addressees) == expected


# A generated surname must not be a suffix ("Jr"), which is dropped by rule.
_name_word = st.from_regex(r"[A-Z][a-z]{1,10}", fullmatch=True).filter(
    lambda w: w.lower() not in SUFFIXES)


@given(
    first=_name_word,
    last=_name_word,
    office=st.sampled_from(sorted(k for k, o in OFFICES.items() if o.usage == "by_name" and not o.military
                                  and not o.courtesy_only and k != "minister")),  # alone, a minister of a church
    honorific=st.sampled_from(["The Honorable ", "Hon. ", "Honorable ", ""]),
)
def test_salutation_is_office_then_surname_and_never_honorable(
    first: str, last: str, office: str, honorific: str
) -> None:
    addressee = Official(f"{honorific}{first} {last}", office.title(), honorific="The Honorable")
    salutation = salutation_name(addressee)
    assert salutation == f"{OFFICES[office].form} {last}"
    assert "honorable" not in salutation.lower()


@given(st.lists(st.from_regex(r"[A-Z][a-z]{0,8}( [A-Z][a-z]{0,8})?", fullmatch=True), min_size=1, max_size=6))
def test_joint_salutation_lists_every_addressee_in_order(names: list[str]) -> None:
    line = joint_salutation([Official(n, salutation=n) for n in names])
    assert line.startswith("Dear ")
    assert line.endswith(":")
    body = line.removeprefix("Dear ").removesuffix(":")
    if len(names) == 1:
        assert body == names[0]
    elif len(names) == 2:
        assert body == f"{names[0]} and {names[1]}"
    else:
        *rest, last = body.split(", ")
        assert rest == names[:-1]
        assert last == f"and {names[-1]}"


# --- the inside address ----------------------------------------------------------------------------

def test_inside_address_block_in_order() -> None:
    assert inside_address(SESSIONS) == [
        "The Honorable Jeff Sessions",
        "Attorney General of the United States",
        "U.S. Department of Justice",
        "950 Pennsylvania Avenue, NW",
        "Washington, DC 20530-0001",
    ]


@pytest.mark.parametrize(
    ("addressee", "block"),
    [
        (Official("Jane Smith"), ["Jane Smith"]),
        (Official("Jane Smith", honorific=None, title="Director"), ["Jane Smith", "Director"]),
        (Official("Jane Smith", honorific="", title="Director"), ["Jane Smith", "Director"]),
        (Official("Jane Smith", honorific="   ", title="Director"), ["Jane Smith", "Director"]),
        (Official("Jane Smith", honorific="Hon.", title="Director"), ["Hon. Jane Smith", "Director"]),
        (Official("  Jane Smith ", honorific=" The Honorable "), ["The Honorable Jane Smith"]),
        (
            Official("Jane Smith", "Director", organization=None, address=("1 Main St", "Sacramento, CA")),
            ["Jane Smith", "Director", "1 Main St", "Sacramento, CA"],
        ),
        (
            Official("Jane Smith", None, organization="Judicial Council", address=()),
            ["Jane Smith", "Judicial Council"],
        ),
        (
            Official("Jane Smith", "Director", organization="  ", address=("", "  ", "1 Main St")),
            ["Jane Smith", "Director", "1 Main St"],
        ),
        (
            Official("Jane Smith", "Director\nOffice of the Governor", address=("Suite 100\n\n1 Main St",)),
            ["Jane Smith", "Director", "Office of the Governor", "Suite 100", "1 Main St"],
        ),
        (
            Official("Jane Smith", "  Director  ", organization=" Judicial Council ", address=(" 1 Main St ",)),
            ["Jane Smith", "Director", "Judicial Council", "1 Main St"],
        ),
    ],
)
def test_inside_address_leaves_out_blanks(addressee: Official, block: list[str]) -> None:
    assert inside_address(addressee) == block


@pytest.mark.parametrize(
    ("honorific", "name", "line"),
    [
        ("The Honorable", "Jeff Sessions", "The Honorable Jeff Sessions"),
        (None, "Jeff Sessions", "Jeff Sessions"),
        ("", "Jeff Sessions", "Jeff Sessions"),
        ("Mr.", "Jeff Sessions", "Mr. Jeff Sessions"),
    ],
)
def test_name_line(honorific: str | None, name: str, line: str) -> None:
    assert name_line(Official(name, honorific=honorific)) == line


def test_blocks_stack_one_per_addressee_in_letter_order() -> None:
    blocks = [inside_address(a) for a in (SESSIONS, KELLY)]
    assert [block[0] for block in blocks] == ["The Honorable Jeff Sessions", "The Honorable John F. Kelly"]
    assert blocks[1] == [
        "The Honorable John F. Kelly",
        "Secretary of Homeland Security",
        "U.S. Department of Homeland Security",
        "Washington, DC 20528",
    ]


def test_the_letter_addressee_model_has_the_same_forms() -> None:
    addressee = Addressee(
        honorific="The Honorable",
        name="John F. Kelly",
        title="Secretary of Homeland Security",
        organization="U.S. Department of Homeland Security",
        address=["Washington, DC 20528"],
    )
    assert addressee.inside_address == inside_address(KELLY)
    assert addressee.salutation_name == "Secretary Kelly"
    assert joint_salutation([addressee]) == "Dear Secretary Kelly:"


@given(
    name=st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}", fullmatch=True),
    title=st.one_of(st.none(), st.from_regex(r"[A-Za-z ,]{0,30}", fullmatch=True)),
    organization=st.one_of(st.none(), st.text(max_size=20)),
    address=st.lists(st.text(max_size=20), max_size=4),
)
def test_inside_address_lines_are_never_blank_and_start_with_the_name(
    name: str, title: str | None, organization: str | None, address: list[str]
) -> None:
    block = inside_address(Official(name, title, organization=organization, address=tuple(address)))
    assert block[0] == name
    assert all(line and line == line.strip() and "\n" not in line for line in block)
    assert not re.search(r"honorable", block[0], re.IGNORECASE)


@pytest.mark.parametrize(("honorific", "name", "title", "expected"), [
    ("Ms.", "Jane Doe", "Executive Officer", "Ms. Doe"),
    ("Dr.", "Ann Lee", "Chief Medical Examiner", "Dr. Lee"),
    ("Mr.", "Juan de la Cruz", "Court Interpreter", "Mr. de la Cruz"),
    ("Rev.", "Martin Luther King Jr.", "Pastor", "Reverend King"),
    ("Ms.", "Kamala Harris", "Senator", "Senator Harris"),  # an office wins over a courtesy title
    ("The Honorable", "Jane Doe", "Executive Officer", "Sir or Madam"),  # no courtesy title: never the full name
    ("Ms.", "Cher", "Singer", "Ms. Cher"),  # a mononym keeps its courtesy title
])
def test_courtesy_title_and_surname_when_no_office(honorific: str, name: str, title: str, expected: str) -> None:
    assert salutation_name(Official(name, title, honorific=honorific)) == expected
