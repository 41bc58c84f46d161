"""What a PDF holds, as a reader sees it: `pdf_inspect.py FILE.pdf` prints JSON with its page
count, the text of each page (pypdf's extraction), its embedded files (UTF-8 text), the XMP
metadata, its output intents, the fonts' names and whether each is embedded."""

import json
import sys

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
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
