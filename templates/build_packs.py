"""Build the shipped template packs: ``templates/<id>/{letter.docx,manifest.yaml,sample.json}``.

Run from the project root::

    .venv/bin/python templates/build_packs.py

Each ``letter.docx`` is written part by part (no python-docx default template), so the
styles stay lean and every byte is ours. The zip entries carry a fixed timestamp and a
fixed order, so running the script again gives identical files. The seal comes from
``resources/seal.png`` (drawn by ``resources/make_seal.py``).

Template rules kept here (see ``app/rendering/context.py`` and ``app/rendering/sandbox.py``):
only the context variables, pack values as ``fields.<name>``, each Jinja tag whole inside
one run, paragraph loops and conditionals as ``{%p ... %}`` in a paragraph of their own,
no macros, ``set``, includes or method calls. Dates in ``fields`` arrive as ``YYYY-MM-DD``
and are spelled out with a month-name list and slices, which the sandbox allows.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SEAL = ROOT / "resources" / "seal.png"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# --- namespaces and constants -----------------------------------------------------------

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
NS_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ROOT_NS = f'xmlns:w="{NS_W}" xmlns:r="{NS_R}" xmlns:wp="{NS_WP}" xmlns:a="{NS_A}" xmlns:pic="{NS_PIC}"'

FONT = "Times New Roman"        # LibreOffice substitutes the metric-compatible Liberation Serif
NAVY = "1B2A4A"                 # letterhead ink, matching the seal
DRAFT_RED = "C00000"
SEAL_EMU = 822960               # 0.9 inch
DRAFT_MARK = "{% if draft %}DRAFT \u2014 not approved{% endif %}"


def spelled_date(expr: str) -> str:
    """A date field: the renderer gives date fields to templates already spelled out."""
    return f"{{{{ {expr} }}}}"


# --- WordprocessingML helpers -----------------------------------------------------------

def run(text: str, style: str | None = None) -> str:
    """One run holding ``text`` (a Jinja tag stays whole inside it), formatted by a character style."""
    props = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def tab() -> str:
    return "<w:r><w:tab/></w:r>"


def para(*runs: str, style: str | None = None, keep_next: bool = False) -> str:
    """A paragraph in a named style; keep-with-next is the one property set per paragraph
    (the last paragraph of the body keeps with the complimentary close)."""
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:keepNext/>" if keep_next else "")
    props = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def ctrl(tag: str) -> str:
    """A paragraph holding only a ``{%p ... %}`` tag; docxtpl removes it at render time."""
    return para(run(tag))


def field_run(instruction: str, shown: str) -> str:
    """A complex field (PAGE and the like) with ``shown`` as its last computed result."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r><w:t>{shown}</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def seal_run(rel_id: str) -> str:
    e = SEAL_EMU
    return (
        '<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{e}" cy="{e}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:docPr id="1" name="Court seal" descr="Seal of the court"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        f'<a:graphic><a:graphicData uri="{NS_PIC}"><pic:pic>'
        '<pic:nvPicPr><pic:cNvPr id="0" name="seal.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rel_id}"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{e}" cy="{e}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    )


# --- shared pieces of every pack --------------------------------------------------------

def draft_paragraph() -> list[str]:
    """The draft mark, top right, on a line of its own that stays (empty) once the letter is
    approved, so a draft and the approved letter break their pages at the same lines."""
    return [para(run(DRAFT_MARK, style="DraftMarkText"), style="DraftMark")]


def letterhead_header() -> str:
    """First-page header: seal, court name, chambers line, address and contacts, a rule; all by style."""
    contacts = ("{% if court.phone %}Telephone {{ court.phone }}{% endif %}"
                "{% if court.phone and court.email %}  \u00b7  {% endif %}"
                "{% if court.email %}{{ court.email }}{% endif %}")
    body = [
        *draft_paragraph(),
        para(seal_run("rIdSeal"), style="LetterheadSeal"),
        para(run("{{ court.name }}"), style="LetterheadCourt"),
        ctrl("{%p if court.chambers %}"),
        para(run("{{ court.chambers }}"), style="LetterheadChambers"),
        ctrl("{%p endif %}"),
        para(run("{{ court.address|join('  \u00b7  ') }}"), style="LetterheadAddress"),
        ctrl("{%p if court.phone or court.email %}"),
        para(run(contacts), style="LetterheadAddress"),
        ctrl("{%p endif %}"),
        para(style="LetterheadRule"),
    ]
    return header_xml(body)


def continuation_header() -> str:
    """Default header, pages 2 and on: to whom, the date, the page number."""
    # Many addressees would make this a paragraph of five lines on every page: past three,
    # the first addressee "and others" names the letter as well as protocol needs.
    names = ("{% if uses_distribution and group_address %}{{ group_address }}"
             "{% elif addressees|length > 3 %}{{ addressees[0].name_line }} and others"
             "{% else %}{{ addressee_names }}{% endif %}")
    body = [
        *draft_paragraph(),
        para(run(names), style="ContinuationHeader"),
        para(run("{{ date_line }}"), style="ContinuationHeader"),
        para(run("Page "), field_run("PAGE", "2"), style="ContinuationHeaderLast"),
    ]
    return header_xml(body)


def header_xml(paragraphs: list[str]) -> str:
    return f"{XML_DECL}<w:hdr {ROOT_NS}>{''.join(paragraphs)}</w:hdr>"


def opening_block(re_lines: list[str]) -> list[str]:
    """Date, inside addresses, the Re: block and the salutation."""
    return [
        para(run("{{ date_line }}"), style="DateLine"),
        # Above six addressees protocol names the group here and lists everyone at the end.
        ctrl("{%p if uses_distribution %}"),
        para(run("{% if group_address %}{{ group_address }}{% else %}The addressees on the distribution list "
                 "at the end of this letter{% endif %}"), style="InsideAddress"),
        ctrl("{%p else %}"),
        ctrl("{%p for a in addressees %}"),
        para(run("{{ a.block }}"), style="InsideAddress"),
        ctrl("{%p endfor %}"),
        ctrl("{%p endif %}"),
        *re_lines,
        ctrl("{%p if reference %}"),
        para(run("Our reference: {{ reference }}"), style="SubjectDetail"),
        ctrl("{%p endif %}"),
        para(run("{{ salutation }}"), style="LetterSalutation"),
    ]


def re_line(*runs: str) -> str:
    return para(run("Re:"), tab(), *runs, style="Subject")


def _alternatives(condition: str, when: str, otherwise: str) -> list[str]:
    """``when`` if the Jinja ``condition`` holds, else ``otherwise`` (two whole paragraphs)."""
    return [ctrl(f"{{%p if {condition} %}}"), when, ctrl("{%p else %}"), otherwise, ctrl("{%p endif %}")]


def body_loop(section: str, later: tuple[str, ...], *, style: str = "BodyText") -> list[str]:
    """One ``style`` paragraph per entry of ``section``.

    The very last paragraph of the body (the last entry of the last non-empty section) keeps
    with the complimentary close, so the signature never stands alone on a page, whichever
    sections a letter leaves empty. ``later`` names the sections that follow this one.
    """
    last = " and ".join(["loop.last", *(f"not {name}" for name in later)])
    return [
        ctrl(f"{{%p for item in {section} %}}"),
        *_alternatives(last, para(run("{{ item }}"), style=style, keep_next=True),
                       para(run("{{ item }}"), style=style)),
        ctrl("{%p endfor %}"),
    ]


def notation(label: str, section: str) -> list[str]:
    """Enclosure or cc lines: the first spaced from what precedes it, all kept together and with
    the signature, so a notation is never stranded and a list never splits across pages."""
    return [
        ctrl(f"{{%p for item in {section} %}}"),
        *_alternatives("loop.first",
                       para(run(label, style="NotationLabel"), tab(), run("{{ item }}"), style="NotationFirst"),
                       para(tab(), run("{{ item }}"), style="Notation")),
        ctrl("{%p endfor %}"),
    ]


def signature_block() -> list[str]:
    """Complimentary close, room for the signature, name, title, enclosures and copies."""
    return [
        para(run("{{ complimentary_close }}"), style="ComplimentaryClose"),
        # At least 0.75 inch for ink; an inserted signature picture sits on the baseline.
        para(run("{{ signature_image }}"), style="SignatureSpace"),
        para(run("{{ signatory.name }}"), style="SignatureName"),
        para(run("{{ signatory.title }}"), style="SignatureTitle"),
        *notation("Enclosure{% if enclosures|length != 1 %}s{% endif %}:", "enclosures"),
        *notation("cc:", "cc"),
        *notation("Distribution:", "distribution"),
    ]


def document_xml(body: list[str]) -> str:
    sect = (
        "<w:sectPr>"
        '<w:headerReference w:type="default" r:id="rIdHeaderDefault"/>'
        '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>'
        '<w:pgSz w:w="12240" w:h="15840"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720"'
        ' w:footer="720" w:gutter="0"/>'
        '<w:cols w:space="720"/><w:titlePg/>'
        "</w:sectPr>"
    )
    return f"{XML_DECL}<w:document {ROOT_NS}><w:body>{''.join(body)}{sect}</w:body></w:document>"


# --- package parts ----------------------------------------------------------------------

CONTENT_TYPES = (
    XML_DECL
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    XML_DECL
    + f'<Relationships xmlns="{NS_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = (
    XML_DECL
    + f'<Relationships xmlns="{NS_PKG_RELS}">'
    f'<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rIdSettings" Type="{REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rIdNumbering" Type="{REL}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rIdHeaderFirst" Type="{REL}/header" Target="header1.xml"/>'
    f'<Relationship Id="rIdHeaderDefault" Type="{REL}/header" Target="header2.xml"/>'
    "</Relationships>"
)

HEADER1_RELS = (
    XML_DECL
    + f'<Relationships xmlns="{NS_PKG_RELS}">'
    f'<Relationship Id="rIdSeal" Type="{REL}/image" Target="media/seal.png"/>'
    "</Relationships>"
)

def _pstyle(style_id: str, name: str, *, based_on: str = "Normal", next_style: str | None = None,
            ppr: str = "", rpr_xml: str = "") -> str:
    """A paragraph style; the letter's look lives here, not in its paragraphs."""
    following = f'<w:next w:val="{next_style}"/>' if next_style else ""
    props = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + (f"<w:rPr>{rpr_xml}</w:rPr>" if rpr_xml else "")
    return (f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="{based_on}"/>{following}<w:qFormat/>{props}</w:style>')


def _cstyle(style_id: str, name: str, rpr_xml: str) -> str:
    return (f'<w:style w:type="character" w:customStyle="1" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="DefaultParagraphFont"/><w:qFormat/><w:rPr>{rpr_xml}</w:rPr></w:style>')


NAVY_INK = f'<w:color w:val="{NAVY}"/>'
KEEP = "<w:keepNext/><w:keepLines/>"

# Every block of the letter has a named style (Word's Styles pane shows the letter's structure);
# spacing comes from the styles, never from blank paragraphs.
STYLES = (
    XML_DECL
    + f'<w:styles xmlns:w="{NS_W}">'
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    '<w:sz w:val="24"/><w:szCs w:val="24"/>'
    '<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/>'
    "</w:rPr></w:rPrDefault>"
    '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "</w:pPrDefault></w:docDefaults>"
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
    "<w:qFormat/><w:pPr><w:widowControl/></w:pPr></w:style>"
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
    "<w:unhideWhenUsed/></w:style>"
    # letterhead (first-page header), continuation header and the draft mark
    + _pstyle("DraftMark", "Draft Mark", ppr='<w:jc w:val="right"/>',
              rpr_xml='<w:sz w:val="20"/><w:szCs w:val="20"/>')
    + _pstyle("LetterheadSeal", "Letterhead Seal", ppr='<w:spacing w:after="80"/><w:jc w:val="center"/>')
    + _pstyle("LetterheadCourt", "Letterhead Court Name",
              ppr='<w:spacing w:after="20"/><w:jc w:val="center"/>',
              rpr_xml=f'<w:b/><w:bCs/><w:smallCaps/>{NAVY_INK}<w:spacing w:val="10"/>'
                      '<w:sz w:val="32"/><w:szCs w:val="32"/>')
    + _pstyle("LetterheadChambers", "Letterhead Chambers", ppr='<w:spacing w:after="20"/><w:jc w:val="center"/>',
              rpr_xml=f'<w:i/><w:iCs/>{NAVY_INK}<w:sz w:val="22"/><w:szCs w:val="22"/>')
    + _pstyle("LetterheadAddress", "Letterhead Address", ppr='<w:jc w:val="center"/>',
              rpr_xml=f'{NAVY_INK}<w:sz w:val="20"/><w:szCs w:val="20"/>')
    + _pstyle("LetterheadRule", "Letterhead Rule",
              ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="{NAVY}"/></w:pBdr>'
                  '<w:spacing w:after="0" w:line="120" w:lineRule="exact"/>',
              rpr_xml='<w:sz w:val="8"/><w:szCs w:val="8"/>')
    + _pstyle("ContinuationHeader", "Continuation Header")
    + _pstyle("ContinuationHeaderLast", "Continuation Header Last", based_on="ContinuationHeader",
              ppr='<w:spacing w:after="480"/>')
    # the letter, top to bottom
    + _pstyle("DateLine", "Date Line", next_style="InsideAddress",
              ppr='<w:spacing w:before="360" w:after="480"/>')
    + _pstyle("InsideAddress", "Inside Address", ppr='<w:keepLines/><w:spacing w:after="240"/>')
    + _pstyle("Subject", "Subject Line", ppr='<w:keepNext/><w:ind w:left="720" w:hanging="720"/>')
    + _pstyle("SubjectDetail", "Subject Detail", ppr='<w:keepNext/><w:ind w:left="720"/>')
    + _pstyle("LetterSalutation", "Letter Salutation", next_style="BodyText",
              ppr='<w:keepNext/><w:spacing w:before="240" w:after="240"/>')
    + _pstyle("BodyText", "Body Text",
              ppr='<w:spacing w:after="240"/><w:ind w:firstLine="720"/><w:jc w:val="both"/>')
    + _pstyle("RequestedPolicy", "Requested Policy", based_on="BodyText",
              ppr='<w:numPr><w:numId w:val="1"/></w:numPr><w:ind w:left="1080" w:hanging="360" w:firstLine="0"/>')
    + _pstyle("ComplimentaryClose", "Complimentary Close", next_style="SignatureSpace", ppr=KEEP)
    # At least 0.75 inch for ink; an inserted signature picture sits on the baseline.
    + _pstyle("SignatureSpace", "Signature Space", next_style="SignatureName",
              ppr=f'{KEEP}<w:spacing w:line="1080" w:lineRule="atLeast"/>')
    + _pstyle("SignatureName", "Signature Name", next_style="SignatureTitle", ppr=KEEP)
    + _pstyle("SignatureTitle", "Signature Title", ppr=KEEP)
    + _pstyle("Notation", "Notation", ppr=f'{KEEP}<w:ind w:left="1440" w:hanging="1440"/>')
    + _pstyle("NotationFirst", "Notation First", based_on="Notation", next_style="Notation",
              ppr='<w:spacing w:before="240"/>')
    + _cstyle("DraftMarkText", "Draft Mark Text",
              f'<w:b/><w:bCs/><w:color w:val="{DRAFT_RED}"/><w:spacing w:val="20"/>')
    + _cstyle("SubjectText", "Subject Text", "<w:b/><w:bCs/>")
    + _cstyle("NotationLabel", "Notation Label", "<w:noProof/>")
    + "</w:styles>"
)

# The requested policies are a real Word numbered list (Home > Numbering works on them).
NUMBERING = (
    XML_DECL
    + f'<w:numbering xmlns:w="{NS_W}">'
    '<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="RequestedPolicy"/>'
    '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="1080" w:hanging="360"/></w:pPr>'
    "</w:lvl></w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    "</w:numbering>"
)

SETTINGS = (
    XML_DECL
    + f'<w:settings xmlns:w="{NS_W}">'
    '<w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    # A typed line break (Shift+Enter) must not stretch the justified line before it.
    '<w:compat><w:doNotExpandShiftReturn/><w:compatSetting w:name="compatibilityMode" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    "</w:settings>"
)


def core_xml(title: str, description: str) -> str:
    return (
        XML_DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title>"
        f"<dc:description>{escape(description)}</dc:description>"
        "<dc:creator>Chambers</dc:creator>"
        "</cp:coreProperties>"
    )


APP_XML = (
    XML_DECL
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Chambers</Application></Properties>'
)


def write_docx(path: Path, document: str, title: str, description: str, language: str = "en") -> None:
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("docProps/core.xml", core_xml(title, description)),
        ("docProps/app.xml", APP_XML),
        ("word/document.xml", translated(document, language)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", styles_in(language)),
        ("word/numbering.xml", NUMBERING),
        ("word/settings.xml", SETTINGS),
        ("word/header1.xml", translated(letterhead_header(), language)),
        ("word/_rels/header1.xml.rels", HEADER1_RELS),
        ("word/header2.xml", translated(continuation_header(), language)),
        ("word/media/seal.png", SEAL.read_bytes()),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            blob = data.encode("utf-8") if isinstance(data, str) else data
            if name.endswith(".png"):
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, blob)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, blob, compresslevel=9)
    path.write_bytes(buffer.getvalue())


# --- letters in other languages (issue 18) ----------------------------------------------

# The template's own words, by language: the run texts the builders above write in English.
TEMPLATE_WORDS: dict[str, dict[str, str]] = {
    "es": {
        ">Re:<": ">Asunto:<",
        ">Our reference: {{ reference }}<": ">Nuestra referencia: {{ reference }}<",
        "The addressees on the distribution list at the end of this letter":
            "Los destinatarios de la lista de distribución al final de esta carta",
        " and others{%": " y otros{%",
        ">Page <": ">Página <",
        ">Enclosure{% if enclosures|length != 1 %}s{% endif %}:<":
            ">Anexo{% if enclosures|length != 1 %}s{% endif %}:<",
        ">cc:<": ">c. c.:<",
        ">Distribution:<": ">Distribución:<",
        "DRAFT \u2014 not approved": "BORRADOR \u2014 no aprobado",
    },
}
# The document language Word and LibreOffice check spelling and hyphenate by.
DOCUMENT_LANGUAGE = {"en": "en-US", "es": "es-US"}


def translated(xml: str, language: str) -> str:
    """``xml`` with the template's own words in ``language``; every one must be found, so a
    builder that changes its English words cannot leave a Spanish pack half translated."""
    for english, said in TEMPLATE_WORDS.get(language, {}).items():
        if english in xml:
            xml = xml.replace(english, said)
    return xml


def styles_in(language: str) -> str:
    tag = DOCUMENT_LANGUAGE[language]
    return STYLES.replace('<w:lang w:val="en-US" w:eastAsia="en-US"', f'<w:lang w:val="{tag}" w:eastAsia="{tag}"')


def check_translations() -> None:
    """Each word the Spanish pack translates still stands in the English builders' output."""
    english = document_xml(officials_concern_body()) + letterhead_header() + continuation_header()
    missing = [w for w in TEMPLATE_WORDS["es"] if w not in english]
    if missing:
        raise SystemExit(f"officials-concern-es: these template words are no longer written: {missing}")


# --- the packs --------------------------------------------------------------------------

def officials_concern_body() -> list[str]:
    return [
        *opening_block([re_line(run("{{ subject }}", style="SubjectText"))]),
        *body_loop("opening", ("concerns", "requested_policies", "closing")),
        *body_loop("concerns", ("requested_policies", "closing")),
        *body_loop("requested_policies", ("closing",), style="RequestedPolicy"),
        *body_loop("closing", ()),
        *signature_block(),
    ]


POSITION_SENTENCE = (
    "On behalf of the {{ court.name }}, I write "
    "{% if fields.position == 'support' %}in support of {{ fields.bill_number }}."
    "{% elif fields.position == 'oppose' %}to respectfully oppose {{ fields.bill_number }}."
    "{% else %}regarding {{ fields.bill_number }}. The court takes no position on the bill "
    "but offers the following observations.{% endif %}"
)


def legislative_position_body() -> list[str]:
    hearing = ("Hearing: {{ fields.committee }}"
               "{% if fields.committee and fields.hearing_date %}, {% endif %}"
               "{% if fields.hearing_date %}" + spelled_date("fields.hearing_date")
               + "{% endif %}")
    re_lines = [
        re_line(run("{{ fields.bill_number }} \u2014 {{ subject }}", style="SubjectText")),
        para(run("Position: {{ fields.position|capitalize }}", style="SubjectText"), style="SubjectDetail"),
        ctrl("{%p if fields.committee or fields.hearing_date %}"),
        para(run(hearing), style="SubjectDetail"),
        ctrl("{%p endif %}"),
    ]
    return [
        *opening_block(re_lines),
        *_alternatives("opening or concerns or closing",
                       para(run(POSITION_SENTENCE), style="BodyText"),
                       para(run(POSITION_SENTENCE), style="BodyText", keep_next=True)),
        *body_loop("opening", ("concerns", "closing")),
        *body_loop("concerns", ("closing",)),
        *body_loop("closing", ()),
        *signature_block(),
    ]


ACKNOWLEDGMENT = (
    "Thank you for your {% if fields.inquiry_kind == 'press' %}inquiry{% else %}letter"
    "{% endif %}{% if fields.inquiry_date %} of " + spelled_date("fields.inquiry_date")
    + "{% endif %}. "
    "{% if fields.inquiry_kind == 'press' %}The court\u2019s responses to your questions are "
    "set out below, and you may attribute them to {{ signatory.name }}, "
    "{{ signatory.title }}."
    "{% elif fields.inquiry_kind == 'agency' %}The court is pleased to provide the "
    "information your office requested."
    "{% else %}I appreciate your taking the time to write to the court, and I am glad to "
    "respond to the questions you raised.{% endif %}"
)


def response_to_inquiry_body() -> list[str]:
    return [
        *opening_block([re_line(run("{{ subject }}", style="SubjectText"))]),
        *_alternatives("opening or concerns or closing",
                       para(run(ACKNOWLEDGMENT), style="BodyText"),
                       para(run(ACKNOWLEDGMENT), style="BodyText", keep_next=True)),
        *body_loop("opening", ("concerns", "closing")),
        *body_loop("concerns", ("closing",)),
        *body_loop("closing", ()),
        *signature_block(),
    ]


# --- manifests --------------------------------------------------------------------------

MANIFESTS = {
    "officials-concern": """\
# Template pack: the court's letter of concern to one or more officials.
id: officials-concern
name: Letter of concern to officials
description: >-
  A formal letter on the court's letterhead raising the court's concerns with one or more
  officials and asking for specific policies: opening, concerns, numbered requested
  policies, closing, enclosures and copies. Modelled on the Chief Justice of California's
  2017 letter to the Attorney General and the Secretary of Homeland Security.
version: "1.0.0"
sections: [opening, concerns, requested_policies, closing, cc, enclosures]
fields: []
""",
    "officials-concern-es": """\
# Template pack: the flagship letter of concern, in Spanish.
id: officials-concern-es
name: Carta de preocupación a funcionarios (español)
description: >-
  The letter of concern to officials, in Spanish: the date as Spanish writes it (16 de marzo
  de 2017), salutations in Spanish that agree with each addressee (Estimado Secretario Kelly,
  Estimada Jueza Ruiz), the template's own words in Spanish and the document language set to
  Spanish (United States) for spelling and hyphenation.
version: "1.0.0"
language: es
sections: [opening, concerns, requested_policies, closing, cc, enclosures]
fields: []
""",
    "legislative-position": """\
# Template pack: the court's position on a bill, to a legislator or committee.
id: legislative-position
name: Position on legislation
description: >-
  A letter to a legislator stating the court's position on a bill (support, oppose or
  neutral). The Re: block names the bill, the position and the hearing; the first
  paragraph states the position; the concerns section carries the court's reasons.
version: "1.0.0"
sections: [opening, concerns, closing, cc, enclosures]
fields:
  - name: bill_number
    type: text
    label: Bill number
    help: >-
      The bill as the legislature cites it, with its author, e.g. "Senate Bill 1187
      (Okafor)" or "AB 2440 (Lee)". It appears in the Re: line and the first paragraph.
    required: true
  - name: position
    type: choice
    label: Court's position
    help: >-
      Support, oppose or neutral. The first paragraph of the letter is worded to match
      ("in support of", "to respectfully oppose", or no position with observations).
    required: true
    choices: [support, oppose, neutral]
  - name: committee
    type: text
    label: Committee hearing the bill
    help: Optional, e.g. "Senate Judiciary Committee". Shown on the Hearing line.
    required: false
  - name: hearing_date
    type: date
    label: Hearing date
    help: Optional. Shown on the Hearing line, spelled out (April 8, 2025).
    required: false
""",
    "response-to-inquiry": """\
# Template pack: the court's reply to an inquiry from the public, an agency or the press.
id: response-to-inquiry
name: Response to an inquiry
description: >-
  A reply to a member of the public, a government agency or a journalist. The first
  paragraph thanks the writer (worded for the kind of inquiry); the concerns section holds
  the points answered, one paragraph per question; no requested policies.
version: "1.0.0"
sections: [opening, concerns, closing, cc, enclosures]
fields:
  - name: inquiry_kind
    type: choice
    label: Inquiry from
    help: >-
      public (a letter from a member of the public), agency (a letter from a government
      office) or press (a journalist's questions; the reply says it may be attributed to
      the signatory).
    required: true
    choices: [public, agency, press]
    default: public
  - name: inquiry_date
    type: date
    label: Date of the inquiry
    help: Optional. The date of the letter or message being answered.
    required: false
""",
}


# --- samples ----------------------------------------------------------------------------

def paras(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each folded onto one line."""
    return [" ".join(block.split()) for block in text.strip().split("\n\n")]


SIERRA_VISTA = {
    "court": "Superior Court of California, County of Sierra Vista",
    "chambers": "Chambers of the Presiding Judge",
    "address": ["Hall of Justice", "400 Courthouse Square", "Sierra Vista, California 95999"],
    "phone": "(916) 555-0142",
    "email": "presiding.judge@sierravista-court.example",
}
WHITFIELD = {"name": "Eleanor M. Whitfield", "title": "Presiding Judge"}

SAMPLES: dict[str, dict[str, object]] = {
    "officials-concern": {
        "template": "officials-concern",
        "date": "2017-03-16",
        "subject": "Immigration enforcement in California courthouses",
        "sender": {
            "court": "Supreme Court of California",
            "address": ["350 McAllister Street", "San Francisco, California 94102-4797"],
        },
        "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"},
        "addressees": [
            {
                "honorific": "The Honorable",
                "name": "Jeff Sessions",
                "title": "Attorney General of the United States",
                "organization": "U.S. Department of Justice",
                "address": ["950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"],
            },
            {
                "honorific": "The Honorable",
                "name": "John F. Kelly",
                "title": "Secretary of Homeland Security",
                "organization": "U.S. Department of Homeland Security",
                "address": ["Washington, DC 20528"],
            },
        ],
        "opening": paras("""
            As Chief Justice of California and Chair of the Judicial Council of California, I
            write to express my deep concern about reports from some of our trial courts that
            immigration agents appear to be stalking undocumented immigrants in our courthouses
            in order to make arrests.

            Our courthouses serve as a vital forum for ensuring access to justice and
            protecting public safety. Every day, thousands of Californians come to our courts
            as victims of crime and domestic violence, as witnesses summoned to testify, as
            parents seeking the protection of their children, and as litigants who have chosen
            the rule of law to resolve their disputes. Courts cannot do their work if those
            whose presence the law requires are afraid to walk through the courthouse door.
        """),
        "concerns": paras("""
            Most people who enter a courthouse do not come by choice. They have been summoned,
            subpoenaed or ordered to appear, or they come because they have nowhere else to
            turn for protection. When they fear that appearing will expose them to arrest,
            they stay away, and the cost of their absence falls on everyone: cases go
            unresolved, protective orders go unsought, and witnesses decline to testify.

            Enforcement policies that include stalking courthouses and arresting undocumented
            immigrants, the vast majority of whom pose no risk to public safety, are neither
            safe nor fair. They not only compromise our core value of fairness but they
            undermine the judiciary\u2019s ability to provide equal access to justice.

            I am also concerned for the safety of the public and of those who work in our
            courts. Arrests made in crowded corridors, at security screening stations and
            outside courtrooms invite confrontation in places designed to keep the peace, and
            enforcement operations that are neither announced nor coordinated with the court
            or its security personnel place bystanders, court staff and officers alike at
            risk.

            Finally, I am concerned about the impact on public trust and confidence in our
            state court system if the public feels that our state institutions are being used
            to facilitate other goals and objectives, no matter how expedient they may be.
        """),
        "requested_policies": paras("""
            I respectfully request that you refrain from enforcing immigration laws by stalking
            undocumented immigrants in California\u2019s courthouses, and that courthouses be
            treated as sensitive locations, as schools, hospitals and places of worship already
            are, at which enforcement actions are generally avoided.

            Where federal officers believe that an enforcement action at or near a courthouse
            cannot be avoided, I ask that they first coordinate with the presiding judge and
            court security personnel, so that the action neither disrupts proceedings nor
            endangers the public.

            I further ask that the Department of Justice and the Department of Homeland
            Security share with the Judicial Council any written guidance that governs
            enforcement activity at state courthouses, so that our courts can inform the
            public accurately and dispel unfounded fears.
        """),
        "closing": paras("""
            Our state courts are the forum in which Californians of every background resolve
            their disputes, seek protection and answer charges under the law. I ask that you
            respect that role. I would welcome the opportunity to discuss these concerns with
            you or your staff.

            Thank you for your attention to this important matter.
        """),
        "complimentary_close": "Sincerely,",
        "cc": [
            "Martin Hoshino, Administrative Director, Judicial Council of California",
            "Members of the Judicial Council of California",
        ],
        "enclosures": [
            "Fact sheet: Access to justice in the California courts",
        ],
    },
    "legislative-position": {
        "template": "legislative-position",
        "date": "2025-03-24",
        "reference": "SV-LEG-2025-07",
        "subject": "Extended weekday courthouse hours",
        "sender": SIERRA_VISTA,
        "signatory": WHITFIELD,
        "addressees": [
            {
                "honorific": "The Honorable",
                "name": "Daniel R. Okafor",
                "title": "Senator, Fourteenth District",
                "organization": "California State Senate",
                "address": ["1021 O Street, Suite 5510", "Sacramento, California 95814"],
            },
        ],
        "opening": paras("""
            As introduced, SB 1187 would require every superior court to keep its clerk\u2019s
            office and at least one courtroom in each courthouse open to the public until
            7:00 p.m. on every court day, beginning January 1, 2026. The court shares your goal
            of making the courts accessible to working Californians, who too often must take
            unpaid leave to file papers or attend a hearing. We are concerned, however, that
            the bill as drafted would divert resources from the services the public relies on
            most, and it provides no funding to carry it out.
        """),
        "concerns": paras("""
            The court operates eleven courtrooms in three courthouses with a clerk\u2019s office
            staff that is already below the level the Judicial Council\u2019s workload model
            recommends. Evening hours could be staffed only by shifting clerks away from daytime
            counters and courtrooms, which would lengthen the lines and delays the bill is
            meant to reduce.

            Each courthouse that remains open requires weapons screening and a bailiff in every
            courtroom in session. The Sheriff estimates that the additional security alone
            would cost the court approximately $1.4 million each year, a sum that is not
            available within the court\u2019s current allocation.

            Much of what the bill seeks is already within reach. The court accepts electronic
            filing around the clock, its self-help center offers evening appointments twice a
            week, and litigants in traffic, small claims and many family law matters may
            appear remotely. These services reach far more people, at far lower cost, than a
            single courtroom open in the evening.

            Finally, a uniform mandate does not fit the diversity of California\u2019s courts. A
            pilot program in a few volunteer courts, with an evaluation of who uses evening
            hours and at what cost, would give the Legislature the information it needs before
            the requirement is extended statewide.
        """),
        "closing": paras("""
            For these reasons, the court respectfully opposes SB 1187 unless it is amended to
            provide dedicated funding or to establish a voluntary pilot program. The court
            would welcome the opportunity to work with you and your staff on such amendments.

            If you have any questions, please contact the court\u2019s Court Executive Officer,
            Marcus Bell, at (916) 555-0147.
        """),
        "complimentary_close": "Respectfully,",
        "cc": [
            "Members, Senate Judiciary Committee",
            "Counsel, Senate Judiciary Committee",
            "Office of Governmental Affairs, Judicial Council of California",
        ],
        "enclosures": [
            "Estimated staffing and security costs of SB 1187 for the County of Sierra Vista",
        ],
        "fields": {
            "bill_number": "Senate Bill 1187 (Okafor)",
            "position": "oppose",
            "committee": "Senate Judiciary Committee",
            "hearing_date": "2025-04-08",
        },
    },
    "response-to-inquiry": {
        "template": "response-to-inquiry",
        "date": "2025-05-12",
        "subject": "Your questions about remote appearances in traffic and small claims matters",
        "sender": SIERRA_VISTA,
        "signatory": WHITFIELD,
        "addressees": [
            {
                "honorific": "Ms.",
                "name": "Ana Rivera",
                "title": "Courts Reporter",
                "organization": "The Sierra Vista Ledger",
                "address": ["210 Market Street", "Sierra Vista, California 95999"],
                "salutation": "Ms. Rivera",
            },
        ],
        "opening": paras("""
            You asked four questions about the court\u2019s use of remote video appearances in
            traffic and small claims matters, which the court expanded to every department
            hearing those cases in January of this year. I answer each in turn.
        """),
        "concerns": paras("""
            How many hearings have been held remotely? From January 6 through April 30, 2025,
            3,412 of the 9,870 traffic and small claims hearings held by the court, or about 35
            percent, included at least one party who appeared by video. In most of those
            hearings the other party and any witnesses appeared in person.

            Can people without a computer or internet access take part? Yes. Any party may
            appear by telephone, and the court has installed two private video booths in the
            self-help center at the Hall of Justice, available without an appointment during
            business hours. No one is required to appear remotely; every party may choose to
            come to the courthouse instead.

            Are remote hearings open to the public? Yes. Each remote hearing takes place in a
            courtroom that remains open to the public, and the remote participants are shown
            on screens in the courtroom. As with any proceeding, recording or broadcasting a
            hearing requires the judge\u2019s permission under rule 1.150 of the California
            Rules of Court.

            Will the program continue? The court will review the program this summer, including
            the results of a survey of court users, and expects to publish its findings in the
            fall. No decision has been made to reduce or expand remote appearances before that
            review is complete.
        """),
        "closing": paras("""
            I hope this information is helpful to you and to your readers. Please direct any
            follow-up questions to the court\u2019s Public Information Office at
            (916) 555-0150.
        """),
        "complimentary_close": "Sincerely,",
        "cc": ["Public Information Office"],
        "enclosures": ["Remote appearance statistics, January through April 2025"],
        "fields": {"inquiry_kind": "press", "inquiry_date": "2025-05-02"},
    },
}

SAMPLES["officials-concern-es"] = {
    "template": "officials-concern-es",
    "date": "2017-03-16",
    "subject": "Actividades de control migratorio en los tribunales de California",
    "sender": {
        "court": "Corte Suprema de California",
        "address": ["350 McAllister Street", "San Francisco, California 94102-4797"],
    },
    "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Presidenta de la Corte Suprema de California"},
    "addressees": [
        {
            "honorific": "The Honorable",
            "name": "Jeff Sessions",
            "title": "Attorney General of the United States",
            "organization": "U.S. Department of Justice",
            "address": ["950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"],
            "courtesy": "Sr.",
        },
        {
            "honorific": "The Honorable",
            "name": "John F. Kelly",
            "title": "Secretary of Homeland Security",
            "organization": "U.S. Department of Homeland Security",
            "address": ["Washington, DC 20528"],
            "courtesy": "Sr.",
        },
    ],
    "opening": paras("""
        En mi calidad de Presidenta de la Corte Suprema de California y del Consejo Judicial de
        California, les escribo para expresar mi profunda preocupación por los informes de
        algunos de nuestros tribunales de primera instancia según los cuales agentes de
        inmigración parecen estar acechando a inmigrantes indocumentados en nuestros tribunales
        para detenerlos.

        Nuestros tribunales son un foro esencial para garantizar el acceso a la justicia y
        proteger la seguridad pública. Cada día, miles de californianos acuden a ellos como
        víctimas de delitos y de violencia doméstica, como testigos citados a declarar, como
        padres que buscan la protección de sus hijos y como litigantes que han elegido el
        Estado de derecho para resolver sus controversias.
    """),
    "concerns": paras("""
        La mayoría de las personas que entran en un tribunal no lo hacen por elección propia.
        Cuando temen que comparecer las exponga a una detención, dejan de acudir, y el costo de
        su ausencia recae sobre todos: los casos quedan sin resolver, las órdenes de protección
        no se solicitan y los testigos se niegan a declarar.

        Las políticas de control que incluyen acechar los tribunales y detener a inmigrantes
        indocumentados, la gran mayoría de los cuales no representa ningún riesgo para la
        seguridad pública, no son seguras ni justas, y socavan la capacidad del poder judicial
        de ofrecer igual acceso a la justicia.

        Me preocupa asimismo la confianza del público en nuestro sistema judicial estatal si
        percibe que nuestras instituciones se utilizan para fines ajenos a ellas, por
        convenientes que parezcan.
    """),
    "requested_policies": paras("""
        Les solicito respetuosamente que se abstengan de aplicar las leyes de inmigración
        acechando a inmigrantes indocumentados en los tribunales de California, y que los
        tribunales se consideren lugares sensibles, como ya lo son las escuelas, los hospitales
        y los lugares de culto.

        Cuando los agentes federales consideren que una actuación en un tribunal o cerca de él
        es inevitable, les pido que la coordinen antes con el juez presidente y con el personal
        de seguridad del tribunal.
    """),
    "closing": paras("""
        Nuestros tribunales estatales son el foro en el que los californianos de todos los
        orígenes resuelven sus controversias y buscan protección conforme a la ley. Les pido que
        respeten esa función. Con gusto conversaría sobre estas inquietudes con ustedes o con su
        personal.

        Les agradezco su atención a este importante asunto.
    """),
    "complimentary_close": "Atentamente,",
    "cc": ["Martin Hoshino, Director Administrativo, Consejo Judicial de California"],
    "enclosures": ["Hoja informativa: el acceso a la justicia en los tribunales de California"],
}

PACKS = {
    "officials-concern": officials_concern_body,
    "officials-concern-es": officials_concern_body,
    "legislative-position": legislative_position_body,
    "response-to-inquiry": response_to_inquiry_body,
}


def build() -> list[Path]:
    written = []
    for pack_id, body in PACKS.items():
        folder = TEMPLATES / pack_id
        folder.mkdir(exist_ok=True)
        manifest = MANIFESTS[pack_id]
        name = next(line for line in manifest.splitlines() if line.startswith("name: "))[6:]
        language = "es" if pack_id.endswith("-es") else "en"
        write_docx(folder / "letter.docx", document_xml(body()), name,
                   f"Chambers template pack {pack_id}", language)
        (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
        sample = json.dumps(SAMPLES[pack_id], indent=2, ensure_ascii=False) + "\n"
        (folder / "sample.json").write_text(sample, encoding="utf-8")
        written += [folder / "letter.docx", folder / "manifest.yaml", folder / "sample.json"]
    return written


def validate() -> None:
    """Every sample must be a valid letter that its own pack accepts."""
    sys.path.insert(0, str(ROOT))
    from app.core.letter import load_letter
    from app.core.packs import load_manifest

    for pack_id in PACKS:
        folder = TEMPLATES / pack_id
        manifest = load_manifest(folder / "manifest.yaml")
        letter = load_letter(folder / "sample.json").letter
        problems = manifest.check_letter(letter)
        if manifest.id != pack_id or letter.template != pack_id or problems:
            raise SystemExit(f"{pack_id}: sample does not fit its pack: {problems}")


if __name__ == "__main__":
    check_translations()
    for path in build():
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    validate()
    print("samples valid")
