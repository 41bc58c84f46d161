//! EN 16931 e-invoices: the CII syntax (`factur-x.xml`, Factur-X 1.0 / ZUGFeRD 2.x, profile
//! EN 16931) and the UBL 2.1 syntax (Peppol BIS Billing 3.0), written from the amounts the
//! document already holds: nothing is recomputed here, so the XML says to the cent what the
//! JSON says (the pricing is EN 16931's own, `domain::pricing`).
//!
//! Every amount below is a `Money` at the currency's minor unit; the business terms are named
//! by their EN 16931 numbers (BT-…) beside the code that writes them.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use rust_decimal::Decimal;

use crate::domain::FieldError;
use crate::domain::document::{Buyer, Content, Line, Seller};
use crate::domain::endpoint::ElectronicAddress;
use crate::domain::pricing::round;
use crate::domain::tax::{self, TaxCategory};
use crate::domain::time::Date;
use crate::domain::values::{Address, Percentage, TaxId};
use crate::render::messages::Messages;

/// What an e-invoice is written from: an issued invoice or credit note.
#[derive(Debug, Clone, Copy)]
pub struct Bill<'a> {
    /// The invoice a credit note corrects (BT-25); `None` for an invoice.
    pub credit_note_of: Option<&'a str>,
    /// BT-1.
    pub number: &'a str,
    /// BT-2.
    pub issue_date: Date,
    /// BT-9, for an invoice.
    pub due_date: Option<Date>,
    /// BT-22: the notes, and a credit note's reason.
    pub notes: &'a [&'a str],
    pub content: &'a Content,
    pub seller: &'a Seller,
    pub buyer: &'a Buyer,
    /// BT-113: what had been paid or credited when it was written.
    pub prepaid: Decimal,
    /// The customer's language: the texts the e-invoice states (BT-120, BT-20) are in it.
    pub messages: &'static Messages,
}

/// The UNCL 1001 type code: 380 commercial invoice, 381 credit note.
fn type_code(bill: &Bill<'_>) -> &'static str {
    if bill.credit_note_of.is_some() {
        "381"
    } else {
        "380"
    }
}

/// A UN/ECE Recommendation 20 unit code for a line's unit as people write it; "one" (C62)
/// when it is not one of the common ones.
pub fn unit_code(unit: Option<&str>) -> &'static str {
    let Some(unit) = unit else { return "C62" };
    match unit.trim().to_lowercase().as_str() {
        "h" | "hr" | "hrs" | "hour" | "hours" | "std" | "stunde" | "stunden" | "heure"
        | "heures" => "HUR",
        "min" | "minute" | "minutes" => "MIN",
        "d" | "day" | "days" | "tag" | "tage" | "jour" | "jours" => "DAY",
        "week" | "weeks" | "wk" => "WEE",
        "month" | "months" | "mo" => "MON",
        "year" | "years" | "yr" => "ANN",
        "kg" => "KGM",
        "g" => "GRM",
        "t" => "TNE",
        "km" => "KMT",
        "m" => "MTR",
        "m2" | "m²" | "sqm" => "MTK",
        "m3" | "m³" => "MTQ",
        "l" | "litre" | "liter" | "litres" | "liters" => "LTR",
        "kwh" => "KWH",
        "pc" | "pcs" | "piece" | "pieces" | "stk" | "stück" => "H87",
        "set" | "sets" => "SET",
        _ => "C62",
    }
}

/// Whether the document is not subject to VAT (category O): it then states no VAT identifier
/// of either party (BR-O-2, BR-O-3, BR-O-4).
fn not_subject(content: &Content) -> bool {
    content
        .lines
        .iter()
        .any(|line| line.tax_category == TaxCategory::NotSubject)
}

/// The specification a UBL document follows (BT-24).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Peppol BIS Billing 3.0.
    Peppol,
    /// XRechnung 3.0, for a German public buyer (named by its Leitweg-ID).
    XRechnung,
}

impl Flavour {
    fn customization_id(self) -> &'static str {
        match self {
            Self::Peppol => {
                "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
            }
            Self::XRechnung => {
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
            }
        }
    }
}

/// Whether `reference` is a Leitweg-ID: a German public buyer's routing id (its coarse
/// address of 2 to 12 digits, an optional fine address, and 2 check digits).
fn is_leitweg_id(reference: &str) -> bool {
    let parts: Vec<&str> = reference.split('-').collect();
    let digits = |part: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    match parts.as_slice() {
        [coarse, check] => digits(coarse, 2..=12) && digits(check, 2..=2),
        [coarse, fine, check] => {
            digits(coarse, 2..=12)
                && (1..=30).contains(&fine.len())
                && fine
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                && digits(check, 2..=2)
        }
        _ => false,
    }
}

/// The flavour of `bill`'s UBL: XRechnung when the buyer's reference is a Leitweg-ID, else
/// Peppol BIS Billing 3.0.
pub fn flavour(bill: &Bill<'_>) -> Flavour {
    let leitweg = bill
        .content
        .particulars
        .buyer_reference
        .as_ref()
        .is_some_and(|reference| is_leitweg_id(reference.as_str()));
    if leitweg {
        Flavour::XRechnung
    } else {
        Flavour::Peppol
    }
}

/// When the supply was made (BT-72): the date the document states, else (when it states no
/// period either) its issue date.
fn supply_date(bill: &Bill<'_>) -> Option<Date> {
    let particulars = &bill.content.particulars;
    match (particulars.supply_date, particulars.supply_period) {
        (Some(date), _) => Some(date),
        (None, Some(_)) => None,
        (None, None) => Some(bill.issue_date),
    }
}

/// The remittance information a transfer quotes (BT-83): an invoice's ISO 11649 creditor
/// reference.
fn payment_reference(bill: &Bill<'_>) -> Option<String> {
    if bill.credit_note_of.is_some() {
        return None;
    }
    crate::domain::reference::creditor_reference(bill.number)
}

/// Whether a rate is stated for the category: not for O (BR-O-5, BR-O-9).
fn rated(category: TaxCategory) -> bool {
    category != TaxCategory::NotSubject
}

/// Why the document cannot be a Peppol BIS Billing 3.0 UBL, field by field: what EN 16931
/// requires, and both parties' electronic addresses, where Peppol delivers it and from whom
/// (PEPPOL-EN16931-R010, R020). An e-mail address is not one Peppol accepts (CL008).
pub fn missing_for_peppol(bill: &Bill<'_>) -> Vec<FieldError> {
    let mut errors = missing(bill);
    if bill.seller.electronic_address.is_none() {
        errors.push(FieldError::new(
            "seller.electronic_address",
            "Peppol requires the seller's electronic address (PEPPOL-EN16931-R020): give the \
             company profile its Peppol identifier and scheme",
        ));
    }
    if bill.buyer.electronic_address.is_none() {
        errors.push(FieldError::new(
            "buyer.electronic_address",
            "Peppol requires the buyer's electronic address (PEPPOL-EN16931-R010): the \
             customer had no Peppol identifier when the document was issued",
        ));
    }
    errors
}

/// Why the document cannot be an EN 16931 e-invoice, field by field (empty when it can).
pub fn missing(bill: &Bill<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if bill.seller.address.is_none() {
        errors.push(FieldError::new(
            "seller.address",
            "EN 16931 requires the seller's postal address (BR-8): it was not in the company \
             profile when the document was issued",
        ));
    }
    if not_subject(bill.content) && bill.seller.registration_number.is_none() {
        errors.push(FieldError::new(
            "seller.registration_number",
            "EN 16931 identifies a seller that states no VAT identifier by its legal \
             registration (BR-CO-26): give the company profile its registration number",
        ));
    }
    if bill.seller.tax_id.is_none() && !not_subject(bill.content) {
        errors.push(FieldError::new(
            "seller.tax_id",
            "EN 16931 requires the seller's VAT identifier or tax registration (BR-S-2, \
             BR-Z-2): it was not in the company profile when the document was issued",
        ));
    }
    if bill.buyer.billing_address.is_none() {
        errors.push(FieldError::new(
            "buyer.billing_address",
            "EN 16931 requires the buyer's postal address (BR-10): the customer had no billing \
             address when the document was issued",
        ));
    }
    if written_places(bill).is_none() {
        errors.push(FieldError::new(
            "currency",
            format!(
                "EN 16931 writes amounts with at most 2 decimals (BR-DEC): this {} document has \
                 an amount in a third decimal (prices in whole hundredths make one that has none)",
                bill.content.currency
            ),
        ));
    }
    errors
}

/// The decimals the e-invoice writes amounts with: the currency's, at most 2 (EN 16931's
/// BR-DEC rules). A 3-decimal currency's document (KWD, BHD, …) is written at 2 when every
/// amount is in whole hundredths, so nothing is rounded; `None` when one is not.
fn written_places(bill: &Bill<'_>) -> Option<u32> {
    let content = bill.content;
    let places = content.currency.minor_units();
    if places <= 2 {
        return Some(places);
    }
    let lines = content.lines.iter().flat_map(|line| {
        let (_, allowance) = line_price(line, content.prices_include_tax, places);
        [line.net.value(), allowance]
    });
    let taxes = content
        .tax_breakdown
        .iter()
        .flat_map(|tax| [tax.base.value(), tax.tax.value()]);
    let totals = [
        content.net_total.value(),
        content.discount_total.value(),
        content.tax_total.value(),
        content.total.value(),
        bill.prepaid,
    ];
    let mut amounts = lines.chain(taxes).chain(totals);
    amounts
        .all(|amount| round(amount, 2) == amount)
        .then_some(2)
}

/// One category and rate's share of the document discount (BG-20): its line nets less its
/// taxable amount.
fn discount_shares(content: &Content) -> Vec<(TaxCategory, Percentage, Decimal)> {
    content
        .tax_breakdown
        .iter()
        .map(|tax| {
            let nets: Decimal = content
                .lines
                .iter()
                .filter(|line| line.tax_rate == tax.rate && line.tax_category == tax.category)
                .map(|line| line.net.value())
                .sum();
            (tax.category, tax.rate, nets - tax.base.value())
        })
        .filter(|(_, _, share)| !share.is_zero())
        .collect()
}

/// A line's item net price (BT-146) and its allowance (BT-136): the unit price and the
/// discount when prices exclude tax; the net per unit when they include it (the tax-inclusive
/// price is not an EN 16931 term).
fn line_price(line: &Line, prices_include_tax: bool, places: u32) -> (Decimal, Decimal) {
    let quantity = line.quantity.value();
    if prices_include_tax {
        let price = (line.net.value() / quantity).round_dp(6).normalize();
        return (price, Decimal::ZERO);
    }
    let price = line.unit_price.value();
    let gross = round(quantity * price, places);
    let allowance = (gross - line.net.value()).max(Decimal::ZERO);
    (price, allowance)
}

fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

/// An XML document written to memory.
struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn new() -> Self {
        let mut xml = Self(Writer::new_with_indent(Vec::new(), b' ', 1));
        xml.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        xml
    }

    // Writing into a Vec cannot fail: io::Write for Vec<u8> never returns an error.
    fn event(&mut self, event: Event<'_>) {
        let _ = self.0.write_event(event);
    }

    fn open(&mut self, name: &str) {
        self.event(Event::Start(BytesStart::new(name)));
    }

    fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        start.extend_attributes(attributes.iter().copied());
        self.event(Event::Start(start));
    }

    fn close(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.open_with(name, attributes);
        self.event(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    fn finish(self) -> Vec<u8> {
        self.0.into_inner()
    }
}

/// `20261125`: a date in UN/CEFACT format 102.
fn date_102(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// The CII XML (`factur-x.xml`) of `bill`; check [`missing`] first.
pub fn cii(bill: &Bill<'_>) -> Vec<u8> {
    let content = bill.content;
    let currency = content.currency.code();
    let places = written_places(bill).unwrap_or(2);
    let at = |amount: Decimal| round(amount, places).to_string();
    let mut x = Xml::new();
    x.open_with(
        "rsm:CrossIndustryInvoice",
        &[
            (
                "xmlns:rsm",
                "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
            ),
            (
                "xmlns:qdt",
                "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
            ),
            (
                "xmlns:ram",
                "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
            ),
            (
                "xmlns:udt",
                "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
            ),
        ],
    );
    x.open("rsm:ExchangedDocumentContext");
    x.open("ram:GuidelineSpecifiedDocumentContextParameter");
    x.leaf("ram:ID", "urn:cen.eu:en16931:2017");
    x.close("ram:GuidelineSpecifiedDocumentContextParameter");
    x.close("rsm:ExchangedDocumentContext");

    x.open("rsm:ExchangedDocument");
    x.leaf("ram:ID", bill.number);
    x.leaf("ram:TypeCode", type_code(bill));
    x.open("ram:IssueDateTime");
    x.leaf_with(
        "udt:DateTimeString",
        &[("format", "102")],
        &date_102(bill.issue_date),
    );
    x.close("ram:IssueDateTime");
    for note in bill.notes {
        x.open("ram:IncludedNote");
        x.leaf("ram:Content", note);
        x.close("ram:IncludedNote");
    }
    x.close("rsm:ExchangedDocument");

    x.open("rsm:SupplyChainTradeTransaction");
    for (index, line) in content.lines.iter().enumerate() {
        let (price, allowance) = line_price(line, content.prices_include_tax, places);
        x.open("ram:IncludedSupplyChainTradeLineItem");
        x.open("ram:AssociatedDocumentLineDocument");
        x.leaf("ram:LineID", &(index + 1).to_string());
        x.close("ram:AssociatedDocumentLineDocument");
        x.open("ram:SpecifiedTradeProduct");
        x.leaf("ram:Name", line.description.as_str());
        x.close("ram:SpecifiedTradeProduct");
        x.open("ram:SpecifiedLineTradeAgreement");
        x.open("ram:NetPriceProductTradePrice");
        x.leaf("ram:ChargeAmount", &plain(price));
        x.close("ram:NetPriceProductTradePrice");
        x.close("ram:SpecifiedLineTradeAgreement");
        x.open("ram:SpecifiedLineTradeDelivery");
        x.leaf_with(
            "ram:BilledQuantity",
            &[(
                "unitCode",
                unit_code(line.unit.as_ref().map(|u| u.as_str())),
            )],
            &plain(line.quantity.value()),
        );
        x.close("ram:SpecifiedLineTradeDelivery");
        x.open("ram:SpecifiedLineTradeSettlement");
        x.open("ram:ApplicableTradeTax");
        x.leaf("ram:TypeCode", "VAT");
        x.leaf("ram:CategoryCode", line.tax_category.code());
        if rated(line.tax_category) {
            x.leaf("ram:RateApplicablePercent", &plain(line.tax_rate.value()));
        }
        x.close("ram:ApplicableTradeTax");
        if !allowance.is_zero() {
            x.open("ram:SpecifiedTradeAllowanceCharge");
            x.open("ram:ChargeIndicator");
            x.leaf("udt:Indicator", "false");
            x.close("ram:ChargeIndicator");
            x.leaf("ram:ActualAmount", &round(allowance, places).to_string());
            x.leaf("ram:ReasonCode", "95");
            x.leaf("ram:Reason", &bill.messages.text("discount"));
            x.close("ram:SpecifiedTradeAllowanceCharge");
        }
        x.open("ram:SpecifiedTradeSettlementLineMonetarySummation");
        x.leaf("ram:LineTotalAmount", &at(line.net.value()));
        x.close("ram:SpecifiedTradeSettlementLineMonetarySummation");
        x.close("ram:SpecifiedLineTradeSettlement");
        x.close("ram:IncludedSupplyChainTradeLineItem");
    }

    let particulars = &content.particulars;
    x.open("ram:ApplicableHeaderTradeAgreement");
    if let Some(reference) = &particulars.buyer_reference {
        x.leaf("ram:BuyerReference", reference.as_str());
    }
    let vat_ids = !not_subject(content);
    cii_party(
        &mut x,
        "ram:SellerTradeParty",
        &cii_seller(bill.seller, vat_ids),
    );
    cii_party(
        &mut x,
        "ram:BuyerTradeParty",
        &cii_buyer(bill.buyer, vat_ids),
    );
    if let Some(order) = &particulars.order_reference {
        x.open("ram:BuyerOrderReferencedDocument");
        x.leaf("ram:IssuerAssignedID", order.as_str());
        x.close("ram:BuyerOrderReferencedDocument");
    }
    x.close("ram:ApplicableHeaderTradeAgreement");
    x.open("ram:ApplicableHeaderTradeDelivery");
    if let Some(address) = delivery_address(bill) {
        // BT-80, which an intra-community supply must state (BR-IC-12).
        x.open("ram:ShipToTradeParty");
        cii_address(&mut x, address);
        x.close("ram:ShipToTradeParty");
    }
    if let Some(date) = supply_date(bill) {
        x.open("ram:ActualDeliverySupplyChainEvent");
        x.open("ram:OccurrenceDateTime");
        x.leaf_with("udt:DateTimeString", &[("format", "102")], &date_102(date));
        x.close("ram:OccurrenceDateTime");
        x.close("ram:ActualDeliverySupplyChainEvent");
    }
    x.close("ram:ApplicableHeaderTradeDelivery");

    x.open("ram:ApplicableHeaderTradeSettlement");
    if let Some(reference) = payment_reference(bill) {
        x.leaf("ram:PaymentReference", &reference);
    }
    x.leaf("ram:InvoiceCurrencyCode", currency);
    if let Some(bank) = &bill.seller.bank_account {
        // BG-16/BG-17: SEPA credit transfer (UNCL 4461 code 58) to the seller's account.
        x.open("ram:SpecifiedTradeSettlementPaymentMeans");
        x.leaf("ram:TypeCode", "58");
        x.open("ram:PayeePartyCreditorFinancialAccount");
        x.leaf("ram:IBANID", bank.iban.as_str());
        x.leaf("ram:AccountName", bank.holder.as_str());
        x.close("ram:PayeePartyCreditorFinancialAccount");
        if let Some(bic) = &bank.bic {
            x.open("ram:PayeeSpecifiedCreditorFinancialInstitution");
            x.leaf("ram:BICID", bic.as_str());
            x.close("ram:PayeeSpecifiedCreditorFinancialInstitution");
        }
        x.close("ram:SpecifiedTradeSettlementPaymentMeans");
    }
    for tax in &content.tax_breakdown {
        x.open("ram:ApplicableTradeTax");
        x.leaf("ram:CalculatedAmount", &at(tax.tax.value()));
        x.leaf("ram:TypeCode", "VAT");
        if let Some(reason) = bill
            .messages
            .legal_wording(tax.category, tax.exemption_reason.as_deref())
        {
            x.leaf("ram:ExemptionReason", &reason);
        }
        x.leaf("ram:BasisAmount", &at(tax.base.value()));
        x.leaf("ram:CategoryCode", tax.category.code());
        if let Some(code) = &tax.exemption_code {
            x.leaf("ram:ExemptionReasonCode", code);
        }
        // The breakdown states its rate even for O (0): a line does not (BR-O-05), but Peppol's
        // German rules want every breakdown's (DE-R-014).
        x.leaf("ram:RateApplicablePercent", &plain(tax.rate.value()));
        x.close("ram:ApplicableTradeTax");
    }
    if let Some(period) = &particulars.supply_period {
        x.open("ram:BillingSpecifiedPeriod");
        for (element, date) in [
            ("ram:StartDateTime", period.start),
            ("ram:EndDateTime", period.end),
        ] {
            x.open(element);
            x.leaf_with("udt:DateTimeString", &[("format", "102")], &date_102(date));
            x.close(element);
        }
        x.close("ram:BillingSpecifiedPeriod");
    }
    for (category, rate, share) in discount_shares(content) {
        x.open("ram:SpecifiedTradeAllowanceCharge");
        x.open("ram:ChargeIndicator");
        x.leaf("udt:Indicator", "false");
        x.close("ram:ChargeIndicator");
        x.leaf("ram:ActualAmount", &at(share));
        x.leaf("ram:ReasonCode", "95");
        x.leaf("ram:Reason", &bill.messages.text("discount"));
        x.open("ram:CategoryTradeTax");
        x.leaf("ram:TypeCode", "VAT");
        x.leaf("ram:CategoryCode", category.code());
        if rated(category) {
            x.leaf("ram:RateApplicablePercent", &plain(rate.value()));
        }
        x.close("ram:CategoryTradeTax");
        x.close("ram:SpecifiedTradeAllowanceCharge");
    }
    x.open("ram:SpecifiedTradePaymentTerms");
    match (bill.credit_note_of, bill.due_date) {
        (Some(invoice), _) => x.leaf(
            "ram:Description",
            &bill.messages.with("credit-terms", &[("number", invoice)]),
        ),
        (None, Some(due)) => {
            x.open("ram:DueDateDateTime");
            x.leaf_with("udt:DateTimeString", &[("format", "102")], &date_102(due));
            x.close("ram:DueDateDateTime");
        }
        (None, None) => x.leaf("ram:Description", &bill.messages.text("payable-on-receipt")),
    }
    x.close("ram:SpecifiedTradePaymentTerms");
    let due = content.total.value() - bill.prepaid;
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    x.leaf("ram:LineTotalAmount", &at(content.net_total.value()));
    x.leaf(
        "ram:AllowanceTotalAmount",
        &at(content.discount_total.value()),
    );
    x.leaf(
        "ram:TaxBasisTotalAmount",
        &round(
            content.net_total.value() - content.discount_total.value(),
            places,
        )
        .to_string(),
    );
    x.leaf_with(
        "ram:TaxTotalAmount",
        &[("currencyID", currency)],
        &at(content.tax_total.value()),
    );
    x.leaf("ram:GrandTotalAmount", &at(content.total.value()));
    x.leaf(
        "ram:TotalPrepaidAmount",
        &round(bill.prepaid, places).to_string(),
    );
    x.leaf("ram:DuePayableAmount", &round(due, places).to_string());
    x.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    if let Some(invoice) = bill.credit_note_of {
        x.open("ram:InvoiceReferencedDocument");
        x.leaf("ram:IssuerAssignedID", invoice);
        x.close("ram:InvoiceReferencedDocument");
    }
    x.close("ram:ApplicableHeaderTradeSettlement");
    x.close("rsm:SupplyChainTradeTransaction");
    x.close("rsm:CrossIndustryInvoice");
    x.finish()
}

/// A party as both syntaxes write it.
struct Party<'a> {
    name: &'a str,
    address: Option<&'a Address>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    tax_id: Option<&'a TaxId>,
    /// The seller may give a tax registration that is not a VAT id (BT-32); the buyer not.
    registration_allowed: bool,
    /// The legal registration identifier (BT-30).
    legal_id: Option<&'a TaxId>,
    /// The electronic address (BT-34, BT-49).
    endpoint: Option<&'a ElectronicAddress>,
}

impl<'a> Party<'a> {
    /// The electronic address as (scheme, identifier): the party's own, else its email
    /// address under the EAS scheme `EM` (which EN 16931 accepts and Peppol does not route on).
    fn electronic_address(&self) -> Option<(&'a str, &'a str)> {
        match (self.endpoint, self.email) {
            (Some(address), _) => Some((address.scheme.as_str(), address.id.as_str())),
            (None, Some(email)) => Some(("EM", email)),
            (None, None) => None,
        }
    }
}

/// The seller as both syntaxes write it; `vat_ids` is false on a document not subject to VAT,
/// which states no VAT identifier (its tax registration, BT-32, it may).
fn cii_seller(seller: &Seller, vat_ids: bool) -> Party<'_> {
    Party {
        name: seller.legal_name.as_str(),
        address: seller.address.as_ref(),
        email: seller.email.as_ref().map(|e| e.as_str()),
        phone: seller.phone.as_ref().map(|p| p.as_str()),
        tax_id: seller
            .tax_id
            .as_ref()
            .filter(|id| vat_ids || !tax::is_vat_id(id)),
        registration_allowed: true,
        legal_id: seller.registration_number.as_ref(),
        endpoint: seller.electronic_address.as_ref(),
    }
}

fn cii_buyer(buyer: &Buyer, vat_ids: bool) -> Party<'_> {
    Party {
        name: buyer.name.as_str(),
        address: buyer.billing_address.as_ref(),
        email: buyer.email.as_ref().map(|e| e.as_str()),
        phone: None,
        tax_id: buyer.tax_id.as_ref().filter(|_| vat_ids),
        registration_allowed: false,
        legal_id: None,
        endpoint: buyer.electronic_address.as_ref(),
    }
}

/// Where the goods or services go (BG-15, with BT-80): the document's delivery address; else,
/// for an intra-community supply, which must state it (BR-IC-12), the buyer's address.
fn delivery_address<'a>(bill: &Bill<'a>) -> Option<&'a Address> {
    let intra = bill
        .content
        .lines
        .iter()
        .any(|line| line.tax_category == TaxCategory::IntraCommunity);
    bill.content
        .particulars
        .delivery_address
        .as_ref()
        .or_else(|| bill.buyer.billing_address.as_ref().filter(|_| intra))
}

/// A name as one line (a customer's name may run over lines).
fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A postal address in CII (BG-5, BG-8, BG-15).
fn cii_address(x: &mut Xml, address: &Address) {
    let lines = address.lines.lines();
    x.open("ram:PostalTradeAddress");
    if let Some(code) = &address.postal_code {
        x.leaf("ram:PostcodeCode", code.as_str());
    }
    for (element, line) in ["ram:LineOne", "ram:LineTwo"].iter().zip(lines) {
        x.leaf(element, line.as_str());
    }
    if lines.len() > 2 {
        let rest: Vec<&str> = lines[2..].iter().map(|l| l.as_str()).collect();
        x.leaf("ram:LineThree", &rest.join(", "));
    }
    if let Some(city) = &address.city {
        x.leaf("ram:CityName", city.as_str());
    }
    x.leaf("ram:CountryID", address.country.as_str());
    if let Some(region) = &address.region {
        x.leaf("ram:CountrySubDivisionName", region.as_str());
    }
    x.close("ram:PostalTradeAddress");
}

/// A postal address in UBL (BG-5, BG-8, BG-15), as `element`.
fn ubl_address(x: &mut Xml, element: &str, address: &Address) {
    let lines = address.lines.lines();
    x.open(element);
    if let Some(first) = lines.first() {
        x.leaf("cbc:StreetName", first.as_str());
    }
    if let Some(second) = lines.get(1) {
        x.leaf("cbc:AdditionalStreetName", second.as_str());
    }
    if let Some(city) = &address.city {
        x.leaf("cbc:CityName", city.as_str());
    }
    if let Some(code) = &address.postal_code {
        x.leaf("cbc:PostalZone", code.as_str());
    }
    if let Some(region) = &address.region {
        x.leaf("cbc:CountrySubentity", region.as_str());
    }
    if lines.len() > 2 {
        let rest: Vec<&str> = lines[2..].iter().map(|l| l.as_str()).collect();
        x.open("cac:AddressLine");
        x.leaf("cbc:Line", &rest.join(", "));
        x.close("cac:AddressLine");
    }
    x.open("cac:Country");
    x.leaf("cbc:IdentificationCode", address.country.as_str());
    x.close("cac:Country");
    x.close(element);
}

fn cii_party(x: &mut Xml, element: &str, party: &Party<'_>) {
    x.open(element);
    x.leaf("ram:Name", &one_line(party.name));
    if let Some(legal_id) = party.legal_id {
        x.open("ram:SpecifiedLegalOrganization");
        x.leaf("ram:ID", legal_id.as_str());
        x.close("ram:SpecifiedLegalOrganization");
    }
    if party.phone.is_some() || party.email.is_some() {
        x.open("ram:DefinedTradeContact");
        if let Some(phone) = party.phone {
            x.open("ram:TelephoneUniversalCommunication");
            x.leaf("ram:CompleteNumber", phone);
            x.close("ram:TelephoneUniversalCommunication");
        }
        if let Some(email) = party.email {
            x.open("ram:EmailURIUniversalCommunication");
            x.leaf("ram:URIID", email);
            x.close("ram:EmailURIUniversalCommunication");
        }
        x.close("ram:DefinedTradeContact");
    }
    if let Some(address) = party.address {
        cii_address(x, address);
    }
    if let Some((scheme, id)) = party.electronic_address() {
        x.open("ram:URIUniversalCommunication");
        x.leaf_with("ram:URIID", &[("schemeID", scheme)], id);
        x.close("ram:URIUniversalCommunication");
    }
    if let Some(tax_id) = party.tax_id {
        let scheme = if tax::is_vat_id(tax_id) { "VA" } else { "FC" };
        if scheme == "VA" || party.registration_allowed {
            x.open("ram:SpecifiedTaxRegistration");
            x.leaf_with("ram:ID", &[("schemeID", scheme)], tax_id.as_str());
            x.close("ram:SpecifiedTaxRegistration");
        }
    }
    x.close(element);
}

/// The UBL 2.1 XML of `bill` (an `Invoice`, or a `CreditNote` for a credit note), following
/// Peppol BIS Billing 3.0; check [`missing_for_peppol`] first.
pub fn ubl(bill: &Bill<'_>) -> Vec<u8> {
    let content = bill.content;
    let currency = content.currency.code();
    let places = written_places(bill).unwrap_or(2);
    let at = |amount: Decimal| round(amount, places).to_string();
    let amount = |x: &mut Xml, name: &str, value: &str| {
        x.leaf_with(name, &[("currencyID", currency)], value);
    };
    let credit = bill.credit_note_of.is_some();
    let root = if credit { "CreditNote" } else { "Invoice" };
    let mut x = Xml::new();
    let namespace = format!("urn:oasis:names:specification:ubl:schema:xsd:{root}-2");
    x.open_with(
        root,
        &[
            ("xmlns", namespace.as_str()),
            (
                "xmlns:cac",
                "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
            ),
            (
                "xmlns:cbc",
                "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
            ),
        ],
    );
    x.leaf("cbc:CustomizationID", flavour(bill).customization_id());
    x.leaf(
        "cbc:ProfileID",
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
    );
    x.leaf("cbc:ID", bill.number);
    x.leaf("cbc:IssueDate", &bill.issue_date.to_string());
    if let (false, Some(due)) = (credit, bill.due_date) {
        x.leaf("cbc:DueDate", &due.to_string());
    }
    x.leaf(
        if credit {
            "cbc:CreditNoteTypeCode"
        } else {
            "cbc:InvoiceTypeCode"
        },
        type_code(bill),
    );
    for note in bill.notes {
        x.leaf("cbc:Note", note);
    }
    x.leaf("cbc:DocumentCurrencyCode", currency);
    // BT-10: the buyer's own reference; Peppol asks for it or an order reference (BT-13), so
    // without either the document's own number, which the buyer will quote, stands in.
    let particulars = &content.particulars;
    match (&particulars.buyer_reference, &particulars.order_reference) {
        (Some(reference), _) => x.leaf("cbc:BuyerReference", reference.as_str()),
        (None, Some(_)) => {}
        (None, None) => x.leaf("cbc:BuyerReference", bill.number),
    }
    if let Some(period) = &particulars.supply_period {
        x.open("cac:InvoicePeriod");
        x.leaf("cbc:StartDate", &period.start.to_string());
        x.leaf("cbc:EndDate", &period.end.to_string());
        x.close("cac:InvoicePeriod");
    }
    if let Some(order) = &particulars.order_reference {
        x.open("cac:OrderReference");
        x.leaf("cbc:ID", order.as_str());
        x.close("cac:OrderReference");
    }
    if let Some(invoice) = bill.credit_note_of {
        x.open("cac:BillingReference");
        x.open("cac:InvoiceDocumentReference");
        x.leaf("cbc:ID", invoice);
        x.close("cac:InvoiceDocumentReference");
        x.close("cac:BillingReference");
    }
    let vat_ids = !not_subject(content);
    x.open("cac:AccountingSupplierParty");
    ubl_party(&mut x, &cii_seller(bill.seller, vat_ids));
    x.close("cac:AccountingSupplierParty");
    x.open("cac:AccountingCustomerParty");
    ubl_party(&mut x, &cii_buyer(bill.buyer, vat_ids));
    x.close("cac:AccountingCustomerParty");
    let delivered = supply_date(bill);
    let place = delivery_address(bill);
    // Peppol refuses an empty element (PEPPOL-EN16931-R008): no Delivery without a date or a
    // place.
    if delivered.is_some() || place.is_some() {
        x.open("cac:Delivery");
        if let Some(date) = delivered {
            x.leaf("cbc:ActualDeliveryDate", &date.to_string());
        }
        if let Some(address) = place {
            x.open("cac:DeliveryLocation");
            ubl_address(&mut x, "cac:Address", address);
            x.close("cac:DeliveryLocation");
        }
        x.close("cac:Delivery");
    }
    if let Some(bank) = &bill.seller.bank_account {
        x.open("cac:PaymentMeans");
        x.leaf("cbc:PaymentMeansCode", "58");
        if let (true, Some(due)) = (credit, bill.due_date) {
            x.leaf("cbc:PaymentDueDate", &due.to_string());
        }
        if let Some(reference) = payment_reference(bill) {
            x.leaf("cbc:PaymentID", &reference);
        }
        x.open("cac:PayeeFinancialAccount");
        x.leaf("cbc:ID", bank.iban.as_str());
        x.leaf("cbc:Name", bank.holder.as_str());
        if let Some(bic) = &bank.bic {
            x.open("cac:FinancialInstitutionBranch");
            x.leaf("cbc:ID", bic.as_str());
            x.close("cac:FinancialInstitutionBranch");
        }
        x.close("cac:PayeeFinancialAccount");
        x.close("cac:PaymentMeans");
    }
    if let Some(invoice) = bill.credit_note_of {
        x.open("cac:PaymentTerms");
        x.leaf(
            "cbc:Note",
            &bill.messages.with("credit-terms", &[("number", invoice)]),
        );
        x.close("cac:PaymentTerms");
    }
    for (category, rate, share) in discount_shares(content) {
        x.open("cac:AllowanceCharge");
        x.leaf("cbc:ChargeIndicator", "false");
        x.leaf("cbc:AllowanceChargeReasonCode", "95");
        x.leaf("cbc:AllowanceChargeReason", &bill.messages.text("discount"));
        amount(&mut x, "cbc:Amount", &at(share));
        let rate = rated(category).then_some(rate);
        ubl_tax_category(&mut x, "cac:TaxCategory", category, rate, None);
        x.close("cac:AllowanceCharge");
    }
    x.open("cac:TaxTotal");
    amount(&mut x, "cbc:TaxAmount", &at(content.tax_total.value()));
    for tax in &content.tax_breakdown {
        x.open("cac:TaxSubtotal");
        amount(&mut x, "cbc:TaxableAmount", &at(tax.base.value()));
        amount(&mut x, "cbc:TaxAmount", &at(tax.tax.value()));
        let wording = bill
            .messages
            .legal_wording(tax.category, tax.exemption_reason.as_deref());
        let exemption = (tax.exemption_code.as_deref(), wording.as_deref());
        ubl_tax_category(
            &mut x,
            "cac:TaxCategory",
            tax.category,
            Some(tax.rate),
            Some(exemption),
        );
        x.close("cac:TaxSubtotal");
    }
    x.close("cac:TaxTotal");
    let exclusive = round(
        content.net_total.value() - content.discount_total.value(),
        places,
    );
    x.open("cac:LegalMonetaryTotal");
    amount(
        &mut x,
        "cbc:LineExtensionAmount",
        &at(content.net_total.value()),
    );
    amount(&mut x, "cbc:TaxExclusiveAmount", &at(exclusive));
    amount(&mut x, "cbc:TaxInclusiveAmount", &at(content.total.value()));
    amount(
        &mut x,
        "cbc:AllowanceTotalAmount",
        &at(content.discount_total.value()),
    );
    amount(
        &mut x,
        "cbc:PrepaidAmount",
        &round(bill.prepaid, places).to_string(),
    );
    amount(
        &mut x,
        "cbc:PayableAmount",
        &round(content.total.value() - bill.prepaid, places).to_string(),
    );
    x.close("cac:LegalMonetaryTotal");
    let (line_element, quantity_element) = if credit {
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    } else {
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    };
    for (index, line) in content.lines.iter().enumerate() {
        let (price, allowance) = line_price(line, content.prices_include_tax, places);
        x.open(line_element);
        x.leaf("cbc:ID", &(index + 1).to_string());
        x.leaf_with(
            quantity_element,
            &[(
                "unitCode",
                unit_code(line.unit.as_ref().map(|u| u.as_str())),
            )],
            &plain(line.quantity.value()),
        );
        amount(&mut x, "cbc:LineExtensionAmount", &at(line.net.value()));
        if !allowance.is_zero() {
            x.open("cac:AllowanceCharge");
            x.leaf("cbc:ChargeIndicator", "false");
            x.leaf("cbc:AllowanceChargeReasonCode", "95");
            x.leaf("cbc:AllowanceChargeReason", &bill.messages.text("discount"));
            amount(&mut x, "cbc:Amount", &round(allowance, places).to_string());
            x.close("cac:AllowanceCharge");
        }
        x.open("cac:Item");
        x.leaf("cbc:Name", &one_line(line.description.as_str()));
        ubl_tax_category(
            &mut x,
            "cac:ClassifiedTaxCategory",
            line.tax_category,
            rated(line.tax_category).then_some(line.tax_rate),
            None,
        );
        x.close("cac:Item");
        x.open("cac:Price");
        amount(&mut x, "cbc:PriceAmount", &plain(price));
        x.close("cac:Price");
        x.close(line_element);
    }
    x.close(root);
    x.finish()
}

/// A UBL tax category: its code, its rate (not for O), and in the breakdown the exemption's
/// code and reason (BT-121, BT-120).
fn ubl_tax_category(
    x: &mut Xml,
    element: &str,
    category: TaxCategory,
    rate: Option<Percentage>,
    exemption: Option<(Option<&str>, Option<&str>)>,
) {
    x.open(element);
    x.leaf("cbc:ID", category.code());
    if let Some(rate) = rate {
        x.leaf("cbc:Percent", &plain(rate.value()));
    }
    if let Some((code, reason)) = exemption {
        if let Some(code) = code {
            x.leaf("cbc:TaxExemptionReasonCode", code);
        }
        if let Some(reason) = reason {
            x.leaf("cbc:TaxExemptionReason", reason);
        }
    }
    x.open("cac:TaxScheme");
    x.leaf("cbc:ID", "VAT");
    x.close("cac:TaxScheme");
    x.close(element);
}

fn ubl_party(x: &mut Xml, party: &Party<'_>) {
    x.open("cac:Party");
    if let Some((scheme, id)) = party.electronic_address() {
        // BT-34/BT-49: the electronic address.
        x.leaf_with("cbc:EndpointID", &[("schemeID", scheme)], id);
    }
    if let Some(address) = party.address {
        ubl_address(x, "cac:PostalAddress", address);
    }
    if let Some(tax_id) = party.tax_id {
        let vat = tax::is_vat_id(tax_id);
        if vat || party.registration_allowed {
            x.open("cac:PartyTaxScheme");
            x.leaf("cbc:CompanyID", tax_id.as_str());
            x.open("cac:TaxScheme");
            x.leaf("cbc:ID", if vat { "VAT" } else { "FC" });
            x.close("cac:TaxScheme");
            x.close("cac:PartyTaxScheme");
        }
    }
    x.open("cac:PartyLegalEntity");
    x.leaf("cbc:RegistrationName", &one_line(party.name));
    if let Some(legal_id) = party.legal_id {
        x.leaf("cbc:CompanyID", legal_id.as_str());
    }
    x.close("cac:PartyLegalEntity");
    if party.phone.is_some() || party.email.is_some() {
        x.open("cac:Contact");
        if party.registration_allowed {
            // BT-41: the seller's contact point (XRechnung requires one, BR-DE-5).
            x.leaf("cbc:Name", &one_line(party.name));
        }
        if let Some(phone) = party.phone {
            x.leaf("cbc:Telephone", phone);
        }
        if let Some(email) = party.email {
            x.leaf("cbc:ElectronicMail", email);
        }
        x.close("cac:Contact");
    }
    x.close("cac:Party");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_units_get_their_recommendation_20_codes() {
        assert_eq!(unit_code(Some("hours")), "HUR");
        assert_eq!(unit_code(Some(" Day ")), "DAY");
        assert_eq!(unit_code(Some("licence")), "C62");
        assert_eq!(unit_code(None), "C62");
    }
}
