"""What a PDF holds, as a reader sees it: `pdf_inspect.py FILE.pdf` prints JSON with its page
count, the text of each page (pypdf's extraction), its embedded files (UTF-8 text), the XMP
metadata, its output intents, the fonts' names and whether each is embedded, and the file the
`factur-x` library (what invoicing software uses) extracts as the Factur-X XML; and what qpdf
(through pikepdf) finds: syntax or structure problems, and the PDF/A part and level the
metadata claims."""

import json
import sys

import facturx
import pikepdf
from lxml import etree
from pypdf import PdfReader


def fonts(reader):
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            face = descendants[0].get_object() if descendants else font
            descriptor = (face.get("/FontDescriptor") or {})
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return found


def factur_x(path):
    with open(path, "rb") as pdf:
        name, xml = facturx.get_facturx_xml_from_pdf(pdf.read(), check_xsd=True)
    if not name:
        return None
    return {"name": name, "flavor": facturx.get_flavor(etree.fromstring(xml))}


def qpdf(path):
    with pikepdf.open(path) as pdf:
        return {
            "qpdf_problems": [str(p) for p in pdf.check_pdf_syntax()],
            "pdfa": pdf.open_metadata().pdfa_status,
        }


def main(path):
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    intents = [
        {k: str(v) for k, v in intent.get_object().items() if k != "/DestOutputProfile"}
        for intent in (root.get("/OutputIntents") or [])
    ]
    metadata = root.get("/Metadata")
    print(
        json.dumps(
            {
                "header": reader.pdf_header,
                "pages": len(reader.pages),
                "text": [page.extract_text() for page in reader.pages],
                "attachments": {
                    name: [data.decode("utf-8") for data in contents]
                    for name, contents in reader.attachments.items()
                },
                "associated_files": [
                    str(spec.get_object().get("/AFRelationship")) for spec in (root.get("/AF") or [])
                ],
                "xmp": metadata.get_object().get_data().decode("utf-8") if metadata else None,
                "output_intents": intents,
                "fonts": fonts(reader),
                "factur_x": factur_x(path),
                **qpdf(path),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
