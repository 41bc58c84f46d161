//! A document's amounts, computed the EN 16931 way (DESIGN §7), so that totals never drift by a
//! cent and the document can become an e-invoice:
//!
//! - a line's amount (BT-131) is quantity × unit price less its discount, rounded to the
//!   currency's minor unit, half away from zero;
//! - the document discount (BT-107) is shared per tax rate, each share rounded;
//! - per tax rate, the base (BT-116) is the rate's line nets less its share, and the tax (BT-117)
//!   is the base × rate, rounded once per rate, never per line;
//! - the total (BT-112) is the nets less the discount plus the tax.
//!
//! With tax-inclusive prices the line amounts include tax, and tax is split out once per rate:
//! tax = inclusive total × rate / (100 + rate), rounded; base = inclusive total − tax. The
//! rate's line nets add up to its inclusive line total less that total's own tax, shared over
//! its lines by largest remainder, so Σ line nets = BT-106 holds exactly.
//!
//! `lib/tests/vectors/document_totals.py` computes the test vectors independently.
//!
//! **The ceiling.** A line's amount and a document's total are below [`CEILING`] (10^13, the
//! largest amount a payment can record), or the document is refused naming the line (or
//! `lines`, for the total). Every operation is checked: with amounts below the ceiling no
//! product or quotient here comes near `Decimal`'s 7.9 × 10^28, and should one ever do, the
//! document is refused, never a panic (in release a panic would end the process).

use rust_decimal::{Decimal, RoundingStrategy};

use super::tax::TaxCategory;
use super::values::{Currency, Percentage};

/// How a line is discounted: a percentage of its amount, or an amount in the document's
/// currency (inclusive of tax when the document's prices are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineDiscount {
    Percent(Percentage),
    Amount(Decimal),
}

/// What prices one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTerms {
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount: Option<LineDiscount>,
    pub tax_rate: Percentage,
    pub tax_category: TaxCategory,
}

/// What prices the document as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentTerms {
    pub currency: Currency,
    pub prices_include_tax: bool,
    pub discount_percent: Option<Percentage>,
}

/// One category and rate's line of the tax breakdown (EN 16931 BG-23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxSubtotal {
    pub category: TaxCategory,
    pub rate: Percentage,
    pub base: Decimal,
    pub tax: Decimal,
}

/// Every amount of a document, each at the currency's minor unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Each line's net (BT-131), in the order of the lines.
    pub line_nets: Vec<Decimal>,
    /// Σ line nets (BT-106).
    pub net_total: Decimal,
    /// The document discount (BT-107), Σ of its per-rate shares.
    pub discount_total: Decimal,
    /// One entry per rate, lowest rate first.
    pub tax_breakdown: Vec<TaxSubtotal>,
    /// Σ tax (BT-110).
    pub tax_total: Decimal,
    /// Net less discount plus tax (BT-112).
    pub total: Decimal,
}

/// Why a document cannot be priced; `line` is the line's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingError {
    /// A line's discount amount is above the line's amount.
    DiscountAboveAmount { line: usize },
    /// A line's amount is at or above [`CEILING`].
    TooLarge { line: usize },
    /// The document's total (or an amount computed on the way to it) is at or above
    /// [`CEILING`].
    TotalTooLarge,
}

/// Every line amount and document total is below this: 10^13 in the document's currency, the
/// most a payment can record (`Amount` has 13 whole digits).
pub const CEILING: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0);

/// Checked arithmetic: an overflow is [`PricingError::TotalTooLarge`], never a panic.
fn mul(a: Decimal, b: Decimal) -> Result<Decimal, PricingError> {
    a.checked_mul(b).ok_or(PricingError::TotalTooLarge)
}

fn div(a: Decimal, b: Decimal) -> Result<Decimal, PricingError> {
    a.checked_div(b).ok_or(PricingError::TotalTooLarge)
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal, PricingError> {
    a.checked_add(b).ok_or(PricingError::TotalTooLarge)
}

fn sub(a: Decimal, b: Decimal) -> Result<Decimal, PricingError> {
    a.checked_sub(b).ok_or(PricingError::TotalTooLarge)
}

fn sum<'a>(values: impl IntoIterator<Item = &'a Decimal>) -> Result<Decimal, PricingError> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| add(acc, *v))
}

/// `value` rounded half away from zero to `places`, written with exactly `places` decimals.
pub fn round(value: Decimal, places: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(places);
    rounded
}

fn line_amount(terms: &LineTerms, places: u32, index: usize) -> Result<Decimal, PricingError> {
    let too_large = PricingError::TooLarge { line: index };
    let gross = terms
        .quantity
        .checked_mul(terms.unit_price)
        .ok_or(too_large)?;
    let amount = match terms.discount {
        None => gross,
        Some(LineDiscount::Percent(percent)) => {
            let off = gross
                .checked_mul(percent.value())
                .ok_or(too_large)?
                .checked_div(Decimal::ONE_HUNDRED)
                .ok_or(too_large)?;
            gross - off
        }
        Some(LineDiscount::Amount(off)) if off > gross => {
            return Err(PricingError::DiscountAboveAmount { line: index });
        }
        Some(LineDiscount::Amount(off)) => gross - off,
    };
    let amount = round(amount, places);
    if amount >= CEILING {
        return Err(too_large);
    }
    Ok(amount)
}

/// `total` shared over `weights` in minor units (`unit`) by largest remainder: the shares add
/// up to `total` exactly, earlier lines first among equal remainders.
fn share_out(
    total: Decimal,
    weights: &[Decimal],
    places: u32,
) -> Result<Vec<Decimal>, PricingError> {
    let unit = Decimal::new(1, places);
    let whole = sum(weights)?;
    if whole.is_zero() {
        let mut shares = vec![round(Decimal::ZERO, places); weights.len()];
        if let Some(first) = shares.first_mut() {
            *first = total;
        }
        return Ok(shares);
    }
    let exact = weights
        .iter()
        .map(|w| div(mul(total, *w)?, whole))
        .collect::<Result<Vec<_>, _>>()?;
    let mut shares = exact
        .iter()
        .map(|e| Ok(round(mul(div(*e, unit)?.floor(), unit)?, places)))
        .collect::<Result<Vec<_>, _>>()?;
    let given = sum(&shares)?;
    let left = div(sub(total, given)?, unit)?.round();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| {
        (exact[*b] - shares[*b])
            .cmp(&(exact[*a] - shares[*a]))
            .then(a.cmp(b))
    });
    let mut remaining = left;
    for index in order {
        if remaining <= Decimal::ZERO {
            break;
        }
        shares[index] += unit;
        remaining -= Decimal::ONE;
    }
    Ok(shares)
}

/// Prices a document.
pub fn price(lines: &[LineTerms], document: &DocumentTerms) -> Result<Totals, PricingError> {
    let places = document.currency.minor_units();
    let amounts = lines
        .iter()
        .enumerate()
        .map(|(index, terms)| line_amount(terms, places, index))
        .collect::<Result<Vec<_>, _>>()?;
    let percent = document
        .discount_percent
        .map_or(Decimal::ZERO, |p| p.value());
    // One breakdown per category and rate (BR-CO-18 and each category's BR-…-8), lowest rate
    // first.
    let mut rates: Vec<(Percentage, TaxCategory)> =
        lines.iter().map(|l| (l.tax_rate, l.tax_category)).collect();
    rates.sort_by_key(|(rate, category)| (rate.value(), *category));
    rates.dedup();

    let zero = round(Decimal::ZERO, places);
    let mut line_nets = amounts.clone();
    let mut tax_breakdown = Vec::with_capacity(rates.len());
    let mut discount_total = zero;
    for (rate, category) in rates {
        let of_rate: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].tax_rate == rate && lines[*i].tax_category == category)
            .collect();
        let lines_total = sum(of_rate.iter().map(|i| &amounts[*i]))?;
        let mut share = round(
            div(mul(lines_total, percent)?, Decimal::ONE_HUNDRED)?,
            places,
        );
        let r = rate.value();
        let (base, tax) = if document.prices_include_tax {
            let inclusive = add(Decimal::ONE_HUNDRED, r)?;
            let taxable = sub(lines_total, share)?;
            let tax = round(div(mul(taxable, r)?, inclusive)?, places);
            let base = sub(taxable, tax)?;
            let rate_tax = round(div(mul(lines_total, r)?, inclusive)?, places);
            let rate_nets = sub(lines_total, rate_tax)?;
            let weights: Vec<Decimal> = of_rate.iter().map(|i| amounts[*i]).collect();
            for (index, net) in of_rate.iter().zip(share_out(rate_nets, &weights, places)?) {
                line_nets[*index] = net;
            }
            share = sub(rate_nets, base)?;
            (base, tax)
        } else {
            let base = sub(lines_total, share)?;
            (
                base,
                round(div(mul(base, r)?, Decimal::ONE_HUNDRED)?, places),
            )
        };
        discount_total = add(discount_total, share)?;
        tax_breakdown.push(TaxSubtotal {
            category,
            rate,
            base: round(base, places),
            tax: round(tax, places),
        });
    }
    let net_total = round(sum(&line_nets)?, places);
    let tax_total = round(sum(tax_breakdown.iter().map(|t| &t.tax))?, places);
    let discount_total = round(discount_total, places);
    let total = round(add(sub(net_total, discount_total)?, tax_total)?, places);
    if total >= CEILING || net_total >= CEILING {
        return Err(PricingError::TotalTooLarge);
    }
    Ok(Totals {
        line_nets,
        total,
        net_total,
        discount_total,
        tax_breakdown,
        tax_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn percent(text: &str) -> Percentage {
        Percentage::parse(text).expect("percentage")
    }

    fn decimal(value: &serde_json::Value) -> Decimal {
        Decimal::from_str_exact(value.as_str().expect("a decimal string")).expect("decimal")
    }

    fn terms(line: &serde_json::Value) -> LineTerms {
        let discount = match (line.get("discount_percent"), line.get("discount_amount")) {
            (Some(p), _) => Some(LineDiscount::Percent(percent(p.as_str().expect("str")))),
            (None, Some(a)) => Some(LineDiscount::Amount(decimal(a))),
            (None, None) => None,
        };
        LineTerms {
            quantity: decimal(&line["quantity"]),
            unit_price: decimal(&line["unit_price"]),
            discount,
            tax_rate: percent(line["tax_rate"].as_str().expect("str")),
            tax_category: TaxCategory::for_rate(decimal(&line["tax_rate"]).is_zero()),
        }
    }

    /// Every vector computed by `lib/tests/vectors/document_totals.py` (Python's decimal module,
    /// from DESIGN §7's text) gives the same amounts here, to the digit.
    #[test]
    fn the_independently_computed_vectors_agree() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/document_totals.json"))
                .expect("vectors");
        let vectors = vectors.as_array().expect("a list");
        assert!(vectors.len() >= 12);
        for vector in vectors {
            let name = vector["name"].as_str().expect("name");
            let doc = &vector["document"];
            let lines: Vec<LineTerms> = doc["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .map(terms)
                .collect();
            let document = DocumentTerms {
                currency: Currency::parse(doc["currency"].as_str().expect("currency"))
                    .expect("currency"),
                prices_include_tax: doc["prices_include_tax"].as_bool().unwrap_or(false),
                discount_percent: doc["discount_percent"].as_str().map(percent),
            };
            let totals = price(&lines, &document).expect(name);
            let expected = &vector["expected"];
            let text = |d: &Decimal| d.to_string();
            assert_eq!(
                totals.line_nets.iter().map(text).collect::<Vec<_>>(),
                expected["lines"]
                    .as_array()
                    .expect("lines")
                    .iter()
                    .map(|v| v.as_str().expect("str").to_owned())
                    .collect::<Vec<_>>(),
                "{name}: line nets"
            );
            for field in ["net_total", "discount_total", "tax_total", "total"] {
                let got = match field {
                    "net_total" => totals.net_total,
                    "discount_total" => totals.discount_total,
                    "tax_total" => totals.tax_total,
                    _ => totals.total,
                };
                assert_eq!(got.to_string(), expected[field], "{name}: {field}");
            }
            let breakdown: Vec<(String, String, String)> = totals
                .tax_breakdown
                .iter()
                .map(|t| (t.rate.to_string(), t.base.to_string(), t.tax.to_string()))
                .collect();
            let wanted: Vec<(String, String, String)> = expected["tax_breakdown"]
                .as_array()
                .expect("breakdown")
                .iter()
                .map(|t| {
                    let s = |k: &str| t[k].as_str().expect("str").to_owned();
                    (s("rate"), s("base"), s("tax"))
                })
                .collect();
            assert_eq!(breakdown, wanted, "{name}: tax breakdown");
            // The sums the standard requires hold whatever the vector.
            assert_eq!(
                totals.net_total,
                totals.line_nets.iter().sum::<Decimal>(),
                "{name}: BT-106"
            );
            let bases: Decimal = totals.tax_breakdown.iter().map(|t| t.base).sum();
            assert_eq!(
                bases,
                totals.net_total - totals.discount_total,
                "{name}: Σ BT-116"
            );
        }
    }

    #[test]
    fn tax_is_rounded_once_per_rate_not_per_line() {
        let line = LineTerms {
            quantity: Decimal::ONE,
            unit_price: Decimal::new(99, 2),
            discount: None,
            tax_rate: percent("9.975"),
            tax_category: TaxCategory::for_rate(false),
        };
        let document = DocumentTerms {
            currency: Currency::parse("CAD").expect("CAD"),
            prices_include_tax: false,
            discount_percent: None,
        };
        let totals = price(&[line; 40], &document).expect("priced");
        // Per line: 0.99 × 9.975 % = 0.0987525 → 0.10, × 40 = 4.00. Once: 39.60 × 9.975 % = 3.9501.
        assert_eq!(totals.tax_total.to_string(), "3.95");
    }

    #[test]
    fn the_ceiling_is_ten_to_the_thirteenth() {
        assert_eq!(CEILING, Decimal::from(10_000_000_000_000_i64));
    }

    /// Quantity 100 at 9,999,999,999,999 with prices including tax once panicked in the
    /// largest-remainder share (total × weight overflowed `Decimal`).
    #[test]
    fn amounts_at_the_ceiling_are_refused_never_a_panic() {
        let eur = Currency::parse("EUR").expect("EUR");
        let line = |quantity: &str, price: &str| LineTerms {
            quantity: Decimal::from_str_exact(quantity).expect("quantity"),
            unit_price: Decimal::from_str_exact(price).expect("price"),
            discount: None,
            tax_rate: percent("19"),
            tax_category: TaxCategory::for_rate(false),
        };
        for prices_include_tax in [true, false] {
            let document = DocumentTerms {
                currency: eur,
                prices_include_tax,
                discount_percent: Some(percent("3.5")),
            };
            assert_eq!(
                price(&[line("100", "9999999999999")], &document),
                Err(PricingError::TooLarge { line: 0 })
            );
            let highest = price(&[line("1", "9999999999999.99")], &document);
            if prices_include_tax {
                let totals = highest.expect("just below the ceiling is priced");
                assert_eq!(totals.total.to_string(), "9649999999999.99");
            } else {
                assert_eq!(highest, Err(PricingError::TotalTooLarge), "with tax added");
            }
            let many = vec![line("1", "999999999999.99"); 11];
            assert_eq!(price(&many, &document), Err(PricingError::TotalTooLarge));
        }
    }

    #[test]
    fn a_discount_amount_above_the_line_is_refused() {
        let line = LineTerms {
            quantity: Decimal::ONE,
            unit_price: Decimal::TEN,
            discount: Some(LineDiscount::Amount(Decimal::new(1001, 2))),
            tax_rate: percent("0"),
            tax_category: TaxCategory::for_rate(true),
        };
        let document = DocumentTerms {
            currency: Currency::parse("EUR").expect("EUR"),
            prices_include_tax: false,
            discount_percent: None,
        };
        assert_eq!(
            price(&[line, line], &document),
            Err(PricingError::DiscountAboveAmount { line: 0 })
        );
    }

    #[test]
    fn amounts_are_written_at_the_currency_minor_unit() {
        assert_eq!(round(Decimal::new(5, 1), 0).to_string(), "1");
        assert_eq!(round(Decimal::new(-5, 1), 0).to_string(), "-1");
        assert_eq!(round(Decimal::ZERO, 3).to_string(), "0.000");
        assert_eq!(round(Decimal::new(12345, 3), 2).to_string(), "12.35");
    }
}
