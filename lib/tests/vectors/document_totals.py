#!/usr/bin/env python3
"""Computes the expected totals of the document vectors in document_totals.json, independently of
the Rust code, with Python's decimal module. Run it to regenerate the file:

    python3 lib/tests/vectors/document_totals.py > lib/tests/vectors/document_totals.json

The rules are DESIGN section 7 (EN 16931), written out again here from the text, not the code:
- a line's amount = quantity x unit price - its discount (percent of that, or an amount),
  rounded to the currency's minor unit, half away from zero;
- tax-exclusive: a line's net is that amount; per tax rate, the document discount's share is the
  rate's line nets x percent, rounded; the base is the nets minus the share; the tax is the base x
  rate, rounded once per rate;
- tax-inclusive: the line amounts include tax. Per rate, the inclusive total less its rounded
  discount share is split once: tax = total x rate / (100 + rate), rounded; base = total - tax.
  The rate's line nets add up to its inclusive line total less that total's own tax (the same
  split without the discount), shared over the lines by largest remainder; the discount share is
  those nets less the base.
"""
import json
import sys
from decimal import ROUND_HALF_UP, Decimal as D

MINOR = {"EUR": 2, "USD": 2, "CAD": 2, "JPY": 0, "KWD": 3}


def rnd(value, places):
    # ROUND_HALF_UP in Python's decimal rounds halves away from zero.
    return value.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def line_amount(line, places):
    gross = D(line["quantity"]) * D(line["unit_price"])
    if "discount_percent" in line:
        gross -= gross * D(line["discount_percent"]) / 100
    if "discount_amount" in line:
        gross -= D(line["discount_amount"])
    return rnd(gross, places)


def share_out(total, weights, places):
    """total split over weights by largest remainder, in minor units."""
    unit = D(1).scaleb(-places)
    whole = sum(weights)
    if whole == 0:
        parts = [D(0)] * len(weights)
        parts[0] = total
        return parts
    exact = [total * w / whole for w in weights]
    floors = [(e / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for e in exact]
    left = int(((total - sum(floors)) / unit).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += unit
    return floors


def compute(doc):
    places = MINOR[doc["currency"]]
    pct = D(doc.get("discount_percent", "0"))
    inclusive = doc.get("prices_include_tax", False)
    amounts = [line_amount(line, places) for line in doc["lines"]]
    rates = sorted({D(line["tax_rate"]) for line in doc["lines"]})
    nets = list(amounts)
    breakdown = []
    discount_total = D(0)
    for rate in rates:
        idx = [i for i, line in enumerate(doc["lines"]) if D(line["tax_rate"]) == rate]
        lines_total = sum((amounts[i] for i in idx), D(0))
        share = rnd(lines_total * pct / 100, places)
        if inclusive:
            taxable = lines_total - share
            tax = rnd(taxable * rate / (100 + rate), places)
            base = taxable - tax
            rate_nets = lines_total - rnd(lines_total * rate / (100 + rate), places)
            for i, n in zip(idx, share_out(rate_nets, [amounts[i] for i in idx], places)):
                nets[i] = n
            share = rate_nets - base
        else:
            base = lines_total - share
            tax = rnd(base * rate / 100, places)
        discount_total += share
        breakdown.append({"rate": rate, "base": base, "tax": tax})
    net_total = sum(nets, D(0))
    tax_total = sum((b["tax"] for b in breakdown), D(0))
    total = net_total - discount_total + tax_total
    q = lambda v: str(rnd(v, places))
    return {
        "lines": [q(n) for n in nets],
        "net_total": q(net_total),
        "discount_total": q(discount_total),
        "tax_breakdown": [
            {"rate": format(b["rate"].normalize(), "f"), "base": q(b["base"]), "tax": q(b["tax"])}
            for b in breakdown
        ],
        "tax_total": q(tax_total),
        "total": q(total),
    }


def line(q, p, rate, **extra):
    return {"quantity": q, "unit_price": p, "tax_rate": rate, **extra}


CASES = [
    ("Quebec QST 9.975 % on 40 lines of 0.99: one rounding of the tax, not 40",
     {"currency": "CAD", "lines": [line("1", "0.99", "9.975")] * 40}),
    ("many small lines at 19 % where per-line tax rounding would drift",
     {"currency": "EUR", "lines": [line("1", "0.05", "19")] * 30 + [line("3", "0.33", "19")]}),
    ("3-decimal quantities",
     {"currency": "EUR", "lines": [line("1.125", "10.00", "20"), line("0.333", "3.33", "20"), line("2.005", "0.5", "7")]}),
    ("a 100 % line discount",
     {"currency": "EUR", "lines": [line("2", "50.00", "19", discount_percent="100"), line("1", "80.00", "19")]}),
    ("a line discount as an amount",
     {"currency": "EUR", "lines": [line("3", "19.99", "19", discount_amount="5.00")]}),
    ("a document discount over two rates",
     {"currency": "EUR", "discount_percent": "12.5", "lines": [line("3", "33.33", "19"), line("7", "4.99", "7"), line("1", "0.01", "19")]}),
    ("JPY: no minor unit",
     {"currency": "JPY", "lines": [line("3", "333", "10"), line("1", "1234.5", "8"), line("0.5", "101", "10")]}),
    ("KWD: three decimals",
     {"currency": "KWD", "discount_percent": "3", "lines": [line("1.5", "12.3456", "5"), line("2", "0.0015", "0")]}),
    ("tax-inclusive prices at two rates",
     {"currency": "EUR", "prices_include_tax": True, "lines": [line("1", "9.99", "19"), line("3", "2.49", "7"), line("1", "119.00", "19")]}),
    ("tax-inclusive with a document discount",
     {"currency": "EUR", "prices_include_tax": True, "discount_percent": "10", "lines": [line("2", "5.95", "19"), line("1", "10.70", "7")]}),
    ("tax-inclusive 9.975 % on many small lines",
     {"currency": "CAD", "prices_include_tax": True, "lines": [line("1", "1.10", "9.975")] * 25}),
    ("zero-rated and exempt lines beside a taxed one",
     {"currency": "USD", "lines": [line("1", "100", "0"), line("4", "12.345", "8.875")]}),
]

json.dump(
    [{"name": name, "document": doc, "expected": compute(doc)} for name, doc in CASES],
    sys.stdout, indent=1, ensure_ascii=False,
)
print()
