//! A document as a PDF/A-3u file: laid out into pages first (so every page can say "page N of
//! M" and the lines table can repeat its header), then drawn with krilla, which writes the
//! PDF/A structure, subsets and embeds the fonts, maps every glyph back to Unicode (so the text
//! can be searched and extracted) and embeds the e-invoice XML as an associated file.

use std::sync::Arc;

use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::{Document, SerializeSettings};
use rust_decimal::Decimal;

use super::epc;
use super::fonts::{Family, Fonts};
use super::locale::Format;
use super::messages::{Messages, messages};
use super::{Kind, Printable, ReminderSheet};
use crate::domain::reference;
use crate::domain::tax::TaxCategory;
use crate::domain::time::Timestamp;

/// A4 in points.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - 50.0;
const TOP: f32 = 60.0;
/// Where the flow stops; the page number sits below.
const BOTTOM: f32 = PAGE_HEIGHT - 70.0;
const BODY: f32 = 9.0;
const SMALL: f32 = 8.0;
const LEADING: f32 = 1.35;

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(transparent)]
    Fonts(#[from] super::fonts::FontError),
    #[error("krilla: {0}")]
    Write(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tone {
    Ink,
    Muted,
    Mark,
}

/// What is drawn: text at a baseline, or a rule.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        tone: Tone,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
    /// A QR symbol: its dark modules (column, row), each `module` points square, from the
    /// top left corner (`x`, `y`).
    Squares {
        x: f32,
        y: f32,
        module: f32,
        dark: Vec<(u16, u16)>,
    },
}

/// Lays text out into pages.
struct Composer<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Composer<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn family(&self, bold: bool) -> &'f Family {
        if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        }
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let family = self.family(bold);
        family.width(&family.printable(text), size)
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, bold: bool, tone: Tone, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = self.family(bold).printable(text).into_owned();
        self.push(Op::Text {
            x,
            y,
            size,
            bold,
            tone,
            text,
        });
    }

    /// Text ending at `right`.
    fn right_at(&mut self, right: f32, y: f32, size: f32, bold: bool, tone: Tone, text: &str) {
        let x = right - self.width(text, size, bold);
        self.text_at(x, y, size, bold, tone, text);
    }

    fn rule(&mut self, y: f32, width: f32) {
        self.push(Op::Rule {
            x1: LEFT,
            x2: RIGHT,
            y,
            width,
        });
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Room for `height` more on this page, or a new page.
    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// `text` broken into lines no wider than `width`: at its own line breaks, then between
    /// words, and inside a word only when the word alone is too wide.
    fn wrap(&self, text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut where it overflows.
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size, bold) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// A paragraph in the flow, from `x`, wrapped to `width`.
    fn paragraph(&mut self, x: f32, width: f32, size: f32, bold: bool, tone: Tone, text: &str) {
        for line in self.wrap(text, width, size, bold) {
            self.ensure(size * LEADING);
            self.y += size * LEADING;
            let y = self.y;
            self.text_at(x, y, size, bold, tone, &line);
        }
    }
}

/// The lines table's columns: where each starts (or, for numbers, ends).
struct Columns;

impl Columns {
    const DESCRIPTION: f32 = LEFT;
    const DESCRIPTION_WIDTH: f32 = 180.0;
    const QUANTITY_END: f32 = 272.0;
    const UNIT: f32 = 278.0;
    const UNIT_WIDTH: f32 = 38.0;
    const PRICE_END: f32 = 378.0;
    const DISCOUNT_END: f32 = 428.0;
    const TAX_END: f32 = 468.0;
    const NET_END: f32 = RIGHT;
}

fn title(kind: Kind, m: &Messages) -> String {
    m.text(match kind {
        Kind::Invoice => "invoice",
        Kind::CreditNote => "credit-note",
        Kind::Proposal => "proposal",
        Kind::Reminder => "reminder",
    })
}

/// The height [`table_header`] takes.
const TABLE_HEADER: f32 = SMALL * 2.2 + 4.0;

fn table_header(c: &mut Composer<'_>, m: &Messages) {
    c.y += SMALL * 2.2;
    let y = c.y;
    let tone = Tone::Muted;
    c.text_at(
        Columns::DESCRIPTION,
        y,
        SMALL,
        true,
        tone,
        &m.text("description"),
    );
    c.right_at(
        Columns::QUANTITY_END,
        y,
        SMALL,
        true,
        tone,
        &m.text("quantity"),
    );
    c.text_at(Columns::UNIT, y, SMALL, true, tone, &m.text("unit"));
    c.right_at(
        Columns::PRICE_END,
        y,
        SMALL,
        true,
        tone,
        &m.text("unit-price"),
    );
    c.right_at(
        Columns::DISCOUNT_END,
        y,
        SMALL,
        true,
        tone,
        &m.text("discount"),
    );
    c.right_at(Columns::TAX_END, y, SMALL, true, tone, &m.text("tax"));
    c.right_at(Columns::NET_END, y, SMALL, true, tone, &m.text("net"));
    c.y += 4.0;
    let y = c.y;
    c.rule(y, 0.6);
}

/// The seller's, the buyer's and the document's blocks at the top of the first page.
fn heading(c: &mut Composer<'_>, doc: &Printable<'_>, format: &Format, m: &Messages) {
    let seller = doc.seller;
    let start = c.y;
    c.text_at(LEFT, c.y, 13.0, true, Tone::Ink, seller.legal_name.as_str());
    c.y += 4.0;
    let mut lines = Vec::new();
    if let Some(address) = &seller.address {
        lines.extend(address_lines(address, m));
    }
    if let Some(tax_id) = &seller.tax_id {
        lines.push(m.with("tax-id", &[("id", tax_id.as_str())]));
    }
    if let Some(number) = &seller.registration_number {
        lines.push(m.with("registration", &[("number", number.as_str())]));
    }
    lines.extend(seller.email.iter().map(ToString::to_string));
    lines.extend(seller.phone.iter().map(ToString::to_string));
    lines.extend(seller.website.iter().map(ToString::to_string));
    for line in lines {
        c.paragraph(LEFT, 260.0, SMALL, false, Tone::Ink, &line);
    }
    let left_end = c.y;

    // The document's own block, right-aligned.
    let mut y = start + 6.0;
    c.right_at(RIGHT, y, 20.0, true, Tone::Ink, &title(doc.kind, m));
    y += 20.0;
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut fact = |id: &str, value: String| facts.push((m.text(id), value));
    if doc.kind == Kind::Reminder {
        fact("reminder-date", format.date(doc.issue_date));
        if let Some(number) = doc.number {
            fact("invoice-number", number.to_owned());
        }
        if let Some(due) = doc.due_date {
            fact("due-date", format.date(due));
        }
    }
    let particulars = &doc.content.particulars;
    let facts_of_document = doc.kind != Kind::Reminder;
    if let Some(number) = doc.number.filter(|_| facts_of_document) {
        fact("number", number.to_owned());
    }
    if facts_of_document {
        fact("issue-date", format.date(doc.issue_date));
    }
    if let Some(due) = doc.due_date.filter(|_| facts_of_document) {
        fact("due-date", format.date(due));
    }
    if let Some(valid_until) = doc.valid_until {
        fact("valid-until", format.date(valid_until));
    }
    if let Some(invoice) = doc.invoice_number {
        fact("credits-invoice", invoice.to_owned());
    }
    if let Some(date) = particulars.supply_date.filter(|_| facts_of_document) {
        fact("supply-date", format.date(date));
    }
    if let Some(period) = particulars.supply_period.filter(|_| facts_of_document) {
        let dates = format!(
            "{} – {}",
            format.date(period.start),
            format.date(period.end)
        );
        fact("service-period", dates);
    }
    if let Some(reference) = &particulars.buyer_reference {
        fact("your-reference", reference.to_string());
    }
    if let Some(order) = &particulars.order_reference {
        fact("your-order", order.to_string());
    }
    for (label, value) in facts {
        y += BODY * LEADING;
        let value_width = c.width(&value, BODY, true).max(90.0);
        c.right_at(
            RIGHT - value_width - 8.0,
            y,
            BODY,
            false,
            Tone::Muted,
            &label,
        );
        c.right_at(RIGHT, y, BODY, true, Tone::Ink, &value);
    }
    c.y = left_end.max(y) + 22.0;

    // The buyer.
    c.text_at(LEFT, c.y, SMALL, true, Tone::Muted, &m.text("bill-to"));
    match doc.buyer {
        Some(buyer) => {
            for line in buyer.name.as_str().lines() {
                c.paragraph(LEFT, 260.0, BODY, true, Tone::Ink, line);
            }
            let mut lines = Vec::new();
            if let Some(address) = &buyer.billing_address {
                lines.extend(address_lines(address, m));
            }
            if let Some(tax_id) = &buyer.tax_id {
                lines.push(m.with("tax-id", &[("id", tax_id.as_str())]));
            }
            lines.extend(buyer.email.iter().map(ToString::to_string));
            for line in lines {
                c.paragraph(LEFT, 260.0, BODY, false, Tone::Ink, &line);
            }
        }
        None => c.paragraph(
            LEFT,
            260.0,
            BODY,
            false,
            Tone::Muted,
            &m.text("no-customer"),
        ),
    }
    if let Some(address) = &doc.content.particulars.delivery_address {
        c.y += 6.0;
        c.text_at(LEFT, c.y, SMALL, true, Tone::Muted, &m.text("deliver-to"));
        for line in address_lines(address, m) {
            c.paragraph(LEFT, 260.0, BODY, false, Tone::Ink, &line);
        }
    }
    if let Some(reason) = doc.reason {
        c.y += 8.0;
        c.paragraph(LEFT, RIGHT - LEFT, BODY, true, Tone::Ink, &m.text("reason"));
        c.paragraph(LEFT, RIGHT - LEFT, BODY, false, Tone::Ink, reason);
    }
    c.y += 10.0;
}

/// An address as a letter shows it, the country named in the reader's language.
pub(crate) fn address_lines(address: &crate::domain::values::Address, m: &Messages) -> Vec<String> {
    let mut lines: Vec<String> = address
        .lines
        .lines()
        .iter()
        .map(ToString::to_string)
        .collect();
    let place = [
        address.postal_code.as_ref().map(ToString::to_string),
        address.city.as_ref().map(ToString::to_string),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    if !place.is_empty() {
        lines.push(place);
    }
    if let Some(region) = &address.region {
        lines.push(region.to_string());
    }
    lines.push(m.country(address.country.as_str()));
    lines
}

fn lines_table(c: &mut Composer<'_>, doc: &Printable<'_>, format: &Format, m: &Messages) {
    let content = doc.content;
    let currency = content.currency;
    table_header(c, m);
    for line in &content.lines {
        let description = c.wrap(
            line.description.as_str(),
            Columns::DESCRIPTION_WIDTH,
            BODY,
            false,
        );
        let unit = line
            .unit
            .as_ref()
            .map(|u| c.wrap(u.as_str(), Columns::UNIT_WIDTH, SMALL, false))
            .unwrap_or_default();
        let rows = description.len().max(unit.len()).max(1);
        let row = BODY * LEADING;
        let height = rows as f32 * row + 3.0;
        // A row that fits a page starts on one that has room for all of it; a taller one
        // (a description of many paragraphs) flows on, the header repeated on each new page.
        let fits = height <= BOTTOM - TOP - TABLE_HEADER;
        if c.ensure(if fits { height } else { row * 2.0 }) {
            table_header(c, m);
        }
        let top = c.y + row;
        for index in 0..rows {
            if index > 0 && c.y + row > BOTTOM {
                c.new_page();
                table_header(c, m);
            }
            let y = c.y + row;
            if let Some(text) = description.get(index) {
                c.text_at(Columns::DESCRIPTION, y, BODY, false, Tone::Ink, text);
            }
            if let Some(text) = unit.get(index) {
                c.text_at(Columns::UNIT, y, SMALL, false, Tone::Ink, text);
            }
            c.y += row;
        }
        c.y += 3.0;
        let quantity = format.quantity(line.quantity.value());
        c.right_at(
            Columns::QUANTITY_END,
            top,
            BODY,
            false,
            Tone::Ink,
            &quantity,
        );
        let price = format.money(line.unit_price.value(), currency);
        c.right_at(Columns::PRICE_END, top, BODY, false, Tone::Ink, &price);
        let discount = match (line.discount_percent, line.discount_amount) {
            (Some(percent), _) => format.percent(percent.value()),
            (None, Some(amount)) => format.money(amount.value(), currency),
            (None, None) => String::new(),
        };
        c.right_at(
            Columns::DISCOUNT_END,
            top,
            BODY,
            false,
            Tone::Ink,
            &discount,
        );
        let rate = if line.tax_category.charges_none() {
            line.tax_category.code().to_owned()
        } else {
            format.percent(line.tax_rate.value())
        };
        c.right_at(Columns::TAX_END, top, BODY, false, Tone::Ink, &rate);
        let net = format.money(line.net.value(), currency);
        c.right_at(Columns::NET_END, top, BODY, false, Tone::Ink, &net);
    }
    let y = c.y + 2.0;
    c.rule(y, 0.6);
    c.y += 4.0;
}

/// The totals block's rows, as the PDF and the document's page show them: label, amount, and
/// whether the row stands out (the total, the amount due).
pub(crate) fn total_rows(
    doc: &Printable<'_>,
    format: &Format,
    m: &Messages,
) -> Vec<(String, String, bool)> {
    let content = doc.content;
    let currency = content.currency;
    let money = |value: Decimal| format.money(value, currency);
    let mut rows: Vec<(String, String, bool)> =
        vec![(m.text("subtotal"), money(content.net_total.value()), false)];
    if !content.discount_total.value().is_zero() {
        let label = match content.discount_percent {
            Some(percent) => m.with(
                "discount-percent",
                &[("percent", &format.percent(percent.value()))],
            ),
            None => m.text("discount"),
        };
        rows.push((
            label,
            format!("-{}", money(content.discount_total.value())),
            false,
        ));
    }
    // A document on which no line is taxed (a small enterprise's, every line exempt) shows no
    // VAT amount at all: its legal sentence says why.
    let untaxed = content
        .lines
        .iter()
        .all(|line| line.tax_category == TaxCategory::Exempt);
    for tax in content.tax_breakdown.iter().filter(|_| !untaxed) {
        let base = money(tax.base.value());
        let label = match tax.category {
            TaxCategory::Standard | TaxCategory::ZeroRated => m.with(
                "tax-on",
                &[("rate", &format.percent(tax.rate.value())), ("base", &base)],
            ),
            TaxCategory::Exempt => m.with("exempt-on", &[("base", &base)]),
            TaxCategory::ReverseCharge => m.with("reverse-charge-on", &[("base", &base)]),
            TaxCategory::IntraCommunity => m.with("intra-community-on", &[("base", &base)]),
            TaxCategory::Export => m.with("export-on", &[("base", &base)]),
            TaxCategory::NotSubject => m.with("not-subject-on", &[("base", &base)]),
        };
        rows.push((label, money(tax.tax.value()), false));
    }
    if content.tax_breakdown.len() > 1 && !untaxed {
        rows.push((m.text("tax"), money(content.tax_total.value()), false));
    }
    rows.push((m.text("total"), money(content.total.value()), true));
    if let (Some(paid), Some(due)) = (doc.paid, doc.due) {
        rows.push((m.text("amount-paid"), money(paid.value()), false));
        rows.push((m.text("amount-due"), money(due.value()), true));
    }
    rows
}

fn totals(c: &mut Composer<'_>, doc: &Printable<'_>, format: &Format, m: &Messages) {
    let rows = total_rows(doc, format, m);
    let height = rows.len() as f32 * BODY * LEADING * 1.2 + 10.0;
    c.ensure(height);
    for (label, value, bold) in rows {
        c.y += BODY * LEADING * 1.2;
        let y = c.y;
        c.right_at(Columns::DISCOUNT_END, y, BODY, bold, Tone::Ink, &label);
        c.right_at(RIGHT, y, BODY, bold, Tone::Ink, &value);
    }
    c.y += 14.0;
}

/// The dark modules of a QR symbol as runs along its rows: (column, row, length).
fn runs(dark: &[(u16, u16)]) -> Vec<(u16, u16, u16)> {
    let mut sorted = dark.to_vec();
    sorted.sort_by_key(|(column, row)| (*row, *column));
    let mut runs: Vec<(u16, u16, u16)> = Vec::new();
    for (column, row) in sorted {
        match runs.last_mut() {
            Some((start, on, length)) if *on == row && *start + *length == column => *length += 1,
            _ => runs.push((column, row, 1)),
        }
    }
    runs
}

/// The side of the payment QR code, quiet zone included (about 32 mm).
const QR_SIDE: f32 = 90.0;

/// How to pay an invoice: the seller's account and the creditor reference to quote, and an EPC
/// QR code of the transfer where the standard can carry it (EUR, up to 999,999,999.99);
/// without an account, what to quote and whom to ask.
fn payment(c: &mut Composer<'_>, doc: &Printable<'_>, m: &Messages) {
    let width = RIGHT - LEFT;
    let reference = doc.number.and_then(reference::creditor_reference);
    let Some(bank) = &doc.seller.bank_account else {
        c.ensure(BODY * LEADING * 4.0);
        c.paragraph(LEFT, width, BODY, true, Tone::Ink, &m.text("how-to-pay"));
        let mut text = match &reference {
            Some(reference) => m.with(
                "pay-quoting",
                &[("reference", &reference::grouped(reference))],
            ),
            None => m.text("pay-without-reference"),
        };
        if let Some(email) = &doc.seller.email {
            text.push(' ');
            text.push_str(&m.with("ask-for-account", &[("email", email.as_str())]));
        }
        c.paragraph(LEFT, width, BODY, false, Tone::Ink, &text);
        c.y += 8.0;
        return;
    };
    let due = doc.due.map_or(doc.content.total.value(), |due| due.value());
    let symbol = reference
        .as_deref()
        .and_then(|reference| epc::payload(bank, doc.content.currency, due, reference))
        .and_then(|payload| epc::symbol(&payload));
    let block = if symbol.is_some() {
        QR_SIDE + 14.0
    } else {
        BODY * LEADING * 6.0
    };
    c.ensure(block);
    let top = c.y;
    let text_width = if symbol.is_some() {
        width - QR_SIDE - 12.0
    } else {
        width
    };
    c.paragraph(
        LEFT,
        text_width,
        BODY,
        true,
        Tone::Ink,
        &m.text("pay-by-transfer"),
    );
    let lines = [
        Some(m.with("account-holder", &[("holder", bank.holder.as_str())])),
        Some(m.with("iban", &[("iban", &bank.iban.grouped())])),
        bank.bic
            .as_ref()
            .map(|bic| m.with("bic", &[("bic", bic.as_str())])),
        reference.as_deref().map(|reference| {
            m.with(
                "payment-reference",
                &[("reference", &reference::grouped(reference))],
            )
        }),
    ];
    for line in lines.iter().flatten() {
        c.paragraph(LEFT, text_width, BODY, false, Tone::Ink, line);
    }
    match symbol {
        Some((dark, modules)) => {
            // Four modules of quiet zone on every side (ISO/IEC 18004).
            let module = QR_SIDE / f32::from(modules + 8);
            c.push(Op::Squares {
                x: RIGHT - QR_SIDE + 4.0 * module,
                y: top + 4.0 * module,
                module,
                dark,
            });
            let caption = m.text("scan-to-pay");
            c.right_at(
                RIGHT,
                top + QR_SIDE + 4.0,
                SMALL,
                false,
                Tone::Muted,
                &caption,
            );
            c.y = c.y.max(top + QR_SIDE + 10.0);
        }
        None if doc.content.currency.code() == "EUR" => {}
        None => {
            let text = m.text("quote-reference");
            c.paragraph(LEFT, text_width, BODY, false, Tone::Muted, &text);
        }
    }
    c.y += 8.0;
}

fn closing(c: &mut Composer<'_>, doc: &Printable<'_>, m: &Messages) {
    let width = RIGHT - LEFT;
    let wording: Vec<String> = doc
        .content
        .tax_breakdown
        .iter()
        .filter_map(|tax| m.legal_wording(tax.category, tax.exemption_reason.as_deref()))
        .collect();
    for text in &wording {
        c.ensure(BODY * LEADING * 2.0);
        c.paragraph(LEFT, width, BODY, false, Tone::Ink, text);
    }
    if !wording.is_empty() {
        c.y += 8.0;
    }
    if let Some(notes) = &doc.content.notes {
        c.ensure(BODY * LEADING * 3.0);
        c.paragraph(LEFT, width, BODY, true, Tone::Ink, &m.text("notes"));
        c.paragraph(LEFT, width, BODY, false, Tone::Ink, notes.as_str());
        c.y += 8.0;
    }
    if doc.kind == Kind::Invoice {
        payment(c, doc, m);
    }
    if let Some(footer) = &doc.content.footer {
        c.ensure(SMALL * LEADING * 2.0);
        c.paragraph(LEFT, width, SMALL, false, Tone::Muted, footer.as_str());
    }
}

/// The language the document is written in, and the locale its numbers and dates follow: the
/// buyer's language (the account's locale when it is the same language, so a Swiss account
/// writes 1'234.50 to its German customers), else the account's locale.
pub(crate) fn reading<'a>(doc: &Printable<'a>) -> (&'a str, &'a str) {
    let account = doc.locale;
    let account_language = account.split(['-', '_']).next().unwrap_or_default();
    match doc.buyer.and_then(|buyer| buyer.language.as_ref()) {
        Some(language) if language.as_str() != account_language => {
            (language.as_str(), language.as_str())
        }
        _ => (account_language, account),
    }
}

/// The pages of `doc`, each a list of what to draw.
fn compose(doc: &Printable<'_>, fonts: &Fonts) -> Vec<Vec<Op>> {
    let (language, locale) = reading(doc);
    let format = Format::of(locale);
    let mut c = Composer::new(fonts);
    let m = messages(language);
    heading(&mut c, doc, &format, m);
    lines_table(&mut c, doc, &format, m);
    totals(&mut c, doc, &format, m);
    closing(&mut c, doc, m);
    footers(c.pages, doc, fonts, m)
}

/// A reminder's pages: the invoice it is about, what is claimed, and how to pay it.
fn compose_reminder(doc: &Printable<'_>, sheet: &ReminderSheet<'_>, fonts: &Fonts) -> Vec<Vec<Op>> {
    let (language, locale) = reading(doc);
    let format = Format::of(locale);
    let mut c = Composer::new(fonts);
    let m = messages(language);
    heading(&mut c, doc, &format, m);
    let width = RIGHT - LEFT;
    let number = doc.number.unwrap_or_default();
    c.paragraph(
        LEFT,
        width,
        BODY,
        true,
        Tone::Ink,
        &m.with("reminder-stage", &[("stage", &sheet.stage.to_string())]),
    );
    let text = match sheet.message {
        Some(message) => message.to_owned(),
        None => m.with(
            "reminder-text",
            &[
                ("number", number),
                ("date", &format.date(sheet.invoice_date)),
                (
                    "due",
                    &doc.due_date.map(|d| format.date(d)).unwrap_or_default(),
                ),
            ],
        ),
    };
    c.paragraph(LEFT, width, BODY, false, Tone::Ink, &text);
    c.y += 10.0;
    let currency = doc.content.currency;
    let money = |value: Decimal| format.money(value, currency);
    let charges = sheet.charges;
    let amount_due = charges.total.value()
        - charges.fees.value()
        - charges.interest.value()
        - charges.compensation.value();
    let mut rows: Vec<(String, String, bool)> = vec![
        (
            m.text("reminder-days-overdue"),
            charges.days_overdue.to_string(),
            false,
        ),
        (
            m.with("reminder-amount-due", &[("number", number)]),
            money(amount_due),
            false,
        ),
    ];
    if !charges.fees.value().is_zero() {
        rows.push((m.text("reminder-fees"), money(charges.fees.value()), false));
    }
    if let Some(rate) = sheet
        .interest_percent
        .filter(|_| !charges.interest.value().is_zero())
    {
        let label = m.with(
            "reminder-interest",
            &[
                ("rate", &format.percent(rate)),
                ("days", &charges.days_overdue.to_string()),
            ],
        );
        rows.push((label, money(charges.interest.value()), false));
    }
    if !charges.compensation.value().is_zero() {
        rows.push((
            m.text("reminder-compensation"),
            money(charges.compensation.value()),
            false,
        ));
    }
    rows.push((m.text("reminder-total"), money(charges.total.value()), true));
    c.ensure(rows.len() as f32 * BODY * LEADING * 1.2 + 10.0);
    for (label, value, bold) in rows {
        c.y += BODY * LEADING * 1.2;
        let y = c.y;
        c.text_at(LEFT, y, BODY, bold, Tone::Ink, &label);
        c.right_at(RIGHT, y, BODY, bold, Tone::Ink, &value);
    }
    c.y += 14.0;
    payment(&mut c, doc, m);
    if let Some(footer) = &doc.content.footer {
        c.ensure(SMALL * LEADING * 2.0);
        c.paragraph(LEFT, width, SMALL, false, Tone::Muted, footer.as_str());
    }
    footers(c.pages, doc, fonts, m)
}

/// `pages` with each page's footer (its number of all, the document's number) and mark.
fn footers(
    mut pages: Vec<Vec<Op>>,
    doc: &Printable<'_>,
    fonts: &Fonts,
    m: &Messages,
) -> Vec<Vec<Op>> {
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let label = m.with(
            "page-of",
            &[
                ("page", &(index + 1).to_string()),
                ("pages", &count.to_string()),
            ],
        );
        let x = RIGHT - fonts.regular.width(&label, SMALL);
        page.push(Op::Text {
            x,
            y: PAGE_HEIGHT - 40.0,
            size: SMALL,
            bold: false,
            tone: Tone::Muted,
            text: label,
        });
        if let Some(number) = doc.number {
            page.push(Op::Text {
                x: LEFT,
                y: PAGE_HEIGHT - 40.0,
                size: SMALL,
                bold: false,
                tone: Tone::Muted,
                text: format!("{} {number}", title(doc.kind, m)),
            });
        }
        if let Some(mark) = doc.mark {
            let mark = match mark {
                "DRAFT" => m.text("mark-draft"),
                "VOID" => m.text("mark-void"),
                other => other.to_owned(),
            };
            // Above the heading, across the top margin.
            let x = (PAGE_WIDTH - fonts.bold.width(&mark, 24.0)) / 2.0;
            page.push(Op::Text {
                x,
                y: 34.0,
                size: 24.0,
                bold: true,
                tone: Tone::Mark,
                text: mark,
            });
        }
    }
    pages
}

fn krilla_date(at: Timestamp) -> DateTime {
    let (year, month, day, hour, minute, second) = at.utc_parts();
    DateTime::new(year)
        .month(month)
        .day(day)
        .hour(hour)
        .minute(minute)
        .second(second)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn colour(tone: Tone) -> rgb::Color {
    match tone {
        Tone::Ink => rgb::Color::new(20, 20, 20),
        Tone::Muted => rgb::Color::new(100, 100, 100),
        Tone::Mark => rgb::Color::new(200, 40, 40),
    }
}

/// The PDF/A-3u file of `doc`, with `attachment` (the CII XML) embedded as `factur-x.xml`.
pub fn pdf(doc: &Printable<'_>, attachment: Option<Vec<u8>>) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get()?;
    write(doc, compose(doc, fonts), fonts, attachment)
}

/// The PDF/A-3u payment reminder `sheet` about the invoice `doc` (its kind
/// [`Kind::Reminder`], dated the reminder's date, its amount due the total claimed, so the
/// payment code asks for that).
pub fn reminder(doc: &Printable<'_>, sheet: &ReminderSheet<'_>) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get()?;
    write(doc, compose_reminder(doc, sheet, fonts), fonts, None)
}

/// `pages` drawn into a PDF/A-3u file of `doc`, with `attachment` embedded.
fn write(
    doc: &Printable<'_>,
    pages: Vec<Vec<Op>>,
    fonts: &Fonts,
    attachment: Option<Vec<u8>>,
) -> Result<Vec<u8>, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_U)
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PdfError::Write("page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    tone,
                    text,
                } => {
                    surface.set_fill(Some(Fill {
                        paint: colour(tone).into(),
                        ..Fill::default()
                    }));
                    let family = if bold { &fonts.bold } else { &fonts.regular };
                    let mut x = x;
                    for run in family.runs(&text) {
                        surface.draw_glyphs(
                            Point::from_xy(x, y),
                            &run.glyphs,
                            run.font.clone(),
                            run.text,
                            size,
                            false,
                        );
                        x += run.ems * size;
                    }
                }
                Op::Squares { x, y, module, dark } => {
                    let mut path = PathBuilder::new();
                    // One rectangle per run of dark modules in a row: a third of the path.
                    for (column, row, length) in runs(&dark) {
                        if let Some(run) = Rect::from_xywh(
                            x + f32::from(column) * module,
                            y + f32::from(row) * module,
                            f32::from(length) * module,
                            module,
                        ) {
                            path.push_rect(run);
                        }
                    }
                    if let Some(path) = path.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: colour(Tone::Ink).into(),
                            ..Fill::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Rule { x1, x2, y, width } => {
                    let mut path = PathBuilder::new();
                    path.move_to(x1, y);
                    path.line_to(x2, y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: colour(Tone::Muted).into(),
                            width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    let date = krilla_date(doc.created);
    let m = messages(reading(doc).0);
    let name = match doc.number {
        Some(number) => format!("{} {number}", title(doc.kind, m)),
        None => format!("{} ({})", title(doc.kind, m), m.text("mark-draft")),
    };
    document.set_metadata(
        Metadata::new()
            .title(name)
            .creator("InvoiceFlow".to_owned())
            .authors(vec![doc.seller.legal_name.to_string()])
            .language(reading(doc).1.to_owned())
            .creation_date(date),
    );
    let factur_x = attachment.is_some();
    if let Some(xml) = attachment {
        document.embed_file(EmbeddedFile {
            path: FACTUR_X_FILE.to_owned(),
            mime_type: MimeType::new("text/xml"),
            description: Some("Factur-X / ZUGFeRD invoice data (EN 16931)".to_owned()),
            association_kind: AssociationKind::Alternative,
            data: Arc::new(xml).into(),
            modification_date: Some(date),
            compress: Some(true),
            location: None,
        });
    }
    let pdf = document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    if factur_x {
        with_factur_x_metadata(pdf)
    } else {
        Ok(pdf)
    }
}

/// The name Factur-X gives the embedded XML.
const FACTUR_X_FILE: &str = "factur-x.xml";

/// The XMP a Factur-X file declares itself with (Factur-X 1.0, §6.2.2): its document type, the
/// embedded file's name, the version and the profile, and the PDF/A extension schema that
/// defines those properties.
const FACTUR_X_XMP: &str = r#"<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
<fx:DocumentType>INVOICE</fx:DocumentType>
<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
<fx:Version>1.0</fx:Version>
<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>fx</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The name of the embedded XML invoice file</pdfaProperty:description></rdf:li>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>INVOICE</pdfaProperty:description></rdf:li>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The version of the Factur-X XML schema</pdfaProperty:description></rdf:li>
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The conformance level of the embedded XML</pdfaProperty:description></rdf:li>
</rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"#;

/// `pdf` with its XMP metadata replaced by the same XMP plus [`FACTUR_X_XMP`], written as an
/// incremental update (PDF 1.7 §7.5.6, allowed by PDF/A-3): the metadata stream is the one the
/// document catalog's `/Metadata` names, found through the trailer's `/Root` and the
/// cross-reference table as any reader finds it (lopdf), and it is written again as a new
/// revision of that object, with a cross-reference section and a trailer whose `/Prev` points
/// at krilla's. krilla has no way to add an XMP schema of one's own; the rest of the file is
/// krilla's, untouched.
fn with_factur_x_metadata(pdf: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let broken = |what: &str| PdfError::Write(format!("Factur-X metadata: {what}"));
    let document = lopdf::Document::load_mem(&pdf).map_err(|e| broken(&e.to_string()))?;
    let metadata = document
        .catalog()
        .and_then(|catalog| catalog.get(b"Metadata"))
        .and_then(lopdf::Object::as_reference)
        .map_err(|_| broken("the catalog names no /Metadata"))?;
    let mut stream = document
        .get_object(metadata)
        .and_then(lopdf::Object::as_stream)
        .map_err(|_| broken("/Metadata is not a stream"))?
        .clone();
    let xmp = stream
        .get_plain_content()
        .map_err(|e| broken(&e.to_string()))?;
    let xmp = String::from_utf8(xmp).map_err(|_| broken("XMP is not UTF-8"))?;
    let close = xmp
        .rfind("</rdf:RDF>")
        .ok_or_else(|| broken("no rdf:RDF"))?;
    let xmp = format!("{}{FACTUR_X_XMP}{}", &xmp[..close], &xmp[close..]);
    // PDF/A: the metadata stays uncompressed, readable by a tool that does not inflate.
    stream.set_plain_content(xmp.into_bytes());
    let version = document.version.clone();
    let mut update = lopdf::IncrementalDocument::create_from(pdf, document);
    update.new_document.version = version;
    update
        .new_document
        .set_object(metadata, lopdf::Object::Stream(stream));
    let mut out = Vec::new();
    update
        .save_to(&mut out)
        .map_err(|e| broken(&e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small PDF whose first stream is an XMP packet nothing points at, and whose catalog's
    /// `/Metadata` (if `named`) is a second one.
    fn pdf_with_a_decoy_packet(named: bool) -> Vec<u8> {
        use lopdf::{Dictionary, Object, Stream};
        let packet = |title: &str| {
            format!(
                "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\">{title}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
            )
            .into_bytes()
        };
        let mut document = lopdf::Document::with_version("1.7");
        let metadata_dict = || {
            let mut dict = Dictionary::new();
            dict.set("Type", Object::Name(b"Metadata".to_vec()));
            dict.set("Subtype", Object::Name(b"XML".to_vec()));
            dict
        };
        document.add_object(Stream::new(metadata_dict(), packet("decoy")));
        let metadata = document.add_object(Stream::new(metadata_dict(), packet("named")));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        if named {
            catalog.set("Metadata", Object::Reference(metadata));
        }
        let catalog = document.add_object(catalog);
        document.trailer.set("Root", Object::Reference(catalog));
        let mut out = Vec::new();
        document.save_to(&mut out).expect("a PDF");
        out
    }

    #[test]
    fn the_factur_x_schema_goes_into_the_metadata_the_catalog_names_and_nowhere_else() {
        let updated = with_factur_x_metadata(pdf_with_a_decoy_packet(true)).expect("updated");
        let document = lopdf::Document::load_mem(&updated).expect("still a PDF");
        let named = document
            .catalog()
            .and_then(|catalog| catalog.get(b"Metadata"))
            .and_then(lopdf::Object::as_reference)
            .and_then(|id| document.get_object(id))
            .and_then(lopdf::Object::as_stream)
            .expect("the catalog's metadata");
        let xmp = String::from_utf8(named.content.clone()).expect("UTF-8");
        assert!(xmp.contains("named") && xmp.contains("urn:factur-x:pdfa:CrossIndustryDocument"));
        let decoy = document
            .get_object((1, 0))
            .and_then(lopdf::Object::as_stream)
            .expect("the decoy");
        let decoy = String::from_utf8(decoy.content.clone()).expect("UTF-8");
        assert!(
            decoy.contains("decoy") && !decoy.contains("factur-x"),
            "{decoy}"
        );
        // An incremental update: the original bytes come first, unchanged.
        let original = pdf_with_a_decoy_packet(true);
        assert_eq!(&updated[..original.len()], original.as_slice());
    }

    #[test]
    fn a_pdf_whose_catalog_names_no_metadata_is_refused_though_it_holds_a_packet() {
        let refused = with_factur_x_metadata(pdf_with_a_decoy_packet(false));
        assert!(
            matches!(&refused, Err(PdfError::Write(why)) if why.contains("/Metadata")),
            "{refused:?}"
        );
    }

    #[test]
    fn dark_modules_are_drawn_as_runs_along_their_rows() {
        let dark = [(3, 0), (0, 0), (1, 0), (2, 1), (4, 0), (3, 1)];
        assert_eq!(runs(&dark), [(0, 0, 2), (3, 0, 2), (2, 1, 2)]);
        assert_eq!(runs(&[]), []);
    }
}
