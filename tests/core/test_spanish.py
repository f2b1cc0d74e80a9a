"""Salutations in Spanish (Real Academia, 'tratamientos'; Fundéu, 'cargos en femenino'), from the
same rules as the English ones, agreeing with the addressee."""

from __future__ import annotations

from typing import Any

import pytest

from app.core import spanish
from app.core.letter import Addressee

H = "The Honorable"


@pytest.mark.parametrize(("fields", "line"), [
    ({"honorific": "Sr.", "name": "José Núñez"}, "Estimado Sr. Núñez:"),
    ({"honorific": "Sra.", "name": "María Pérez-Gómez"}, "Estimada Sra. Pérez-Gómez:"),
    ({"honorific": "Srta.", "name": "Ana Ruiz"}, "Estimada Srta. Ruiz:"),
    # "Lic." and "Ing." say no gender: "Apreciable", which agrees with anyone, opens the line.
    ({"honorific": "Lic.", "name": "Juan Pérez"}, "Apreciable Lic. Pérez:"),
    ({"honorific": "Ing.", "name": "Luz Ramos"}, "Apreciable Ing. Ramos:"),
    ({"honorific": "Licdo.", "name": "Juan Pérez"}, "Estimado Licdo. Pérez:"),
    ({"honorific": "Licda.", "name": "Ana Torres"}, "Estimada Licda. Torres:"),
    ({"honorific": "Dra.", "name": "Ana Torres"}, "Estimada Dra. Torres:"),
    ({"honorific": "Mtra.", "name": "Luisa Ramos"}, "Estimada Mtra. Ramos:"),
    ({"honorific": "Sra.", "name": "Ana Ruiz", "title": "Judge of the Superior Court"}, "Estimada Jueza Ruiz:"),
    ({"honorific": H, "name": "Ana Ruiz", "title": "Judge", "courtesy": "Ms."}, "Estimada Jueza Ruiz:"),
    ({"honorific": H, "name": "Jeff Sessions", "title": "Attorney General of the United States",
      "courtesy": "Mr."}, "Estimado Fiscal General Sessions:"),
    # The courtesy title does not say: "Honorable", which agrees with anyone, opens the line.
    ({"honorific": H, "name": "John F. Kelly", "title": "Secretary of Homeland Security"},
     "Honorable Secretario Kelly:"),
    ({"honorific": "Mr.", "name": "Joseph R. Biden", "title": "President of the United States"},
     "Estimado Señor Presidente:"),
    ({"honorific": "Ms.", "name": "Nancy Pelosi", "title": "Speaker of the House of Representatives"},
     "Estimada Señora Presidenta:"),
    ({"honorific": "Ms.", "name": "Jane Doe", "title": "Acting Secretary of Labor"},
     "Estimada Secretaria interina Doe:"),
    ({"honorific": H, "name": "Jane Doe", "title": "Governor-elect of Ohio", "courtesy": "Ms."},
     "Estimada Gobernadora electa Doe:"),
    ({"honorific": H, "name": "Jean Dupont", "title": "Ambassador of France"}, "Excelencia:"),
    ({"name": "Jane Doe"}, "A quien corresponda:"),
    ({"honorific": "Sr.", "name": "Gabriel García Márquez", "surname": "García Márquez"},
     "Estimado Sr. García Márquez:"),
    ({"honorific": "Sra.", "name": "Ana Ruiz", "salutation": "Querida Ana:"}, "Querida Ana:"),
])
def test_one_addressee(fields: dict[str, Any], line: str) -> None:
    assert spanish.salutation_line(Addressee(**fields)) == line


def test_several_share_one_estimados_joined_with_y() -> None:
    sessions = Addressee(honorific=H, name="Jeff Sessions", title="Attorney General of the United States",
                         courtesy="Sr.")
    kelly = Addressee(honorific=H, name="John F. Kelly", title="Secretary of Homeland Security", courtesy="Sr.")
    ruiz = Addressee(honorific="Sra.", name="Ana Ruiz", title="Judge")
    torres = Addressee(honorific="Licda.", name="Ana Torres")
    assert spanish.joint_salutation([sessions, kelly]) == "Estimados Fiscal General Sessions y Secretario Kelly:"
    assert spanish.joint_salutation([ruiz, torres]) == "Estimadas Jueza Ruiz y Licda. Torres:"
    assert spanish.joint_salutation([sessions, kelly, ruiz]) == \
        "Estimados Fiscal General Sessions, Secretario Kelly y Jueza Ruiz:"
    many = [Addressee(honorific="Sr.", name=f"Juan Pérez{i}", title="Sheriff") for i in range(7)]
    assert spanish.joint_salutation(many) == "Estimados señores y señoras:"
    assert spanish.joint_salutation(many, "Estimados alguaciles:") == "Estimados alguaciles:"


def test_a_line_of_its_own_joins_by_its_office_and_an_unknown_makes_it_a_group() -> None:
    envoy = Addressee(honorific="The Honorable", name="Jean Dupont", title="Ambassador of France")
    kelly = Addressee(honorific="The Honorable", name="John F. Kelly", title="Secretary of Homeland Security",
                      courtesy="Sr.")
    assert spanish.joint_salutation([kelly, envoy]) == "Honorables Secretario Kelly y Embajador Dupont:"
    assert spanish.joint_salutation([kelly, Addressee(name="Jane Doe")]) == "Estimados señores y señoras:"
