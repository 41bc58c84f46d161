//! Validated values: parse, don't validate. Each type can only hold a valid value, and each
//! deserialises from JSON through its parser, so a refused value is reported with its field path.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Why a value was refused; the message is shown to the client next to the field's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn refuse<T>(why: impl Into<String>) -> Result<T, ValueError> {
    Err(ValueError(why.into()))
}

/// Declares a string-backed value type: serde through `parse`, `Display`, `as_str`, and an
/// OpenAPI string schema.
macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident, $description:expr, min = $min:expr, max = $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A constant known to be valid (each use is pinned by a unit test that parses it).
            /// Skips the parser, so a binary that only writes defaults does not link it.
            #[allow(dead_code)]
            pub(crate) fn from_trusted(text: &'static str) -> Self {
                Self(text.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Values may be personal data; debug output never shows them.
                write!(f, "{}({} chars)", stringify!($name), self.0.chars().count())
            }
        }

        impl FromStr for $name {
            type Err = ValueError;

            fn from_str(s: &str) -> Result<Self, ValueError> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                Self::refine_schema(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String)
                        .description(Some($description))
                        .min_length($min)
                        .max_length($max),
                )
                .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

/// Declares a free-text type of `min..=max` characters, trimmed; `multiline` allows line breaks
/// and tabs, otherwise no control character is accepted.
macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $min:literal, $max:literal, multiline = $multiline:literal) => {
        string_value!($(#[$doc])* $name, concat!("Text of ", $min, " to ", $max, " characters."),
            min = Some($min), max = Some($max));

        impl $name {
            pub const MAX_CHARS: usize = $max;

            /// What the parser accepts, as a pattern: no control character (but line breaks and
            /// tabs in multi-line text), no leading or trailing white space (it is trimmed).
            fn refine_schema(
                builder: utoipa::openapi::ObjectBuilder,
            ) -> utoipa::openapi::ObjectBuilder {
                builder.pattern(Some(text_pattern($min == 0, $multiline)))
            }

            pub fn parse(text: &str) -> Result<Self, ValueError> {
                parse_text(text, $min, $max, $multiline).map(Self)
            }
        }
    };
}

/// Characters no text of ours may hold: those XML forbids or discourages (the noncharacters of
/// the basic plane, U+FFFE and U+FFFF among them: an e-invoice holding one is not well-formed), and the bidi
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a name in a
/// list read as another. (A lone surrogate cannot be in a `str`; JSON holding one is refused
/// when it is parsed.)
fn is_refused(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{fdd0}'..='\u{fdef}'
            | '\u{fffe}'
            | '\u{ffff}'
    )
}

/// The JSON Schema pattern of a free-text value (see [`parse_text`]); `\s` and the escapes are
/// ECMA-262's, which OpenAPI 3.1 uses.
fn text_pattern(may_be_empty: bool, multiline: bool) -> &'static str {
    match (may_be_empty, multiline) {
        (false, false) => {
            r"^[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]([^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]*[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff])?$"
        }
        (true, false) => {
            r"^([^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]([^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]*[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff])?)?$"
        }
        (false, true) => {
            r"^[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]([^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]*[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff])?$"
        }
        (true, true) => {
            r"^([^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]([^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]*[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff])?)?$"
        }
    }
}

fn parse_text(text: &str, min: usize, max: usize, multiline: bool) -> Result<String, ValueError> {
    let text = text.trim();
    let count = text.chars().count();
    if count < min {
        return refuse(if min == 1 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters")
        });
    }
    if count > max {
        return refuse(format!("must be at most {max} characters"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !text.chars().all(allowed) {
        return refuse("must not contain control characters");
    }
    if let Some(c) = text.chars().find(|c| is_refused(*c)) {
        return refuse(format!(
            "must not contain U+{:04X} (a noncharacter or a bidi control)",
            u32::from(c)
        ));
    }
    Ok(text.to_owned())
}

text_value!(
    /// A person's or a business's name.
    Name, 1, 200, multiline = false
);
text_value!(
    /// A customer's name as printed on documents: may run over lines ("Firm\nc/o Department").
    CustomerName, 1, 200, multiline = true
);
text_value!(
    /// One line of a postal address, a city or a region.
    AddressLine, 1, 100, multiline = false
);
text_value!(
    /// A postal or ZIP code.
    PostalCode, 1, 20, multiline = false
);
text_value!(
    /// A tax or VAT registration number, as the authority writes it.
    TaxId, 1, 64, multiline = false
);
text_value!(
    /// A number prefix such as `INV-`.
    NumberPrefix, 0, 16, multiline = false
);
text_value!(
    /// A payment's reference as the bank or card statement shows it.
    PaymentReference, 1, 200, multiline = false
);
text_value!(
    /// A reference a buyer quotes: its own reference for the document (a Leitweg-ID, a cost
    /// centre) or its purchase order's number.
    DocumentReference, 1, 200, multiline = false
);
text_value!(
    /// An e-mail's subject: one line.
    MailSubject, 1, 200, multiline = false
);
text_value!(
    /// Free text shown on documents (notes, footers).
    DocumentText, 1, 4000, multiline = true
);

string_value!(
    /// An email address (RFC 5321/5322 syntax), as the user wrote it.
    EmailAddress, "An email address.", min = Some(3), max = Some(254)
);

impl EmailAddress {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Email,
            )))
            // A plain dot-atom address: what every mail system accepts.
            .pattern(Some(
                r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
            ))
            .examples(["ann@example.com"])
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        if text.len() > 254 {
            return refuse("must be at most 254 characters");
        }
        match email_address::EmailAddress::from_str(text) {
            // A display name ("Ann <ann@example.com>") is not an address.
            Ok(parsed) if parsed.as_str() == text && parsed.display_part().is_empty() => {
                Ok(Self(text.to_owned()))
            }
            _ => refuse("is not an email address"),
        }
    }

    /// The form that identifies a login: trimmed and lower-cased, so `Ann@Example.com` and
    /// `ann@example.com` are one account.
    pub fn normalised(&self) -> String {
        self.0.to_lowercase()
    }
}

string_value!(
    /// A telephone number: digits, spaces and `+ - ( ) .`.
    PhoneNumber, "A telephone number: digits, spaces and + - ( ) .", min = Some(3), max = Some(32)
);

impl PhoneNumber {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder
            .pattern(Some(
                r"^(?=(.*[0-9]){3})[0-9+()\-.]([0-9+()\-. ]*[0-9+()\-.])?$",
            ))
            .examples(["+49 30 1234567"])
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if text.len() > 32 || !text.chars().all(allowed) || digits < 3 {
            return refuse(
                "must be a telephone number of at most 32 characters: digits, spaces and + - ( ) .",
            );
        }
        Ok(Self(text.to_owned()))
    }
}

string_value!(
    /// An `http` or `https` URL.
    WebsiteUrl, "An http or https URL.", min = Some(1), max = Some(2048)
);

impl WebsiteUrl {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder
            .pattern(Some(
                r"^https?://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(/[A-Za-z0-9._~-]*)*$",
            ))
            .examples(["https://example.com/"])
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        if text.len() > 2048 {
            return refuse("must be at most 2048 characters");
        }
        match url::Url::parse(text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Ok(Self(url.into()))
            }
            _ => refuse("must be an http or https URL"),
        }
    }
}

string_value!(
    /// An IBAN (ISO 13616), checked against its country's length and its check digits; kept in
    /// the electronic form, upper case without spaces (`DE89370400440532013000`).
    Iban, "An IBAN; spaces are allowed and dropped.", min = Some(15), max = Some(42)
);

impl Iban {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder
            .pattern(Some(r"^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{11,38}$"))
            .examples(["DE89 3704 0044 0532 0130 00"])
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        use iban::IbanLike;
        match text.trim().to_uppercase().parse::<iban::Iban>() {
            Ok(iban) => Ok(Self(iban.electronic_str().to_owned())),
            Err(_) => refuse("is not a valid IBAN (its country, length or check digits are wrong)"),
        }
    }

    /// The print form: groups of four (`DE89 3704 0044 0532 0130 00`).
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

string_value!(
    /// A BIC (ISO 9362): 4 letters for the institution, its country, 2 characters of location
    /// and, optionally, 3 of branch (`COBADEFFXXX`), upper case.
    Bic, "A BIC of 8 or 11 characters.", min = Some(8), max = Some(11)
);

impl Bic {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder
            .pattern(Some(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$"))
            .examples(["COBADEFFXXX"])
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let shaped = matches!(bytes.len(), 8 | 11)
            && bytes[..4].iter().all(u8::is_ascii_uppercase)
            && bytes[6..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !shaped || Country::parse(&text[4..6]).is_err() {
            return refuse(
                "must be a BIC: 4 letters, a country code, 2 letters or digits, optionally 3 more",
            );
        }
        Ok(Self(text.to_owned()))
    }
}

string_value!(
    /// An ISO 3166-1 alpha-2 country code, upper case (`CA`, `DE`).
    Country, "ISO 3166-1 alpha-2 country code, e.g. CA.", min = Some(2), max = Some(2)
);

impl Country {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder.enum_values(Some(
            isocountry::CountryCode::iter().map(|code| code.alpha2()),
        ))
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        match isocountry::CountryCode::for_alpha2(text) {
            Ok(code) if text.bytes().all(|b| b.is_ascii_uppercase()) => {
                Ok(Self(code.alpha2().to_owned()))
            }
            _ => refuse("must be an ISO 3166-1 alpha-2 country code, e.g. CA"),
        }
    }
}

string_value!(
    /// A language a customer reads their documents in: `en`, `de`, `fr`, `nl`, `es`, `it`.
    Language, "A language documents are written in: en, de, fr, nl, es or it.", min = Some(2), max = Some(2)
);

impl Language {
    /// Every language documents are written in (each has its messages in `lib/locales`).
    pub const SUPPORTED: &'static [&'static str] = &["en", "de", "fr", "nl", "es", "it"];

    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder.enum_values(Some(Self::SUPPORTED.iter().copied()))
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        if Self::SUPPORTED.contains(&text) {
            Ok(Self(text.to_owned()))
        } else {
            refuse("must be one of en, de, fr, nl, es, it")
        }
    }
}

string_value!(
    /// A VAT exemption reason code of the CEF VATEX list (EN 16931 BT-121), e.g.
    /// `VATEX-EU-132-1I`.
    VatexCode, "A VATEX code (BT-121), e.g. VATEX-EU-132-1I.", min = Some(8), max = Some(30)
);

impl VatexCode {
    const PATTERN: &'static str = r"^VATEX-[A-Z]{2}(-[A-Z0-9]{1,10}){1,3}$";

    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        builder.pattern(Some(Self::PATTERN))
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let rest = text.strip_prefix("VATEX-").unwrap_or_default();
        let mut parts = rest.split('-');
        let country = parts.next().unwrap_or_default();
        let tail: Vec<&str> = parts.collect();
        let shaped = country.len() == 2
            && country.bytes().all(|b| b.is_ascii_uppercase())
            && (1..=3).contains(&tail.len())
            && tail.iter().all(|part| {
                (1..=10).contains(&part.len())
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            });
        if shaped && text.len() <= 30 {
            Ok(Self(text.to_owned()))
        } else {
            refuse("must be a VATEX code, e.g. VATEX-EU-132-1I")
        }
    }
}

/// An ISO 4217 currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        match iso_currency::Currency::from_code(text) {
            Some(currency) if currency.exponent().is_some() => Ok(Self(currency)),
            // Funds and metals (XAU, XDR…) have no minor unit: not a currency to invoice in.
            _ => refuse("must be an ISO 4217 currency code, e.g. EUR"),
        }
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Every code [`Currency::parse`] accepts, in order (for the API's schema). Found by ISO
    /// 4217 numeric code: a thousand table lookups, cheap enough for a cold start.
    /// Computed once per process: every route that names a currency asks for it at start-up.
    pub fn codes() -> &'static [&'static str] {
        static CODES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
            let mut codes: Vec<&'static str> = (0..1000)
                .filter_map(iso_currency::Currency::from_numeric)
                .filter(|currency| currency.exponent().is_some())
                .map(|currency| currency.code())
                .collect();
            codes.sort_unstable();
            codes.dedup();
            codes
        });
        &CODES
    }

    /// Digits after the decimal point of the currency's minor unit (2 for EUR, 0 for JPY).
    pub fn minor_units(&self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("ISO 4217 currency code, e.g. EUR."))
            .enum_values(Some(Self::codes().iter().copied()))
            .into()
    }
}

impl utoipa::ToSchema for Currency {}

string_value!(
    /// A BCP 47 language tag (`en-CA`, `fr-CA`), in canonical form.
    Locale, "BCP 47 language tag, e.g. en-CA.", min = Some(2), max = Some(35)
);

impl Locale {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        // Language, optional script, optional region, in canonical case.
        builder
            .pattern(Some(
                r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$",
            ))
            .examples(["en-CA"])
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        match icu_locale_core::Locale::try_from_str(text) {
            Ok(locale) if text.len() <= 35 && !locale.id.language.is_unknown() => {
                Ok(Self(locale.to_string()))
            }
            _ => refuse("must be a BCP 47 language tag, e.g. en-CA"),
        }
    }
}

impl Locale {
    /// The language and region of a tag, nothing else (`de-DE-u-co-phonebk` → `de-DE`), as the
    /// schema's pattern allows.
    fn plain(text: &str) -> Option<Self> {
        let id = icu_locale_core::Locale::try_from_str(text).ok()?.id;
        if id.language.is_unknown() || text.len() > 35 {
            return None;
        }
        Some(match id.region {
            Some(region) => Self(format!("{}-{}", id.language, region)),
            None => Self(id.language.to_string()),
        })
    }

    /// The browser's first language by weight, from an `Accept-Language` header
    /// (`fr-CH, fr;q=0.9, en;q=0.8` → `fr-CH`). At most the first 16 entries are read; `*` and
    /// what is not a language tag are passed over.
    pub fn preferred(accept_language: &str) -> Option<Self> {
        let mut best: Option<(u16, Self)> = None;
        for entry in accept_language.split(',').take(16) {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), |q| {
                    q.parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .map(|q| (q * 1000.0) as u16)
                });
            let (Some(weight), Some(locale)) = (weight, Self::plain(tag)) else {
                continue;
            };
            if weight > 0 && tag != "*" && best.as_ref().is_none_or(|(w, _)| weight > *w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// The usual locale of a business in `country` (`BE` → `nl-BE`), for the member states of
    /// the EU and EEA and the countries our customers most often trade from.
    pub fn of_country(country: &Country) -> Option<Self> {
        let language = match country.as_str() {
            "DE" | "AT" | "LI" | "CH" => "de",
            "FR" | "LU" | "MC" => "fr",
            "NL" | "BE" => "nl",
            "ES" => "es",
            "IT" | "SM" | "VA" => "it",
            "PT" => "pt",
            "PL" => "pl",
            "CZ" => "cs",
            "SK" => "sk",
            "SI" => "sl",
            "HR" => "hr",
            "HU" => "hu",
            "RO" => "ro",
            "BG" => "bg",
            "GR" | "CY" => "el",
            "DK" => "da",
            "SE" => "sv",
            "FI" => "fi",
            "EE" => "et",
            "LV" => "lv",
            "LT" => "lt",
            "NO" => "nb",
            "IS" => "is",
            "IE" | "MT" | "GB" | "US" | "CA" | "AU" | "NZ" => "en",
            _ => return None,
        };
        Self::plain(&format!("{language}-{}", country.as_str()))
    }
}

string_value!(
    /// An IANA time zone name (`America/Toronto`, `UTC`).
    TimeZone, "IANA time zone name, e.g. America/Toronto.", min = Some(1), max = Some(64)
);

/// The time-zone database compiled in: the same on every machine, no file read at run time, and
/// one per process, so that its cache of parsed zones is kept.
static TIME_ZONES: std::sync::LazyLock<jiff::tz::TimeZoneDatabase> =
    std::sync::LazyLock::new(jiff::tz::TimeZoneDatabase::bundled);

impl TimeZone {
    fn refine_schema(builder: utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder {
        static NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
            let mut names: Vec<String> = TIME_ZONES
                .available()
                .map(|name| name.to_string())
                .filter(|name| name.len() <= 64)
                .collect();
            names.sort();
            names
        });
        builder.enum_values(Some(NAMES.iter().cloned()))
    }

    /// The instant `date` ends in this zone (the next day begins).
    pub fn end_of(&self, date: super::time::Date) -> Option<super::Timestamp> {
        let zone = TIME_ZONES.get(&self.0).ok()?;
        date.plus_days(1).start_in(&zone)
    }

    /// The instant `date` begins in this zone.
    pub fn start_of(&self, date: super::time::Date) -> Option<super::Timestamp> {
        let zone = TIME_ZONES.get(&self.0).ok()?;
        date.start_in(&zone)
    }

    /// The day `at` falls on in this zone.
    pub fn today(&self, at: super::Timestamp) -> Option<super::time::Date> {
        let zone = TIME_ZONES.get(&self.0).ok()?;
        super::time::Date::on(at, &zone)
    }

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        if text.len() <= 64 && TIME_ZONES.get(text).is_ok() {
            Ok(Self(text.to_owned()))
        } else {
            refuse("must be an IANA time zone name, e.g. America/Toronto")
        }
    }
}

/// A non-negative decimal written plainly: 1 to `whole` digits, then optionally a point and 1 to
/// `fraction` digits (no sign, exponent, spaces or separators). What every decimal field of
/// the API accepts, each with its own limits.
pub(crate) fn plain_decimal(text: &str, whole: usize, fraction: usize) -> Option<Decimal> {
    let digits = |part: &str, max: usize| {
        (1..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let well_formed = match text.split_once('.') {
        Some((int, frac)) => digits(int, whole) && digits(frac, fraction),
        None => digits(text, whole),
    };
    well_formed
        .then(|| Decimal::from_str_exact(text).ok())
        .flatten()
}

/// A percentage from 0 to 100 with at most 3 decimals (`"9.975"`), written as a string so that
/// no binary floating point ever touches it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Percentage(Decimal);

impl Percentage {
    pub const MAX_DECIMALS: u32 = 3;

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let refused =
            || refuse("must be a percentage from 0 to 100 with at most 3 decimals, e.g. \"9.975\"");
        let Some(value) = plain_decimal(text, 3, Self::MAX_DECIMALS as usize) else {
            return refused();
        };
        if value.scale() > Self::MAX_DECIMALS || value > Decimal::ONE_HUNDRED {
            return refused();
        }
        Ok(Self(value.normalize()))
    }

    pub fn zero() -> Self {
        Self(Decimal::ZERO)
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Percentage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Percentage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Percentage {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A percentage from 0 to 100 with at most 3 decimals, as a string.",
            ))
            .pattern(Some(r"^(100(\.0{1,3})?|[0-9]{1,2}(\.[0-9]{1,3})?)$"))
            .examples(["9.975"])
            .into()
    }
}

impl utoipa::ToSchema for Percentage {}

/// A postal address. Every address in the API has this one shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street lines, 1 to 4.
    pub lines: AddressLines,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<AddressLine>,
    /// State, province or county.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<AddressLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<PostalCode>,
    pub country: Country,
}

/// One to four street lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AddressLines(Vec<AddressLine>);

impl utoipa::PartialSchema for AddressLines {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ArrayBuilder::new()
            .items(<AddressLine as utoipa::PartialSchema>::schema())
            .min_items(Some(1))
            .max_items(Some(Self::MAX))
            .description(Some("One to four street lines."))
            .into()
    }
}

impl utoipa::ToSchema for AddressLines {}

impl AddressLines {
    pub const MAX: usize = 4;

    pub fn new(lines: Vec<AddressLine>) -> Result<Self, ValueError> {
        if lines.is_empty() || lines.len() > Self::MAX {
            return refuse(format!("must hold 1 to {} lines", Self::MAX));
        }
        Ok(Self(lines))
    }

    pub fn lines(&self) -> &[AddressLine] {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for AddressLines {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let lines = Vec::<AddressLine>::deserialize(d)?;
        Self::new(lines).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_currency_code_in_the_schema_parses_and_the_common_ones_are_there() {
        let codes = Currency::codes();
        for code in codes {
            assert!(Currency::parse(code).is_ok(), "{code}");
        }
        for code in ["EUR", "USD", "JPY", "KWD", "CAD", "GBP", "CHF"] {
            assert!(codes.contains(&code), "{code}");
        }
        assert!(!codes.contains(&"XAU"), "metals have no minor unit");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("  Ölçü Ltd  ").map(|n| n.to_string()),
            Ok("Ölçü Ltd".into())
        );
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"x".repeat(201)).is_err());
        assert!(Name::parse("tab\there").is_err());
        assert!(DocumentText::parse("line one\nline two").is_ok());
    }

    #[test]
    fn characters_xml_forbids_and_bidi_controls_are_refused() {
        for c in [
            '\u{fffe}', '\u{ffff}', '\u{fdd0}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
        ] {
            let text = format!("Ann{c} Ltd");
            assert!(Name::parse(&text).is_err(), "U+{:04X}", u32::from(c));
            assert!(
                DocumentText::parse(&text).is_err(),
                "U+{:04X}",
                u32::from(c)
            );
        }
        // Right-to-left text, its marks, emoji and the replacement character are text.
        for text in ["شركة \u{200f}ألف", "Café 🧾", "\u{fffd}", "ALEF\u{200e}"] {
            assert!(Name::parse(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn email_addresses_are_parsed_and_normalised() {
        let email = EmailAddress::parse(" Ann@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "Ann@Example.COM");
        assert_eq!(email.normalised(), "ann@example.com");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "Ann <ann@example.com>",
            "a b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn countries_and_currencies_follow_iso() {
        assert!(Country::parse("CA").is_ok());
        for bad in ["ca", "XX", "CAN", ""] {
            assert!(Country::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Currency::parse("JPY").map(|c| c.minor_units()), Ok(0));
        assert_eq!(Currency::parse("EUR").map(|c| c.minor_units()), Ok(2));
        assert_eq!(Currency::parse("BHD").map(|c| c.minor_units()), Ok(3));
        for bad in ["eur", "EURO", "XAU", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn percentages_keep_three_decimals_at_most() {
        assert_eq!(
            Percentage::parse("9.975").map(|p| p.to_string()),
            Ok("9.975".into())
        );
        assert_eq!(
            Percentage::parse("20.000").map(|p| p.to_string()),
            Ok("20".into())
        );
        for bad in ["9.9751", "100.001", "-1", "1e2", "", " 5", "NaN", "5."] {
            assert!(Percentage::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_locale_from_the_browser_or_the_country() {
        let preferred = |h: &str| Locale::preferred(h).map(|l| l.to_string());
        assert_eq!(
            preferred("de-de,de;q=0.9,en;q=0.8").as_deref(),
            Some("de-DE")
        );
        assert_eq!(preferred("en;q=0.5, fr-FR").as_deref(), Some("fr-FR"));
        assert_eq!(preferred("*, nl;q=0.2").as_deref(), Some("nl"));
        assert_eq!(preferred("de-DE-u-co-phonebk").as_deref(), Some("de-DE"));
        assert_eq!(preferred("xx-!!, q=;;, de;q=2"), None);
        assert_eq!(preferred("en;q=0"), None);
        assert_eq!(preferred(""), None);
        let country =
            |c: &str| Locale::of_country(&Country::parse(c).unwrap()).map(|l| l.to_string());
        assert_eq!(country("BE").as_deref(), Some("nl-BE"));
        assert_eq!(country("AT").as_deref(), Some("de-AT"));
        assert_eq!(country("JP"), None);
    }

    #[test]
    fn locales_time_zones_phones_and_urls() {
        assert_eq!(
            Locale::parse("fr-ca").map(|l| l.to_string()),
            Ok("fr-CA".into())
        );
        assert!(Locale::parse("not a locale").is_err());
        assert!(TimeZone::parse("America/Toronto").is_ok());
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(PhoneNumber::parse("+1 (514) 555-0100").is_ok());
        assert!(PhoneNumber::parse("call me").is_err());
        assert!(WebsiteUrl::parse("https://example.com/").is_ok());
        assert!(WebsiteUrl::parse("javascript:alert(1)").is_err());
    }

    #[test]
    fn an_address_has_one_to_four_lines() {
        let json = |lines: &str| format!(r#"{{"lines": {lines}, "country": "CA"}}"#);
        assert!(serde_json::from_str::<Address>(&json(r#"["1 Main St"]"#)).is_ok());
        assert!(serde_json::from_str::<Address>(&json("[]")).is_err());
        assert!(serde_json::from_str::<Address>(&json(r#"["a","b","c","d","e"]"#)).is_err());
    }
}
