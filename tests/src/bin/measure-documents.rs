//! `make measure-documents`: the time to make an invoice's PDF (with its CII XML embedded) and
//! its UBL file, for 500 lines against 1 line (the floor: fonts, page, PDF/A structure) in
//! the same run, and the process's peak resident memory (`VmHWM`) before and after the
//! 500-line PDF. Release build, in process, no AWS: only the rendering the `documents`
//! function adds to a request. With a directory as its argument it also writes the two PDFs
//! there (`invoice-1.pdf`, `invoice-500.pdf`), to look at.

use std::time::Instant;

use anyhow::Context as _;
use invoiceflow::domain::document::{Buyer, Content, Line, Seller, price_lines};
use invoiceflow::domain::values::Currency;
use invoiceflow::render::{Kind, Printable, einvoice, pdf};
use invoiceflow_tests::status_kib;
use serde_json::json;

const RUNS: usize = 15;

fn content(lines: usize) -> anyhow::Result<Content> {
    let currency = Currency::parse("EUR").map_err(|e| anyhow::anyhow!(e))?;
    let lines: Vec<Line> = (1..=lines)
        .map(|n| {
            serde_json::from_value(json!({
                "service_id": null,
                "description": format!("Beratung und Umsetzung, Arbeitspaket {n:03} (Łódź / Ελλάδα)"),
                "quantity": "1.5",
                "unit": "hours",
                "unit_price": "96.50",
                "discount_percent": if n % 7 == 0 { json!("10") } else { json!(null) },
                "discount_amount": null,
                "tax_rate": if n % 3 == 0 { "7" } else { "19" },
                "net": "0.00",
            }))
        })
        .collect::<Result<_, _>>()?;
    let (lines, amounts) =
        price_lines(lines, currency, false, None).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(Content {
        customer_id: None,
        customer_name: None,
        currency,
        notes: serde_json::from_value(json!("Vielen Dank für Ihren Auftrag."))?,
        footer: None,
        discount_percent: None,
        prices_include_tax: false,
        particulars: Default::default(),
        lines,
        net_total: amounts.net_total,
        discount_total: amounts.discount_total,
        tax_breakdown: amounts.tax_breakdown,
        tax_total: amounts.tax_total,
        total: amounts.total,
    })
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let seller: Seller = serde_json::from_value(json!({
        "legal_name": "Ölçü Atelier GmbH",
        "address": {"lines": ["Torstraße 1"], "city": "Berlin", "postal_code": "10119", "country": "DE"},
        "tax_id": "DE987654321",
        "email": "rechnung@atelier.example",
        "bank_account": {"holder": "Ölçü Atelier GmbH", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    }))?;
    let buyer: Buyer = serde_json::from_value(json!({
        "name": "Kunde Sp. z o.o.",
        "billing_address": {"lines": ["ul. Piotrkowska 1"], "city": "Łódź", "postal_code": "90-001", "country": "PL"},
        "tax_id": "PL1234567890",
        "email": null,
    }))?;
    let date = invoiceflow::domain::time::Date::parse("2026-11-25").context("date")?;
    let created = invoiceflow::domain::Timestamp::parse("2026-11-25T10:00:00Z").context("time")?;
    println!("documents: median of {RUNS} runs, release build, in process");
    // Without the company's bank account, no payment QR code is drawn: the last row is the same
    // 500 lines without one, so the code's own cost is the difference beside it.
    let unbanked = Seller {
        bank_account: None,
        ..seller.clone()
    };
    println!("lines  qr  pdf_ms  ubl_ms  pdf_bytes  pages  ratio_to_1_line");
    let mut floor = None;
    for (lines, with_qr) in [(1usize, true), (500, true), (500, false)] {
        let content = content(lines)?;
        let seller = if with_qr { &seller } else { &unbanked };
        let printable = Printable {
            kind: Kind::Invoice,
            number: Some("INV-2026-0001"),
            mark: None,
            issue_date: date,
            due_date: Some(date.plus_days(30)),
            valid_until: None,
            invoice_number: None,
            reason: None,
            content: &content,
            seller,
            buyer: Some(&buyer),
            paid: None,
            due: None,
            locale: "de-DE",
            created,
        };
        let notes = printable.notes();
        let bill = printable.bill(&notes).context("an e-invoice")?;
        let before = status_kib("VmHWM:")?;
        let mut pdf_ms = Vec::new();
        let mut ubl_ms = Vec::new();
        let mut file = Vec::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            file = pdf::pdf(&printable, Some(einvoice::cii(&bill)))?;
            pdf_ms.push(start.elapsed().as_secs_f64() * 1000.0);
            let start = Instant::now();
            let ubl = einvoice::ubl(&bill);
            ubl_ms.push(start.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(!ubl.is_empty());
        }
        let after = status_kib("VmHWM:")?;
        if let Some(dir) = std::env::args().nth(1) {
            std::fs::write(format!("{dir}/invoice-{lines}-qr-{with_qr}.pdf"), &file)?;
        }
        // Each page object is `/Type/Page` (the page tree is `/Type/Pages`).
        let pages = file
            .windows(b"/Type/Page".len() + 1)
            .filter(|w| w.starts_with(b"/Type/Page") && w[10] != b's')
            .count();
        let pdf_median = median(pdf_ms);
        let floor = *floor.get_or_insert(pdf_median);
        let qr = if with_qr { "yes" } else { "no" };
        println!(
            "{lines:>5}  {qr:>3}  {pdf_median:>6.1}  {:>6.2}  {:>9}  {pages:>5}  {:>15.2}",
            median(ubl_ms),
            file.len(),
            pdf_median / floor
        );
        println!(
            "       peak RSS {:.1} MiB before, {:.1} MiB after",
            before as f64 / 1024.0,
            after as f64 / 1024.0
        );
    }
    Ok(())
}
