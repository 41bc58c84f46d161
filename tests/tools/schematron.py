"""Compiles an ISO Schematron schema (XSLT 2 query binding) to an XSLT 3.0 stylesheet whose
output is SVRL, for SaxonC-HE to run offline.

No package on PyPI, npm or Debian ships a Schematron compiler for the XSLT 2 binding (lxml's
is XSLT 1 only); the subset here is what the official Peppol BIS 3.0 and XRechnung rules use:
`ns`, global and rule `let`, `include`, XSLT `function`s, `pattern`/`rule`/`assert`/`report`
with `name` and `value-of` in their text. Within a pattern the first rule whose context matches
a node fires for it, as Schematron requires.
"""

import os
import sys

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"


def q(ns, name):
    return "{%s}%s" % (ns, name)


def inline_includes(element, base):
    """Replaces every sch:include by the element it points to."""
    for include in list(element.iter(q(SCH, "include"))):
        path = os.path.join(os.path.dirname(base), include.get("href"))
        included = etree.parse(path).getroot()
        inline_includes(included, path)
        parent = include.getparent()
        index = parent.index(include)
        parent.remove(include)
        if included.tag == q(SCH, "schema"):
            for child in reversed(list(included)):
                parent.insert(index, child)
        else:
            parent.insert(index, included)


def message(xsl_parent, node):
    """The assertion's text, its name and value-of made XSLT."""
    if node.text:
        etree.SubElement(xsl_parent, q(XSL, "text")).text = node.text
    for child in node:
        if child.tag == q(SCH, "name"):
            etree.SubElement(xsl_parent, q(XSL, "value-of"), select=child.get("path", "name()"))
        elif child.tag == q(SCH, "value-of"):
            etree.SubElement(xsl_parent, q(XSL, "value-of"), select=child.get("select"))
        if child.tail:
            etree.SubElement(xsl_parent, q(XSL, "text")).text = child.tail


def compile_schema(path):
    schema = etree.parse(path).getroot()
    inline_includes(schema, path)
    namespaces = {"xsl": XSL, "svrl": SVRL}
    for ns in schema.iter(q(SCH, "ns")):
        namespaces[ns.get("prefix")] = ns.get("uri")
    out = etree.Element(q(XSL, "stylesheet"), nsmap=namespaces, version="3.0")
    etree.SubElement(out, q(XSL, "output"), method="xml", indent="no")
    patterns = [p for p in schema.iter(q(SCH, "pattern")) if p.get("abstract") != "true"]
    # A pattern's `let`s are global: rule contexts (XSLT match patterns) refer to them.
    declared = set()
    for let in schema.findall(q(SCH, "let")) + [l for p in patterns for l in p.findall(q(SCH, "let"))]:
        if let.get("name") not in declared:
            declared.add(let.get("name"))
            etree.SubElement(out, q(XSL, "variable"), name=let.get("name"), select=let.get("value"))
    for function in schema.iter(q(XSL, "function")):
        out.append(function)
    root = etree.SubElement(out, q(XSL, "template"), match="/")
    report = etree.SubElement(root, q(SVRL, "schematron-output"))
    for index, _ in enumerate(patterns):
        etree.SubElement(report, q(XSL, "apply-templates"), select="/", mode="p%d" % index)
    for index, pattern in enumerate(patterns):
        mode = "p%d" % index
        rules = pattern.findall(q(SCH, "rule"))
        for position, rule in enumerate(rules):
            template = etree.SubElement(
                out, q(XSL, "template"), match=rule.get("context"),
                priority=str(1000 - position), mode=mode,
            )
            for let in rule.findall(q(SCH, "let")):
                etree.SubElement(template, q(XSL, "variable"), name=let.get("name"), select=let.get("value"))
            for check in rule:
                if check.tag not in (q(SCH, "assert"), q(SCH, "report")):
                    continue
                failed = check.tag == q(SCH, "assert")
                test = "not(%s)" % check.get("test") if failed else check.get("test")
                branch = etree.SubElement(template, q(XSL, "if"), test=test)
                found = etree.SubElement(
                    branch, q(SVRL, "failed-assert" if failed else "successful-report")
                )
                for name in ("id", "flag"):
                    if check.get(name) is not None:
                        attribute = etree.SubElement(found, q(XSL, "attribute"), name=name)
                        attribute.text = check.get(name)
                location = etree.SubElement(found, q(XSL, "attribute"), name="location")
                etree.SubElement(location, q(XSL, "value-of"), select="path()")
                message(etree.SubElement(found, q(SVRL, "text")), check)
            etree.SubElement(template, q(XSL, "apply-templates"), select="@*|node()", mode=mode)
        walk = etree.SubElement(out, q(XSL, "template"), match="@*|node()", priority="-2", mode=mode)
        etree.SubElement(walk, q(XSL, "apply-templates"), select="@*|node()", mode=mode)
    return etree.tostring(out, encoding="unicode")


if __name__ == "__main__":
    sys.stdout.write(compile_schema(sys.argv[1]))
