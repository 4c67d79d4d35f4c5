"""Reading a PDF back in tests: which fonts it uses, whether each travels with it.

A font is embedded when its font descriptor holds the font program (/FontFile for
Type 1, /FontFile2 for TrueType, /FontFile3 for CFF/OpenType). For a composite (Type0)
font the descriptor sits on its descendant font. A Type3 font draws its glyphs with
PDF operators, so it is embedded by nature.
"""

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, PdfObject

# The 14 fonts a PDF may name without embedding them, so readers substitute their own.
BASE_14 = frozenset(
    {
        "Courier",
        "Courier-Bold",
        "Courier-BoldOblique",
        "Courier-Oblique",
        "Helvetica",
        "Helvetica-Bold",
        "Helvetica-BoldOblique",
        "Helvetica-Oblique",
        "Symbol",
        "Times-Bold",
        "Times-BoldItalic",
        "Times-Italic",
        "Times-Roman",
        "ZapfDingbats",
    }
)
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class PdfFont:
    base_font: str  # as in the PDF, e.g. "AAAAAA+WenQuanYiMicroHei-0"
    subtype: str  # "/TrueType", "/Type0", "/Type1", "/Type3", …
    embedded: bool

    @property
    def name(self) -> str:
        """The font's name without a subset tag ("AAAAAA+")."""
        tag, plus, rest = self.base_font.partition("+")
        return rest if plus and len(tag) == 6 and tag.isupper() else self.base_font

    @property
    def is_base_14(self) -> bool:
        return self.name in BASE_14


def pdf_fonts(pdf: bytes) -> list[PdfFont]:
    """Every font a PDF refers to, once each.

    Looks in each page's /Resources /Font, in form XObjects (recursively: a drawing
    placed with a form keeps its own resources), in Type3 fonts' own resources and in
    annotation appearance streams.
    """
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[int, PdfFont] = {}
    seen: set[int] = set()

    def resolve(obj: PdfObject | None):
        return obj.get_object() if isinstance(obj, IndirectObject) else obj

    def visit_resources(resources: PdfObject | None) -> None:
        resources = resolve(resources)
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            return
        seen.add(id(resources))
        for ref in (resolve(resources.get("/Font")) or {}).values():
            font = resolve(ref)
            if id(font) not in fonts:
                fonts[id(font)] = describe(font)
                visit_resources(font.get("/Resources"))  # Type3 glyph procedures
        for ref in (resolve(resources.get("/XObject")) or {}).values():
            xobject = resolve(ref)
            if xobject.get("/Subtype") == "/Form":
                visit_resources(xobject.get("/Resources"))

    def describe(font: DictionaryObject) -> PdfFont:
        subtype = str(font.get("/Subtype"))
        if subtype == "/Type3":
            embedded = True
        else:
            holder = font
            if subtype == "/Type0":
                holder = resolve(resolve(font["/DescendantFonts"])[0])
            descriptor = resolve(holder.get("/FontDescriptor")) or {}
            embedded = any(key in descriptor for key in FONT_FILES)
        return PdfFont(str(font.get("/BaseFont", "")).lstrip("/"), subtype, embedded)

    for page in reader.pages:
        visit_resources(page.get("/Resources"))
        for annotation in resolve(page.get("/Annots")) or []:
            appearance = resolve(resolve(annotation).get("/AP")) or {}
            for stream in appearance.values():
                stream = resolve(stream)
                # /N, /R, /D: a form, or a dictionary of forms by state.
                forms = [stream] if "/Resources" in stream else stream.values()
                for form in forms:
                    visit_resources(resolve(form).get("/Resources"))
    return list(fonts.values())


def pdf_text(pdf: bytes) -> str:
    """The text of every page, as a PDF reader would copy it."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)
