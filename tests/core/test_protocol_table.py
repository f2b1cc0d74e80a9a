"""The forms of address checked against US protocol, one row per addressee.

Each row: the addressee as a clerk types it, the inside address's first line (the name line) as
a protocol officer writes it, the salutation line, and the table of ``app.core.protocol.SOURCES``
whose rule decides it. The rest of the block (title, organization, address) is the typed lines
in order; every row checks the whole block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.address import (
    DISTRIBUTION_THRESHOLD,
    SOURCES,
    address_findings,
    distribution_list,
    explain_salutation,
    group_address,
    inside_address,
    joint_salutation,
    letter_findings,
    salutation_line,
    surname_used,
    uses_distribution,
)
from app.core.letter import Addressee, parse_letter


@dataclass(frozen=True)
class Row:
    category: str
    fields: dict[str, Any]
    first_line: str
    salutation: str
    source: str

    @property
    def id(self) -> str:
        return f"{self.category}: {self.fields['name']} / {self.fields.get('title') or '-'}"


def row(category: str, honorific: str | None, name: str, title: str | None, expected: str, source: str,
        first_line: str | None = None, **extra: Any) -> Row:
    fields: dict[str, Any] = {"name": name, **extra}
    if honorific is not None:
        fields["honorific"] = honorific
    if title is not None:
        fields["title"] = title
    first = first_line if first_line is not None else (f"{honorific} {name}" if honorific else name)
    return Row(category, fields, first, expected, source)


H = "The Honorable"

ROWS: list[Row] = [
    # --- the model letter ----------------------------------------------------------------------
    row("model", H, "Jeff Sessions", "Attorney General of the United States", "Dear Attorney General Sessions:",
        "executive", organization="U.S. Department of Justice",
        address=["950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"]),
    row("model", H, "John F. Kelly", "Secretary of Homeland Security", "Dear Secretary Kelly:", "executive",
        organization="U.S. Department of Homeland Security", address=["Washington, DC 20528"]),
    # --- one-of-a-kind offices ------------------------------------------------------------------
    row("unique", "Mr.", "Joseph R. Biden", "President of the United States", "Dear Mr. President:",
        "unique_offices", organization="The White House"),
    row("unique", "Ms.", "Jane Doe", "President of the United States", "Dear Madam President:", "unique_offices"),
    row("unique", "Ms.", "Kamala D. Harris", "Vice President of the United States",
        "Dear Madam Vice President:", "unique_offices"),
    row("unique", "Mr.", "Mike Pence", "Vice President of the United States", "Dear Mr. Vice President:",
        "unique_offices"),
    row("unique", H, "John G. Roberts, Jr.", "Chief Justice of the United States", "Dear Chief Justice:",
        "unique_offices", organization="Supreme Court of the United States"),
    row("unique", "Ms.", "Nancy Pelosi", "Speaker of the House of Representatives", "Dear Madam Speaker:",
        "unique_offices"),
    row("unique", "Mr.", "Mike Johnson", "Speaker of the House of Representatives", "Dear Mr. Speaker:",
        "unique_offices"),
    row("unique", "Mr.", "Robert Rivas", "Speaker of the Assembly", "Dear Mr. Speaker:", "unique_offices"),
    row("unique", H, "Nancy Pelosi", "Speaker of the House of Representatives", "Dear Madam Speaker:",
        "unique_offices", courtesy="Ms."),
    row("unique", H, "Kamala D. Harris", "Vice President of the United States", "Dear Madam Vice President:",
        "unique_offices", courtesy="Ms."),
    row("unique", H, "Anthony Rendon", "Speaker of the Assembly", "Dear Speaker Rendon:", "legislative"),
    row("unique", H, "Joseph R. Biden", "President-elect of the United States", "Dear President-elect Biden:",
        "unique_offices"),
    # --- federal and state executive --------------------------------------------------------------
    row("executive", H, "Antony J. Blinken", "Secretary of State", "Dear Secretary Blinken:", "executive"),
    row("executive", H, "Shirley N. Weber", "California Secretary of State", "Dear Secretary Weber:",
        "executive"),
    row("executive", H, "Rob Bonta", "Attorney General of California", "Dear Attorney General Bonta:",
        "executive"),
    row("executive", H, "Gavin Newsom", "Governor of California", "Dear Governor Newsom:", "executive"),
    row("executive", H, "Eleni Kounalakis", "Lieutenant Governor of California",
        "Dear Lieutenant Governor Kounalakis:", "executive"),
    row("executive", H, "Libby Schaaf", "Lt. Governor", "Dear Lieutenant Governor Schaaf:", "executive"),
    row("executive", H, "Elizabeth Prelogar", "Solicitor General of the United States",
        "Dear Solicitor General Prelogar:", "executive"),
    row("executive", H, "Rod Rosenstein", "Deputy Attorney General", "Dear Deputy Attorney General Rosenstein:",
        "executive"),
    row("executive", H, "Vanita Gupta", "Assistant Attorney General, Civil Rights Division",
        "Dear Assistant Attorney General Gupta:", "executive"),
    row("executive", H, "Elaine Duke", "Deputy Secretary of Homeland Security", "Dear Deputy Secretary Duke:",
        "executive"),
    row("executive", H, "Michael Regan", "Administrator, Environmental Protection Agency",
        "Dear Administrator Regan:", "executive"),
    row("executive", H, "Christopher Wray", "Director, Federal Bureau of Investigation", "Dear Director Wray:",
        "executive"),
    row("executive", H, "Malia Cohen", "State Controller", "Dear Controller Cohen:", "executive"),
    row("executive", H, "Fiona Ma", "State Treasurer", "Dear Treasurer Ma:", "executive"),
    row("executive", H, "Tony Thurmond", "Superintendent of Public Instruction", "Dear Superintendent Thurmond:",
        "executive"),
    row("executive", H, "Ricardo Lara", "Insurance Commissioner", "Dear Commissioner Lara:", "executive"),
    row("executive", H, "Joseph Cuffari", "Inspector General, Department of Homeland Security",
        "Dear Inspector General Cuffari:", "executive"),
    row("executive", H, "Jane Doe", "United States Marshal", "Dear Marshal Doe:", "executive"),
    # --- an office word inside a longer title is not the office ---------------------------------------
    row("not-the-office", "Ms.", "Karine Jean-Pierre", "White House Press Secretary", "Dear Ms. Jean-Pierre:",
        "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Deputy Press Secretary to the Governor", "Dear Mr. Roe:",
        "courtesy"),
    row("not-the-office", "Ms.", "Martha Ruiz", "Executive Director, Judicial Council", "Dear Ms. Ruiz:",
        "courtesy"),
    row("not-the-office", "Mr.", "David Yamasaki", "Court Executive Officer", "Dear Mr. Yamasaki:", "courtesy"),
    row("not-the-office", "Ms.", "Jane Doe", "Clerk of the Court", "Dear Ms. Doe:", "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Clerk of the Board of Supervisors", "Dear Mr. Roe:", "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Field Office Director, San Francisco", "Dear Mr. Roe:", "courtesy"),
    row("not-the-office", "Ms.", "Ann Lee", "Legislative Director to Senator Padilla", "Dear Ms. Lee:",
        "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Special Assistant to the Secretary", "Dear Mr. Roe:", "courtesy"),
    row("not-the-office", "Ms.", "Jane Doe", "Chief of Staff to the Governor", "Dear Ms. Doe:", "courtesy"),
    row("not-the-office", "Ms.", "Ana Rivera", "Courts Reporter", "Dear Ms. Rivera:", "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Sales Representative", "Dear Mr. Roe:", "courtesy"),
    row("not-the-office", "Ms.", "Jane Doe", "Managing Director", "Dear Ms. Doe:", "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Recording Secretary, Bar Association", "Dear Mr. Roe:",
        "courtesy"),
    row("not-the-office", "Mr.", "John Roe", "Special Agent in Charge", "Dear Mr. Roe:", "courtesy"),
    # --- former, acting, -elect, pro tem ---------------------------------------------------------------
    row("modifiers", "Mr.", "John Roe", "Former Secretary of State", "Dear Mr. Roe:", "modifiers"),
    row("modifiers", "Ms.", "Jane Doe", "Former Governor of Ohio", "Dear Ms. Doe:", "modifiers"),
    # Many senators serve at a time: a former one keeps the title (Hickey, 'Former Officials').
    row("modifiers", "Ms.", "Barbara Boxer", "Former United States Senator", "Dear Senator Boxer:", "former"),
    row("modifiers", H, "Barack Obama", "Former President of the United States", "Dear President Obama:",
        "modifiers"),
    row("modifiers", "Dr.", "Jane Roe", "Former Director, National Institutes of Health", "Dear Dr. Roe:",
        "modifiers"),
    row("modifiers", H, "Thomas D. Homan", "Acting Director, U.S. Immigration and Customs Enforcement",
        "Dear Acting Director Homan:", "executive"),
    row("modifiers", H, "Julie Su", "Acting Secretary of Labor", "Dear Acting Secretary Su:", "executive"),
    row("modifiers", H, "Jane Doe", "Interim Chief of Police", "Dear Interim Chief Doe:", "local"),
    row("modifiers", H, "Jane Doe", "Governor-elect of Ohio", "Dear Governor-elect Doe:", "executive"),
    row("modifiers", H, "John Roe", "Senator-elect", "Dear Senator-elect Roe:", "legislative"),
    row("modifiers", H, "John Roe", "Mayor-elect of Sacramento", "Dear Mayor-elect Roe:", "local"),
    row("modifiers", H, "Jane Doe", "Mayor Pro Tem", "Dear Mayor Pro Tem Doe:", "local",
        organization="City of Irvine"),
    row("modifiers", H, "Jane Doe", "Mayor pro tempore, City of Dallas", "Dear Mayor Pro Tem Doe:", "local"),
    row("modifiers", H, "Kevin de León", "President pro Tempore of the Senate", "Dear Senator de León:",
        "legislative"),
    row("modifiers", H, "John Roe", "Speaker pro Tempore of the Assembly", "Dear Assemblymember Roe:",
        "legislative"),
    row("modifiers", H, "Jane Doe", "Judge of the Superior Court (Ret.)", "Dear Judge Doe:", "judicial"),
    # --- legislators, every chamber ---------------------------------------------------------------------
    row("legislative", H, "Alex Padilla", "United States Senator", "Dear Senator Padilla:", "legislative"),
    row("legislative", H, "Kamala D. Harris", "U.S. Senator for California", "Dear Senator Harris:",
        "legislative"),
    row("legislative", H, "Nancy Skinner", "State Senator, 9th District", "Dear Senator Skinner:",
        "legislative"),
    row("legislative", H, "Nancy Pelosi", "Member of Congress", "Dear Representative Pelosi:", "legislative"),
    row("legislative", H, "Zoe Lofgren", "U.S. Representative, 18th District", "Dear Representative Lofgren:",
        "legislative"),
    row("legislative", H, "John Roe", "Congressman", "Dear Representative Roe:", "legislative"),
    row("legislative", H, "Jane Doe", "Congresswoman", "Dear Representative Doe:", "legislative"),
    row("legislative", H, "Eleanor Holmes Norton", "Delegate to Congress", "Dear Delegate Norton:",
        "legislative", surname="Norton"),
    row("legislative", H, "Jenniffer González-Colón", "Resident Commissioner from Puerto Rico",
        "Dear Resident Commissioner González-Colón:", "legislative"),
    row("legislative", H, "Buffy Wicks", "Assemblymember, 14th District", "Dear Assemblymember Wicks:",
        "legislative"),
    row("legislative", H, "John Roe", "Member of the Assembly", "Dear Assemblymember Roe:", "legislative"),
    row("legislative", H, "Jane Doe", "Member of the New York State Assembly", "Dear Assemblymember Doe:",
        "legislative"),
    row("legislative", H, "John Roe", "Assemblyman", "Dear Assemblyman Roe:", "legislative"),
    row("legislative", H, "Jane Doe", "Assemblywoman, 2nd Legislative District", "Dear Assemblywoman Doe:",
        "legislative"),
    row("legislative", H, "Jane Doe", "Delegate", "Dear Delegate Doe:", "legislative",
        organization="Maryland House of Delegates"),
    row("legislative", H, "John Roe", "Member of the House of Delegates", "Dear Delegate Roe:", "legislative"),
    row("legislative", H, "Jane Doe", "State Representative", "Dear Representative Doe:", "legislative",
        organization="Texas House of Representatives"),
    row("legislative", H, "John Roe", "Member of the House of Representatives", "Dear Representative Roe:",
        "legislative"),
    row("legislative", H, "Jane Doe", "Member of the New Jersey General Assembly", "Dear Assemblymember Doe:",
        "legislative"),
    row("legislative", "Ms.", "Jane Doe", "Member of the Virginia General Assembly", "Dear Ms. Doe:", "courtesy"),
    row("legislative", H, "John Roe", "Member of the Nebraska Legislature", "Dear Senator Roe:", "legislative"),
    row("legislative", H, "Bill Ferguson", "President of the Maryland Senate", "Dear President Ferguson:",
        "legislative"),
    row("legislative", "Mr.", "Nicholas Scutari", "President of the New Jersey Senate", "Dear Mr. President:",
        "legislative"),
    row("legislative", H, "Jane Doe", "Speaker of the House of Delegates", "Dear Speaker Doe:", "legislative"),
    row("legislative", H, "John Roe", "Legislator, 5th District", "Dear Senator Roe:", "legislative",
        organization="Nebraska Legislature"),
    row("legislative", H, "Charles E. Schumer", "Majority Leader, United States Senate", "Dear Senator Schumer:",
        "legislative"),
    row("legislative", H, "Mitch McConnell", "Senate Republican Leader", "Dear Senator McConnell:",
        "legislative"),
    row("legislative", H, "Hakeem Jeffries", "Democratic Leader of the House", "Dear Representative Jeffries:",
        "legislative"),
    row("legislative", H, "Jane Doe", "Assembly Majority Leader", "Dear Assemblymember Doe:", "legislative"),
    row("legislative", H, "John Roe", "Minority Whip of the Senate", "Dear Senator Roe:", "legislative"),
    row("legislative", H, "Jane Doe", "House Majority Whip", "Dear Representative Doe:", "legislative"),
    row("legislative", H, "John Roe", "Majority Floor Leader, House of Delegates", "Dear Delegate Roe:",
        "legislative"),
    row("legislative", H, "Jane Doe", "Majority Leader", "Dear Leader Doe:", "legislative"),
    row("legislative", H, "Dick Durbin", "Chair, Senate Judiciary Committee", "Dear Chair Durbin:", "executive"),
    row("legislative", H, "Jim Jordan", "Chairman, Committee on the Judiciary", "Dear Chairman Jordan:",
        "executive"),
    # --- local ----------------------------------------------------------------------------------------
    row("local", H, "London Breed", "Mayor of the City and County of San Francisco", "Dear Mayor Breed:",
        "local"),
    row("local", H, "Ray Kelly", "Deputy Mayor for Public Safety", "Dear Deputy Mayor Kelly:", "local"),
    row("local", H, "Jane Doe", "Vice Mayor", "Dear Vice Mayor Doe:", "local"),
    row("local", H, "John Roe", "Councilmember, District 5", "Dear Councilmember Roe:", "local"),
    row("local", H, "Jane Doe", "Council Member", "Dear Councilmember Doe:", "local"),
    row("local", H, "John Roe", "Alderman, 42nd Ward", "Dear Alderman Roe:", "local"),
    row("local", H, "Hilda L. Solis", "Supervisor, First District", "Dear Supervisor Solis:", "local"),
    row("local", H, "Jane Doe", "County Supervisor", "Dear Supervisor Doe:", "local"),
    row("local", H, "Robert Luna", "Sheriff of Los Angeles County", "Dear Sheriff Luna:", "local"),
    row("local", H, "John Roe", "Los Angeles County Sheriff", "Dear Sheriff Roe:", "local"),
    row("local", H, "George Gascón", "District Attorney of Los Angeles County", "Dear District Attorney Gascón:",
        "local"),
    row("local", H, "Kim Foxx", "Cook County State's Attorney", "Dear State's Attorney Foxx:", "local"),
    row("local", H, "Hydee Feldstein Soto", "City Attorney of Los Angeles", "Dear City Attorney Feldstein Soto:",
        "local", surname="Feldstein Soto"),
    row("local", "Ms.", "Jane Doe", "County Counsel", "Dear County Counsel Doe:", "local"),
    row("local", "Mr.", "Ricardo García", "Public Defender", "Dear Public Defender García:", "local"),
    row("local", "Ms.", "Ann Kirkpatrick", "Chief of Police, City of Oakland", "Dear Chief Kirkpatrick:",
        "local"),
    row("local", "Mr.", "John Roe", "Fire Chief", "Dear Chief Roe:", "local"),
    # --- judicial -------------------------------------------------------------------------------------------
    row("judicial", H, "Tani G. Cantil-Sakauye", "Chief Justice of California", "Dear Chief Justice Cantil-Sakauye:",
        "judicial"),
    row("judicial", H, "Patricia Guerrero", "Chief Justice of California", "Dear Chief Justice Guerrero:",
        "judicial"),
    row("judicial", H, "Sonia Sotomayor", "Associate Justice of the Supreme Court of the United States",
        "Dear Justice Sotomayor:", "judicial"),
    row("judicial", H, "Goodwin Liu", "Associate Justice", "Dear Justice Liu:", "judicial"),
    row("judicial", H, "Jane Doe", "Presiding Justice, Court of Appeal, First Appellate District",
        "Dear Justice Doe:", "judicial"),
    row("judicial", H, "Carolyn B. Kuhl", "Presiding Judge, Superior Court of Los Angeles County",
        "Dear Judge Kuhl:", "judicial"),
    row("judicial", H, "Mary Murguia", "Chief Judge, United States Court of Appeals for the Ninth Circuit",
        "Dear Judge Murguia:", "judicial"),
    row("judicial", H, "Jane Doe", "United States Magistrate Judge", "Dear Judge Doe:", "judicial"),
    row("judicial", H, "John Roe", "Magistrate", "Dear Judge Roe:", "judicial"),
    row("judicial", H, "Jane Doe", "Judge of the Superior Court", "Dear Judge Doe:", "judicial"),
    row("judicial", H, "John Roe", "Superior Court Judge", "Dear Judge Roe:", "judicial"),
    row("judicial", H, "Jane Doe", "United States Bankruptcy Judge", "Dear Judge Doe:", "judicial"),
    row("judicial", H, "John Roe", "Administrative Law Judge", "Dear Judge Roe:", "judicial"),
    row("judicial", H, "Jane Doe", "Senior Judge", "Dear Judge Doe:", "judicial"),
    row("judicial", "Mr.", "John Roe", "Judge Advocate", "Dear Mr. Roe:", "courtesy"),
    # --- diplomatic --------------------------------------------------------------------------------------------
    row("diplomatic", H, "Ken Salazar", "Ambassador of the United States to Mexico", "Dear Ambassador Salazar:",
        "diplomatic"),
    row("diplomatic", H, "Jane Doe", "Ambassador to Mexico", "Dear Ambassador Doe:", "diplomatic"),
    row("diplomatic", H, "Linda Thomas-Greenfield",
        "United States Permanent Representative to the United Nations", "Dear Ambassador Thomas-Greenfield:",
        "diplomatic"),
    row("diplomatic", H, "John Roe", "U.S. Representative to the United Nations", "Dear Ambassador Roe:",
        "diplomatic"),
    row("diplomatic", H, "Jane Doe", "Ambassador-at-Large for Global Criminal Justice", "Dear Ambassador Doe:",
        "diplomatic"),
    row("diplomatic", "His Excellency", "Jean Dupont", "Ambassador of France to the United States",
        "Dear Mr. Ambassador:", "diplomatic", organization="Embassy of France"),
    row("diplomatic", "Her Excellency", "Ana Gómez", "Ambassador of Mexico", "Dear Madam Ambassador:",
        "diplomatic"),
    row("diplomatic", H, "Jean Dupont", "Ambassador of France", "Excellency:", "diplomatic"),
    row("diplomatic", "Ms.", "Marie Curie", "Chargé d'Affaires, a.i.", "Dear Madam Chargé d'Affaires:",
        "diplomatic", organization="Embassy of France"),
    row("diplomatic", H, "John Roe", "Chargé d'Affaires", "Dear Chargé d'Affaires Roe:", "diplomatic"),
    row("diplomatic", "His Excellency", "Emmanuel Macron", "President of the French Republic",
        "Dear Mr. President:", "diplomatic"),
    row("diplomatic", H, "Xi Jinping", "President of the People's Republic of China", "Excellency:", "diplomatic",
        surname="Xi"),
    row("diplomatic", "His Excellency", "John Roe", None, "Excellency:", "diplomatic"),
    # --- armed services: rank, all services, full and abbreviated; rank over office -------------------------
    row("military", "General", "Mark A. Milley", "Chairman of the Joint Chiefs of Staff", "Dear General Milley:",
        "rank_over_office"),
    row("military", "Admiral", "Michael M. Gilday", "Chief of Naval Operations", "Dear Admiral Gilday:",
        "rank_over_office"),
    row("military", "General", "Jane Doe", "Commandant of the Marine Corps", "Dear General Doe:",
        "rank_over_office"),
    row("military", "Lieutenant General", "Jane Doe", "Director, Defense Intelligence Agency",
        "Dear General Doe:", "rank_over_office"),
    row("military", "Lt. Gen.", "Jane Doe", "Director, Defense Intelligence Agency", "Dear General Doe:",
        "rank_over_office"),
    row("military", "LTG", "John Roe", "Commanding General, I Corps", "Dear General Roe:", "ranks"),
    row("military", "MG", "John Roe", "U.S. Army", "Dear General Roe:", "ranks"),
    row("military", "Maj. Gen.", "John Roe", "United States Air Force", "Dear General Roe:", "ranks"),
    row("military", "Brigadier General", "Jane Doe", "Superintendent, U.S. Air Force Academy",
        "Dear General Doe:", "rank_over_office"),
    row("military", "BGen", "John Roe", "U.S. Marine Corps", "Dear General Roe:", "ranks"),
    row("military", "Colonel", "Jane Doe", "United States Army", "Dear Colonel Doe:", "ranks"),
    row("military", "Lt. Col.", "John Roe", "U.S. Air Force", "Dear Colonel Roe:", "ranks"),
    row("military", "LtCol", "John Roe", "U.S. Marine Corps", "Dear Colonel Roe:", "ranks"),
    row("military", "LTC", "Jane Doe", "Commander, 1st Battalion, 5th Infantry", "Dear Colonel Doe:",
        "rank_over_office"),
    row("military", "Major", "John Roe", "Judge Advocate, U.S. Army", "Dear Major Roe:", "ranks"),
    row("military", "Captain", "Jane Doe", "U.S. Navy", "Dear Captain Doe:", "ranks"),
    row("military", "CPT", "John Roe", "U.S. Army", "Dear Captain Roe:", "ranks"),
    row("military", "First Lieutenant", "Jane Doe", "U.S. Army", "Dear Lieutenant Doe:", "ranks"),
    row("military", "2nd Lt.", "John Roe", "U.S. Air Force", "Dear Lieutenant Roe:", "ranks"),
    row("military", "Vice Admiral", "Jane Doe", "Commander, U.S. Third Fleet", "Dear Admiral Doe:",
        "rank_over_office"),
    row("military", "RADM", "John Roe", "Commander, Navy Region Southwest", "Dear Admiral Roe:",
        "rank_over_office"),
    row("military", "Rear Admiral", "Jane Doe", "United States Coast Guard", "Dear Admiral Doe:", "ranks"),
    row("military", "Commander", "John Roe", "U.S. Navy", "Dear Commander Roe:", "ranks"),
    row("military", "LCDR", "Jane Doe", "U.S. Coast Guard", "Dear Commander Doe:", "ranks"),
    row("military", "Lieutenant (junior grade)", "John Roe", "U.S. Navy", "Dear Lieutenant Roe:", "ranks"),
    row("military", "Ensign", "Jane Doe", "U.S. Coast Guard", "Dear Ensign Doe:", "ranks"),
    row("military", "General", "Chance Saltzman", "Chief of Space Operations, U.S. Space Force",
        "Dear General Saltzman:", "rank_over_office"),
    row("military", "Chief Warrant Officer", "John Roe", "U.S. Army", "Dear Chief Warrant Officer Roe:",
        "ranks"),
    row("military", "Sergeant Major", "Jane Doe", "U.S. Army", "Dear Sergeant Major Doe:", "ranks"),
    row("military", "SSgt", "John Roe", "U.S. Marine Corps", "Dear Sergeant Roe:", "ranks"),
    row("military", "Gunnery Sergeant", "Jane Doe", "U.S. Marine Corps", "Dear Gunnery Sergeant Doe:", "ranks"),
    row("military", "CMSgt", "John Roe", "U.S. Air Force", "Dear Chief Roe:", "ranks"),
    row("military", "Chief Petty Officer", "Jane Doe", "U.S. Navy", "Dear Chief Doe:", "ranks"),
    row("military", "Master Chief Petty Officer", "John Roe", "U.S. Coast Guard", "Dear Master Chief Roe:",
        "ranks"),
    row("military", "Petty Officer Second Class", "Jane Doe", "U.S. Navy", "Dear Petty Officer Doe:", "ranks"),
    row("military", "Specialist", "John Roe", "U.S. Army", "Dear Specialist Roe:", "ranks"),
    row("military", "Corporal", "Jane Doe", "U.S. Marine Corps", "Dear Corporal Doe:", "ranks"),
    row("military", None, "John Roe", "Lieutenant Colonel, U.S. Marine Corps", "Dear Colonel Roe:", "ranks"),
    row("military", None, "Jane Doe", "Rear Admiral, United States Navy", "Dear Admiral Doe:", "ranks"),
    row("military", None, "General Mark A. Milley", "Chairman of the Joint Chiefs of Staff",
        "Dear General Milley:", "rank_over_office"),
    row("military", "General", "John Roe, USA (Ret.)", None, "Dear General Roe:", "ranks"),
    row("military", "General", "Colin L. Powell", "Secretary of State", "Dear Secretary Powell:", "executive"),
    row("military", "Admiral", "John Roe", "Former Chief of Naval Operations", "Dear Admiral Roe:",
        "rank_over_office"),
    # --- clergy -----------------------------------------------------------------------------------------
    row("clergy", "The Most Reverend", "Jaime Soto", "Bishop of Sacramento", "Dear Bishop Soto:", "clergy"),
    row("clergy", "The Most Reverend", "José H. Gomez", "Archbishop of Los Angeles", "Dear Archbishop Gomez:",
        "clergy"),
    row("clergy", "His Eminence", "Blase Cardinal Cupich", "Archbishop of Chicago", "Dear Cardinal Cupich:",
        "clergy"),
    row("clergy", "The Right Reverend", "Jane Doe", "Episcopal Bishop of California", "Dear Bishop Doe:",
        "clergy"),
    row("clergy", "Monsignor", "John Roe", "Vicar General", "Dear Monsignor Roe:", "clergy"),
    row("clergy", "The Reverend", "John Roe", "Pastor", "Dear Father Roe:", "clergy",
        organization="St. Mary Catholic Church"),
    row("clergy", "Father", "John Roe", "Pastor, St. Agnes Parish", "Dear Father Roe:", "clergy"),
    row("clergy", "The Reverend", "Jane Doe", "Senior Minister", "Dear Reverend Doe:", "clergy",
        organization="First Congregational Church"),
    row("clergy", "Rev.", "Martin Luther King Jr.", "Pastor", "Dear Reverend King:", "clergy"),
    row("clergy", "The Reverend Dr.", "Amos Brown", "Pastor Emeritus", "Dear Dr. Brown:", "clergy"),
    row("clergy", "Rabbi", "Sharon Brous", "Senior Rabbi, IKAR", "Dear Rabbi Brous:", "clergy"),
    row("clergy", None, "Jane Doe", "Rabbi, Congregation Beth El", "Dear Rabbi Doe:", "clergy"),
    row("clergy", None, "Rabbi David Saperstein", "Director Emeritus", "Dear Rabbi Saperstein:", "clergy"),
    row("clergy", "Cantor", "John Roe", None, "Dear Cantor Roe:", "clergy"),
    row("clergy", "Imam", "Jane Doe", "Imam, Islamic Center of Southern California", "Dear Imam Doe:", "clergy"),
    row("clergy", "Pastor", "John Roe", None, "Dear Pastor Roe:", "clergy"),
    row("clergy", "Deacon", "Jane Doe", None, "Dear Deacon Doe:", "clergy"),
    row("clergy", "Sister", "Mary Catherine Roe", "Principal, St. Joseph School", "Dear Sister Mary Catherine Roe:",
        "clergy"),
    row("clergy", "His Holiness", "Pope Francis", None, "Your Holiness:", "clergy"),
    row("clergy", "The Reverend", "Raphael Warnock", "United States Senator", "Dear Senator Warnock:",
        "legislative"),
    # --- academic and professional post-nominals --------------------------------------------------------------
    row("academic", "Dr.", "Jane Roe", "President, University of California", "Dear President Roe:", "academic"),
    row("academic", "Dr.", "John Roe", "Chancellor, University of California, Berkeley", "Dear Chancellor Roe:",
        "academic"),
    row("academic", "Professor", "Erwin Chemerinsky", "Dean, School of Law", "Dear Dean Chemerinsky:", "academic"),
    row("academic", "Dr.", "Jane Doe", "Associate Dean for Academic Affairs", "Dear Dean Doe:", "academic"),
    row("academic", None, "Jane Doe", "Professor of Law", "Dear Professor Doe:", "academic"),
    row("academic", "Dr.", "John Roe", "Associate Professor of History", "Dear Professor Roe:", "academic"),
    row("academic", None, "Jane Roe, Ph.D.", "Research Scientist", "Dear Dr. Roe:", "academic"),
    row("academic", "Dr.", "Ann Lee", "Chief Medical Examiner", "Dear Dr. Lee:", "academic"),
    row("academic", "Dr.", "Jane Roe, M.D.", "Chief Medical Officer", "Dear Dr. Roe:", "academic",
        first_line="Jane Roe, M.D."),
    row("academic", None, "Dr. John Roe, Ph.D.", None, "Dear Dr. Roe:", "academic", first_line="John Roe, Ph.D."),
    row("academic", None, "John Roe, D.D.S.", None, "Dear Dr. Roe:", "academic"),
    row("academic", "Mr.", "John Roe, J.D.", "Policy Analyst", "Dear Mr. Roe:", "courtesy"),
    row("professional", "Ms.", "Jane Doe, Esq.", "Attorney at Law", "Dear Ms. Doe:", "courtesy",
        first_line="Jane Doe, Esq."),
    row("professional", "Mr.", "John Roe Esq.", None, "Dear Mr. Roe:", "courtesy", first_line="John Roe Esq."),
    row("professional", H, "Jane Doe, Esq.", "Judge of the Superior Court", "Dear Judge Doe:", "judicial",
        first_line="The Honorable Jane Doe"),
    row("professional", "Ms.", "Jane Doe, CPA", "Auditor", "Dear Ms. Doe:", "courtesy"),
    # --- "The Honorable" -----------------------------------------------------------------------------------
    row("honorable", "Honorable", "Jane Doe", "Judge of the Superior Court", "Dear Judge Doe:", "judicial",
        first_line="The Honorable Jane Doe"),
    row("honorable", None, "Honorable John Roe", "Mayor of Fresno", "Dear Mayor Roe:", "local",
        first_line="The Honorable John Roe"),
    row("honorable", "Hon.", "Jane Doe", "Senator", "Dear Senator Doe:", "legislative"),
    row("honorable", None, "The Honorable Jeff Sessions", "Attorney General", "Dear Attorney General Sessions:",
        "executive"),
    # --- surnames -------------------------------------------------------------------------------------------
    row("surname", H, "Catherine Cortez Masto", "United States Senator", "Dear Senator Cortez Masto:",
        "legislative", surname="Cortez Masto"),
    row("surname", H, "Kevin de León", "Councilmember, District 14", "Dear Councilmember de León:", "local"),
    row("surname", "Mr.", "Oliver St. John", None, "Dear Mr. St. John:", "courtesy"),
    row("surname", "Mr.", "José Ortega y Gasset", None, "Dear Mr. Ortega y Gasset:", "courtesy"),
    row("surname", "Ms.", "María Elena García Márquez", None, "Dear Ms. García Márquez:", "courtesy",
        surname="García Márquez", given_name="María Elena"),
    row("surname", H, "Moon Jae-in", "President of the Republic of Korea", "Excellency:", "diplomatic",
        surname="Moon", given_name="Jae-in"),
    row("surname", "Ms.", "Mary Smith-Jones", "Court Interpreter", "Dear Ms. Smith-Jones:", "courtesy"),
    row("surname", "Mr.", "Dick Van Dyke", None, "Dear Mr. Van Dyke:", "courtesy"),
    row("surname", "Mr.", "Van Jones", None, "Dear Mr. Jones:", "courtesy"),
    row("surname", H, "Charles E. Schumer", "United States Senator", "Dear Senator Schumer:", "legislative"),
    row("surname", "Ms.", "Ursula von der Leyen", "President of the European Commission",
        "Dear President von der Leyen:", "executive"),
    # --- the salutation written by the clerk: the whole line, as written ----------------------------------------
    row("override", "His Excellency", "Jean Dupont", "Ambassador of France", "Your Excellency:", "written",
        salutation="Your Excellency:"),
    row("override", "Ms.", "Ana Rivera", "Courts Reporter", "Dear Ms. Rivera:", "written",
        salutation="Ms. Rivera"),
    row("override", "Ms.", "Ana Rivera", "Courts Reporter", "Dear Ana,", "written", salutation="Dear Ana,"),
    row("override", H, "Jeff Sessions", "Attorney General", "Dear Mr. Attorney General:", "written",
        salutation="Dear Mr. Attorney General:"),
    row("override", "Mr.", "John Roe", None, "Sir:", "written", salutation="Sir:"),
    row("override", H, "Jeff Sessions", "Attorney General", "Dear Jeff Sessions:", "written",
        salutation="The Honorable Jeff Sessions"),
    row("override", "Ms.", "Jane Doe", "Speaker of the Assembly", "Dear Madam Speaker:", "written",
        salutation="Madam Speaker"),
    row("override", H, "Jean Dupont", "Ambassador of France", "Excellency:", "written", salutation="Excellency"),
    row("override", "Mr.", "John Roe", None, "Ladies and Gentlemen:", "written",
        salutation="Ladies and Gentlemen"),
    # --- more of each kind ---------------------------------------------------------------------------
    row("unique", "Mr.", "António Guterres", "Secretary-General of the United Nations",
        "Dear Mr. Secretary-General:", "unique_offices"),
    row("judicial", H, "Jane Doe", "Justice of the Peace, Precinct 1", "Dear Judge Doe:", "judicial"),
    row("judicial", H, "Jane Doe", "Retired Judge of the Superior Court", "Dear Judge Doe:", "judicial"),
    row("modifiers", "Ms.", "Jane Doe", "Former Judge of the Superior Court", "Dear Ms. Doe:", "modifiers"),
    row("executive", H, "Jerome H. Powell", "Chair, Board of Governors of the Federal Reserve System",
        "Dear Chair Powell:", "executive"),
    row("executive", H, "Jane Doe", "Governor, Federal Reserve Board", "Dear Governor Doe:", "executive"),
    row("executive", H, "Jane Doe", "U.S. Secretary of Education", "Dear Secretary Doe:", "executive"),
    row("executive", H, "Jane Doe", "Assistant Secretary of State for Consular Affairs",
        "Dear Assistant Secretary Doe:", "executive"),
    row("military", "Admiral", "Jane Doe", "Director of National Intelligence", "Dear Admiral Doe:",
        "rank_over_office"),
    row("military", None, "Col. John Roe, USMC (Ret.)", None, "Dear Colonel Roe:", "ranks"),
    row("not-the-office", "Mr.", "John Roe", "President and Chief Executive Officer", "Dear Mr. Roe:",
        "courtesy"),
    row("not-the-office", "Ms.", "Jane Doe", "Deputy Clerk", "Dear Ms. Doe:", "courtesy"),
    row("clergy", "His Eminence", "Jane Roe", "Metropolitan of San Francisco", "Dear Metropolitan Roe:",
        "clergy"),
    row("clergy", "Sister", "Mary Catherine Roe", None, "Dear Sister Mary Catherine Roe:", "clergy",
        given_name="Mary Catherine", surname="Roe"),
    row("honorable", "The Honorable Dr.", "Jane Doe", "Mayor of Fresno", "Dear Mayor Doe:", "local",
        first_line="The Honorable Jane Doe"),
    # --- no title where protocol has none ------------------------------------------------------------
    row("no-title", "Mr.", "John Roe", None, "Dear Mr. Roe:", "courtesy",
        address=["12 Oak Street", "Fresno, California 93721"]),
    row("no-title", "Mrs.", "Jane Doe", None, "Dear Mrs. Doe:", "courtesy"),
    row("no-title", "Mx.", "Sam Roe", None, "Dear Mx. Roe:", "courtesy"),
    # Nothing to go on: never "Dear Jane Doe:"; the form that is never wrong, and preflight asks.
    row("no-title", None, "Jane Doe", None, "Dear Sir or Madam:", "courtesy"),
]


def test_the_table_is_large_enough_and_covers_every_category() -> None:
    assert len(ROWS) >= 150
    categories = {r.category for r in ROWS}
    assert {"unique", "executive", "not-the-office", "modifiers", "legislative", "local", "judicial",
            "diplomatic", "military", "clergy", "academic", "professional", "honorable", "surname",
            "override", "no-title"} <= categories
    assert {r.source for r in ROWS} <= set(SOURCES)


@pytest.mark.parametrize("case", ROWS, ids=[r.id for r in ROWS])
def test_inside_address_and_salutation_follow_protocol(case: Row) -> None:
    addressee = Addressee(**case.fields)
    expected_block = [case.first_line]
    for part in (case.fields.get("title"), case.fields.get("organization"), *case.fields.get("address", [])):
        if part:
            expected_block.append(part)
    assert inside_address(addressee) == expected_block
    explained = explain_salutation(addressee)
    assert explained.line == case.salutation
    assert salutation_line(addressee) == case.salutation
    assert explained.source == SOURCES[case.source], explained.rule
    assert "honorable" not in explained.line.lower()


# --- the letter as a whole -------------------------------------------------------------------------

MODEL = {
    "date": "2017-03-16",
    "subject": "Immigration enforcement in California courthouses",
    "sender": {"court": "Supreme Court of California", "address": ["350 McAllister Street"]},
    "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"},
    "addressees": [r.fields for r in ROWS[:2]],
    "opening": ["As Chief Justice of California, I am deeply concerned."],
}


def test_the_model_letter_is_exact() -> None:
    letter = parse_letter(MODEL).letter
    assert letter.salutation == "Dear Attorney General Sessions and Secretary Kelly:"
    assert [a.inside_address[0] for a in letter.addressees] == ["The Honorable Jeff Sessions",
                                                                 "The Honorable John F. Kelly"]
    assert address_findings(letter.addressees) == []
    assert letter_findings(letter) == []


def test_several_addressees_share_one_dear_even_when_one_alone_takes_none() -> None:
    envoy = Addressee(honorific="The Honorable", name="Jean Dupont", title="Ambassador of France")
    kelly = Addressee(**ROWS[1].fields)
    assert joint_salutation([envoy]) == "Excellency:"
    assert joint_salutation([kelly, envoy]) == "Dear Secretary Kelly and Ambassador Dupont:"


def test_a_group_salutation_and_a_distribution_list_above_the_threshold() -> None:
    judges = [{"honorific": "The Honorable", "name": f"Jane Doe{i}", "title": "Judge of the Superior Court"}
              for i in range(DISTRIBUTION_THRESHOLD + 1)]
    data = dict(MODEL, addressees=judges)
    letter = parse_letter(data).letter
    assert uses_distribution(len(letter.addressees))
    assert not uses_distribution(DISTRIBUTION_THRESHOLD)
    findings = address_findings(letter.addressees, letter.group_salutation)
    assert [f.path for f in findings] == ["group_salutation"]
    data["group_salutation"] = "Dear Members of the Judicial Council:"
    letter = parse_letter(data).letter
    assert letter.salutation == "Dear Members of the Judicial Council:"
    assert group_address(letter.group_salutation) == "Members of the Judicial Council"
    assert distribution_list(letter.addressees)[0] == "The Honorable Jane Doe0, Judge of the Superior Court"
    assert address_findings(letter.addressees, letter.group_salutation) == []


def test_findings_are_preflight_entries_that_name_their_field() -> None:
    data = dict(MODEL, addressees=[{"honorific": "Honorable", "name": "Jane Doe", "title": "Judge"}])
    problems = [f.as_problem() for f in letter_findings(parse_letter(data).letter)]
    assert [(p.path, p.message) for p in problems] == [
        ("addressees[0].honorific", "'Honorable' needs 'The' before it. Write 'The Honorable'.")]


# --- name-line checks and explanations -----------------------------------------------------------------

@pytest.mark.parametrize(
    "fields",
    [
        {"honorific": "Mr.", "name": "Joseph R. Biden", "title": "President of the United States"},
        {"honorific": "Ms.", "name": "Marie Curie", "title": "Chargé d'Affaires"},
        {"honorific": "Mr.", "name": "John Roe", "title": "Former Governor of Ohio"},
        {"honorific": "Ms.", "name": "Jane Doe", "title": "Executive Director"},
        {"honorific": "Mr.", "name": "Jean Dupont", "title": "Ambassador of France"},
    ],
)
def test_no_honorable_is_asked_for_where_protocol_has_none(fields: dict[str, Any]) -> None:
    assert [f for f in address_findings([Addressee(**fields)]) if f.kind == "name_line"] == []


@pytest.mark.parametrize(
    ("fields", "path", "value"),
    [
        ({"honorific": "Honorable", "name": "Jane Doe", "title": "Judge"}, "addressees[0].honorific",
         "The Honorable"),
        ({"name": "Honorable Jane Doe", "title": "Judge"}, "addressees[0].name", "Jane Doe"),
        ({"honorific": "Ms.", "name": "Jane Doe, Esq."}, "addressees[0].name", "Jane Doe"),
        ({"honorific": "Dr.", "name": "Jane Roe, M.D."}, "addressees[0].honorific", ""),
        ({"honorific": "The Honorable", "name": "Jane Doe, Esq.", "title": "Judge"}, "addressees[0].name",
         "Jane Doe"),
        ({"honorific": "Lt. Gen.", "name": "Jane Doe"}, "addressees[0].honorific", "Lieutenant General"),
        ({"name": "Jane Doe", "salutation": "Dear Your Excellency:"}, "addressees[0].salutation",
         "Your Excellency:"),
        # The office makes its holder "The Honorable"; the courtesy title moves to its own field.
        ({"honorific": "Ms.", "name": "Nancy Pelosi", "title": "Speaker of the House of Representatives"},
         "addressees[0].honorific", "The Honorable"),
        ({"honorific": "Mr.", "name": "Alex Padilla", "title": "United States Senator"},
         "addressees[0].honorific", "The Honorable"),
    ],
)
def test_name_line_checks_offer_a_fix(fields: dict[str, Any], path: str, value: str) -> None:
    findings = [f for f in address_findings([Addressee(**fields)]) if f.kind != "guess"]
    assert [(f.path, f.value) for f in findings] == [(path, value)]
    assert all(f.problem and f.fix for f in findings)


@pytest.mark.parametrize(
    ("fields", "guessed"),
    [
        ({"honorific": "The Honorable", "name": "Catherine Cortez Masto", "title": "United States Senator"}, True),
        ({"honorific": "The Honorable", "name": "Catherine Cortez Masto", "title": "United States Senator",
          "surname": "Cortez Masto"}, False),
        ({"name": "Jane Doe"}, True),
        ({"honorific": "Ms.", "name": "Jane Doe"}, False),
        ({"name": "Michael M. Gilday", "title": "Chief of Naval Operations"}, True),
        ({"honorific": "The Honorable", "name": "Kamala Harris", "title": "Vice President of the United States"},
         True),
        ({"honorific": "The Honorable", "name": "Jane Doe", "title": "Majority Whip"}, True),
        ({"honorific": "The Honorable", "name": "Kamala Harris", "title": "Vice President of the United States",
          "courtesy": "Ms."}, False),
        ({"honorific": "The Honorable", "name": "John F. Kelly", "title": "Secretary of Homeland Security"}, False),
    ],
)
def test_preflight_explains_every_guess(fields: dict[str, Any], guessed: bool) -> None:
    addressee = Addressee(**fields)
    explained = explain_salutation(addressee)
    assert explained.guessed is guessed
    guesses = [f for f in address_findings([addressee]) if f.kind == "guess"]
    assert bool(guesses) is guessed
    if guessed:
        assert explained.reason
        assert explained.line in guesses[0].problem


def test_the_editor_can_show_which_surname_the_salutation_uses() -> None:
    assert surname_used(Addressee(name="Catherine Cortez Masto", surname="Cortez Masto")) == "Cortez Masto"
    assert surname_used(Addressee(name="Catherine Cortez Masto")) == "Cortez Masto"
    assert surname_used(Addressee(name="Catherine Cortez Masto", surname="Masto")) == "Masto"
    assert surname_used(Addressee(name="Xi Jinping", surname="Xi")) == "Xi"


# --- what no input may do ----------------------------------------------------------------------------

_words = st.sampled_from(["The", "Honorable", "Hon.", "Dr.", "Ms.", "Mr.", "General", "Lt.", "Gen.", "Rabbi",
                          "Reverend", "His", "Excellency", "Eminence", "Cardinal", "Sister", "Jane", "de", "y",
                          "St.", "Doe", "Roe", "Jr.", "Esq.", ",", "M.D.", "Ph.D.", "(Ret.)", "Former", "Acting",
                          "Secretary", "Press", "of", "the", "United", "States", "President", "Vice", "Speaker",
                          "Senate", "Assembly", "Member", "Leader", "pro", "tem", "-elect", "Judge", "Chief",
                          "Justice", "Ambassador", "France", "Chargé", "d'Affaires", "Bishop", "Pastor", "Dear",
                          "Your", ":", "Mayor", "Commander", "USA", "Army", "Ma", "É"])
_text = st.lists(_words, max_size=8).map(" ".join)


@given(honorific=_text, name=_text.filter(str.strip), title=_text, salutation=_text, surname=_text)
def test_every_addressee_gets_a_salutation_line_without_honorable(
    honorific: str, name: str, title: str, salutation: str, surname: str
) -> None:
    addressee = Addressee(honorific=honorific, name=name, title=title, salutation=salutation, surname=surname)
    explained = explain_salutation(addressee)
    assert explained.line.endswith((":", ","))
    assert not re.search(r"\bhono(u)?rable\b", explained.line, re.IGNORECASE)
    assert explained.source in SOURCES.values()
    assert inside_address(addressee)
    for finding in address_findings([addressee]):
        assert finding.path.startswith(("addressees[0].", "group_salutation"))
        assert finding.problem
        assert finding.fix


def test_the_shipped_samples_keep_their_salutations() -> None:
    # Older letters wrote an override as the words after "Dear" ("Ms. Rivera"); they still read so.
    root = Path(__file__).resolve().parents[2] / "templates"
    samples = sorted(root.glob("*/sample.json"))
    assert samples
    for sample in samples:
        letter = parse_letter(json.loads(sample.read_text(encoding="utf-8"))).letter
        assert letter.salutation.startswith("Dear ")
        assert letter.salutation.endswith(":")
        assert "Dear Dear" not in letter.salutation
