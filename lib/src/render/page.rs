//! A sent document as its customer's page shows it: what the PDF shows (seller, buyer, lines,
//! totals, amount due and due date, how to pay with the EPC QR code), in the same language,
//! as HTML that needs no script. The QR code is inline SVG: no request leaves the page.

use maud::{DOCTYPE, Markup, html};

use super::epc;
use super::locale::Format;
use super::messages::{Messages, messages};
use super::pdf::{address_lines, reading, total_rows};
use super::{Kind, Printable};
use crate::domain::reference;

/// What the page offers besides the document.
pub struct Offer<'a> {
    /// The page's own path (`/d/<token>`), which its downloads and forms extend.
    pub base: &'a str,
    pub ubl: bool,
    /// A proposal the customer can still accept or decline.
    pub answer: bool,
    /// What the page says first: the answer just recorded, or why it was refused.
    pub notice: Option<String>,
    /// The stylesheet's path.
    pub style: &'a str,
}

/// The reader's language and formats for `doc`.
pub fn reader(doc: &Printable<'_>) -> (&'static Messages, Format) {
    let (language, locale) = reading(doc);
    (messages(language), Format::of(locale))
}

/// The whole page.
pub fn page(doc: &Printable<'_>, offer: &Offer<'_>) -> Markup {
    let (m, format) = reader(doc);
    let (language, _) = reading(doc);
    let title = match doc.number {
        Some(number) => format!("{} {number}", title(doc.kind, m)),
        None => title(doc.kind, m),
    };
    html! {
        (DOCTYPE)
        html lang=(language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) " · " (doc.seller.legal_name.as_str()) }
                link rel="stylesheet" href=(offer.style);
            }
            body {
                main class="document-page" {
                    @if let Some(notice) = &offer.notice {
                        p role="status" class="notice" { (notice) }
                    }
                    h1 { (title) }
                    (parties(doc, m))
                    (facts(doc, &format, m))
                    (lines(doc, &format, m))
                    (totals(doc, &format, m))
                    (closing(doc, m))
                    @if doc.kind == Kind::Invoice { (payment(doc, m)) }
                    (downloads(offer, m))
                    @if offer.answer { (answer(offer, m)) }
                }
            }
        }
    }
}

/// The page every unknown, expired or revoked link gets, in the visitor's language.
pub fn not_found(language: &str, style: &str) -> Markup {
    let m = messages(language);
    html! {
        (DOCTYPE)
        html lang=(language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (m.text("page-not-found")) }
                link rel="stylesheet" href=(style);
            }
            body {
                main class="document-page" {
                    h1 { (m.text("page-not-found")) }
                    p { (m.text("page-not-found-text")) }
                }
            }
        }
    }
}

fn title(kind: Kind, m: &Messages) -> String {
    m.text(match kind {
        Kind::Invoice => "invoice",
        Kind::CreditNote => "credit-note",
        Kind::Proposal => "proposal",
        Kind::Reminder => "reminder",
    })
}

fn parties(doc: &Printable<'_>, m: &Messages) -> Markup {
    let seller = doc.seller;
    html! {
        div class="parties" {
            section aria-labelledby="from" {
                h2 id="from" { (seller.legal_name.as_str()) }
                @if let Some(address) = &seller.address {
                    p { @for line in address_lines(address, m) { (line) br; } }
                }
                @if let Some(tax_id) = &seller.tax_id {
                    p { (m.with("tax-id", &[("id", tax_id.as_str())])) }
                }
                @if let Some(email) = &seller.email { p { (email.as_str()) } }
            }
            section aria-labelledby="to" {
                h2 id="to" { (m.text("bill-to")) }
                @if let Some(buyer) = doc.buyer {
                    p {
                        strong { (buyer.name.as_str()) } br;
                        @if let Some(address) = &buyer.billing_address {
                            @for line in address_lines(address, m) { (line) br; }
                        }
                    }
                    @if let Some(tax_id) = &buyer.tax_id {
                        p { (m.with("tax-id", &[("id", tax_id.as_str())])) }
                    }
                }
            }
        }
    }
}

fn facts(doc: &Printable<'_>, format: &Format, m: &Messages) -> Markup {
    html! {
        dl class="facts" {
            @if let Some(number) = doc.number { dt { (m.text("number")) } dd { (number) } }
            dt { (m.text("issue-date")) } dd { (format.date(doc.issue_date)) }
            @if let Some(due) = doc.due_date { dt { (m.text("due-date")) } dd { (format.date(due)) } }
            @if let Some(valid) = doc.valid_until {
                dt { (m.text("valid-until")) } dd { (format.date(valid)) }
            }
            @if let Some(invoice) = doc.invoice_number {
                dt { (m.text("credits-invoice")) } dd { (invoice) }
            }
            @if let Some(reason) = doc.reason { dt { (m.text("reason")) } dd { (reason) } }
        }
    }
}

fn lines(doc: &Printable<'_>, format: &Format, m: &Messages) -> Markup {
    let currency = doc.content.currency;
    html! {
        table class="lines" {
            thead { tr {
                th scope="col" { (m.text("description")) }
                th scope="col" class="num" { (m.text("quantity")) }
                th scope="col" { (m.text("unit")) }
                th scope="col" class="num" { (m.text("unit-price")) }
                th scope="col" class="num" { (m.text("tax")) }
                th scope="col" class="num" { (m.text("net")) }
            } }
            tbody {
                @for line in &doc.content.lines { tr {
                    td { (line.description.as_str()) }
                    td class="num" { (format.quantity(line.quantity.value())) }
                    td { @if let Some(unit) = &line.unit { (unit.as_str()) } }
                    td class="num" { (format.money(line.unit_price.value(), currency)) }
                    td class="num" {
                        @if line.tax_category.charges_none() { (line.tax_category.code()) }
                        @else { (format.percent(line.tax_rate.value())) }
                    }
                    td class="num" { (format.money(line.net.value(), currency)) }
                } }
            }
        }
    }
}

fn totals(doc: &Printable<'_>, format: &Format, m: &Messages) -> Markup {
    html! {
        dl class="totals" {
            @for (label, amount, bold) in total_rows(doc, format, m) {
                @if bold {
                    dt { strong { (label) } } dd { strong { (amount) } }
                } @else {
                    dt { (label) } dd { (amount) }
                }
            }
        }
    }
}

fn closing(doc: &Printable<'_>, m: &Messages) -> Markup {
    let wording: Vec<String> = doc
        .content
        .tax_breakdown
        .iter()
        .filter_map(|tax| m.legal_wording(tax.category, tax.exemption_reason.as_deref()))
        .collect();
    html! {
        @for text in &wording { p { (text) } }
        @if let Some(notes) = &doc.content.notes {
            h2 { (m.text("notes")) }
            p class="notes" { (notes.as_str()) }
        }
    }
}

/// How to pay: the seller's account, the reference to quote, and the EPC QR code.
fn payment(doc: &Printable<'_>, m: &Messages) -> Markup {
    let reference = doc.number.and_then(reference::creditor_reference);
    let Some(bank) = &doc.seller.bank_account else {
        return html! {
            section aria-labelledby="pay" {
                h2 id="pay" { (m.text("how-to-pay")) }
                p { @match &reference {
                    Some(r) => (m.with("pay-quoting", &[("reference", &reference::grouped(r))])),
                    None => (m.text("pay-without-reference")),
                } }
            }
        };
    };
    let due = doc.due.map_or(doc.content.total.value(), |due| due.value());
    let symbol = reference
        .as_deref()
        .and_then(|reference| epc::payload(bank, doc.content.currency, due, reference))
        .and_then(|payload| epc::symbol(&payload));
    html! {
        section aria-labelledby="pay" class="payment" {
            h2 id="pay" { (m.text("pay-by-transfer")) }
            p {
                (m.with("account-holder", &[("holder", bank.holder.as_str())])) br;
                (m.with("iban", &[("iban", &bank.iban.grouped())])) br;
                @if let Some(bic) = &bank.bic { (m.with("bic", &[("bic", bic.as_str())])) br; }
                @if let Some(r) = &reference {
                    (m.with("payment-reference", &[("reference", &reference::grouped(r))]))
                }
            }
            @if let Some((dark, width)) = symbol {
                figure {
                    (qr_svg(&dark, width, &m.text("scan-to-pay")))
                    figcaption { (m.text("scan-to-pay")) }
                }
            }
        }
    }
}

/// A QR symbol as inline SVG, four modules of quiet zone on every side.
fn qr_svg(dark: &[(u16, u16)], width: u16, label: &str) -> Markup {
    let side = width + 8;
    let view_box = format!("0 0 {side} {side}");
    let mut path = String::with_capacity(dark.len() * 12);
    for (column, row) in dark {
        path.push_str(&format!("M{} {}h1v1h-1z", column + 4, row + 4));
    }
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label) viewBox=(view_box)
            width="180" height="180" shape-rendering="crispEdges" {
            rect width=(side) height=(side) fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    }
}

fn downloads(offer: &Offer<'_>, m: &Messages) -> Markup {
    html! {
        p class="downloads" {
            a href=(format!("{}/pdf", offer.base)) download { (m.text("page-download-pdf")) }
            @if offer.ubl {
                " · "
                a href=(format!("{}/ubl", offer.base)) download { (m.text("page-download-ubl")) }
            }
        }
    }
}

/// The proposal's answer: accept with a typed name, or decline with an optional reason.
fn answer(offer: &Offer<'_>, m: &Messages) -> Markup {
    html! {
        section aria-labelledby="answer" class="answer" {
            h2 id="answer" { (m.text("page-answer")) }
            form method="post" action=(format!("{}/accept", offer.base)) {
                label for="name" { (m.text("page-your-name")) }
                input id="name" name="name" type="text" required maxlength="200" autocomplete="name";
                button type="submit" { (m.text("page-accept")) }
            }
            form method="post" action=(format!("{}/decline", offer.base)) {
                label for="reason" { (m.text("page-decline-reason")) }
                textarea id="reason" name="reason" maxlength="2000" {}
                button type="submit" { (m.text("page-decline")) }
            }
        }
    }
}
