"""Small real documents made in code: the demo world's files (a PDF and a DOCX per
blueprint) and the test suite's well-formed uploads. Nothing is read from disk.

The PDF is drawn with pydyf (WeasyPrint's own PDF writer) in Helvetica with WinAnsi
encoding, so German umlauts show; the DOCX is the smallest package Word and LibreOffice
open: content types, relationships and one document part.
"""

import io
import textwrap
import zipfile
from xml.sax.saxutils import escape

import pydyf


def _pdf_string(text):
    # A PDF literal string in WinAnsi (cp1252): backslash and brackets escaped.
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_bytes(title, paragraphs=()):
    """An A4 PDF with a title and wrapped paragraphs (one page; the rest is cut)."""
    document = pydyf.PDF()
    font = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/Type1",
            "BaseFont": "/Helvetica",
            "Encoding": "/WinAnsiEncoding",
        }
    )
    bold = pydyf.Dictionary({**font, "BaseFont": "/Helvetica-Bold"})
    document.add_object(font)
    document.add_object(bold)
    stream = pydyf.Stream()
    stream.begin_text()
    stream.set_font_size("F2", 16)
    stream.set_text_matrix(1, 0, 0, 1, 56, 780)
    stream.stream.append(_pdf_string(title) + b" Tj")
    stream.set_font_size("F1", 11)
    y = 750
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 90) or [""]:
            if y < 60:
                break
            stream.set_text_matrix(1, 0, 0, 1, 56, y)
            stream.stream.append(_pdf_string(line) + b" Tj")
            y -= 15
        y -= 8
    stream.end_text()
    document.add_object(stream)
    resources = pydyf.Dictionary(
        {"Font": pydyf.Dictionary({"F1": font.reference, "F2": bold.reference})}
    )
    page = pydyf.Dictionary(
        {
            "Type": "/Page",
            "Parent": document.pages.reference,
            "MediaBox": pydyf.Array([0, 0, 595, 842]),
            "Contents": stream.reference,
            "Resources": resources,
        }
    )
    document.add_page(page)
    document.info["Title"] = pydyf.String(title)
    document.info["Producer"] = pydyf.String("Pioneer")
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{main}"/>
</Types>"""
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml" Type="{rel}"/>
</Relationships>"""
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body>{paragraphs}</w:body>
</w:document>"""


def docx_bytes(title, paragraphs=(), *, main_type=DOCX_MAIN, extra=None):
    """A DOCX with a bold title and paragraphs. `main_type` and `extra` (name -> bytes)
    let tests build hostile variants (a macro-enabled type, a vbaProject.bin)."""
    runs = [f"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{escape(title)}</w:t></w:r></w:p>"]
    runs += [
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    ]
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main_type))
        archive.writestr("_rels/.rels", ROOT_RELS.format(rel=OFFICE_DOCUMENT))
        archive.writestr("word/document.xml", DOCUMENT.format(paragraphs="".join(runs)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return output.getvalue()


def odt_bytes(text, *, extra=None):
    """The smallest OpenDocument text: mimetype first and stored, manifest, content."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="'
            'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="'
            'urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
            f"<office:body><office:text><text:p>{escape(text)}</text:p></office:text></office:body>"
            "</office:document-content>",
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return output.getvalue()


def png_bytes(width=4, height=4):
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 160)).save(output, "PNG")
    return output.getvalue()


def jpeg_bytes(width=4, height=4):
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 160)).save(output, "JPEG")
    return output.getvalue()
