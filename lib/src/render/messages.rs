//! What a customer reads, in the customer's language: the message files of `lib/locales/<lang>/`
//! (Project Fluent), compiled into the binary and parsed once per process. A language without a
//! file falls back to English; a test fails naming any message one language lacks.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

use crate::domain::tax::TaxCategory;

/// Every language a customer may read documents in, with its messages: the documents' texts
/// and the names of countries.
pub const LANGUAGES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            include_str!("../../locales/en/documents.ftl"),
            include_str!("../../locales/en/countries.ftl"),
        ],
    ),
    (
        "de",
        &[
            include_str!("../../locales/de/documents.ftl"),
            include_str!("../../locales/de/countries.ftl"),
        ],
    ),
    (
        "fr",
        &[
            include_str!("../../locales/fr/documents.ftl"),
            include_str!("../../locales/fr/countries.ftl"),
        ],
    ),
    (
        "nl",
        &[
            include_str!("../../locales/nl/documents.ftl"),
            include_str!("../../locales/nl/countries.ftl"),
        ],
    ),
    (
        "es",
        &[
            include_str!("../../locales/es/documents.ftl"),
            include_str!("../../locales/es/countries.ftl"),
        ],
    ),
    (
        "it",
        &[
            include_str!("../../locales/it/documents.ftl"),
            include_str!("../../locales/it/countries.ftl"),
        ],
    ),
];

/// Every language the owner's web app is written in: its texts and the names of countries.
pub const APP_LANGUAGES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            include_str!("../../locales/en/app.ftl"),
            include_str!("../../locales/en/countries.ftl"),
        ],
    ),
    (
        "de",
        &[
            include_str!("../../locales/de/app.ftl"),
            include_str!("../../locales/de/countries.ftl"),
        ],
    ),
];

/// One language's messages.
pub struct Messages {
    language: &'static str,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

fn load(language: &'static str, sources: &[&'static str]) -> Messages {
    let id: LanguageIdentifier = language.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Plain text: no bidi isolation marks around arguments (a PDF, an e-mail, an HTML text
    // node, where the page's own direction applies).
    bundle.set_use_isolating(false);
    for source in sources {
        // A file that does not parse keeps what it could: the completeness test names the rest.
        let resource =
            FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(partial, _)| partial);
        let _ = bundle.add_resource(resource);
    }
    Messages { language, bundle }
}

/// The language subtag of a BCP 47 tag, in lower case (`de-AT` → `de`).
pub fn language_of(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn pick(all: &'static [Messages], language: &str) -> &'static Messages {
    let wanted = language_of(language);
    all.iter()
        .find(|messages| messages.language == wanted)
        .unwrap_or(&all[0])
}

/// The messages of `language` (a BCP 47 tag: its language subtag counts), else English's.
pub fn messages(language: &str) -> &'static Messages {
    static ALL: OnceLock<Vec<Messages>> = OnceLock::new();
    pick(
        ALL.get_or_init(|| LANGUAGES.iter().map(|(l, s)| load(l, s)).collect()),
        language,
    )
}

/// The web app's messages in `language`, else English's.
pub fn app_messages(language: &str) -> &'static Messages {
    static ALL: OnceLock<Vec<Messages>> = OnceLock::new();
    pick(
        ALL.get_or_init(|| APP_LANGUAGES.iter().map(|(l, s)| load(l, s)).collect()),
        language,
    )
}

impl Messages {
    /// The language these messages are in (`de`).
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// A country's name (`DE` → `Deutschland`), or its code where the code is not a country.
    pub fn country(&self, code: &str) -> String {
        let id = format!("country-{code}");
        match self.bundle.get_message(&id) {
            Some(_) => self.text(&id),
            None => code.to_owned(),
        }
    }

    /// Whether there is a message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// What the law has an invoice say when a category charges no VAT (Directive 2006/112/EC,
    /// article 226 (11) and (11a)), in this language; an exempt line's own reason. The PDF
    /// prints it and the e-invoice states it (BT-120).
    pub fn legal_wording(&self, category: TaxCategory, reason: Option<&str>) -> Option<String> {
        Some(match category {
            TaxCategory::Standard | TaxCategory::ZeroRated => return None,
            TaxCategory::Exempt => match reason {
                Some(reason) => reason.to_owned(),
                None => self.text("legal-exempt"),
            },
            TaxCategory::ReverseCharge => self.text("legal-reverse-charge"),
            TaxCategory::IntraCommunity => self.text("legal-intra-community"),
            TaxCategory::Export => self.text("legal-export"),
            TaxCategory::NotSubject => self.text("legal-not-subject"),
        })
    }

    /// The message `id`.
    pub fn text(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// The message `id` with its arguments.
    pub fn with(&self, id: &str, args: &[(&str, &str)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            // `count` chooses a plural (`[one]`), so it is a number; every other argument is
            // text (an id's leading zeros are its own).
            match value.parse::<i64>() {
                Ok(count) if *name == "count" => fluent_args.set(*name, count),
                _ => fluent_args.set(*name, *value),
            }
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids a file defines.
    fn ids(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|line| !line.starts_with('#') && !line.starts_with(' '))
            .filter_map(|line| line.split_once(" = ").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    /// The messages `catalogue`'s languages lack (English's are the reference), and any a
    /// language has that English has not; each message formats without an error.
    fn missing(
        catalogue: &[(&str, &[&str])],
        load: fn(&str) -> &'static Messages,
        args: &[(&str, &str)],
    ) -> Vec<String> {
        let english: Vec<String> = catalogue[0].1.iter().flat_map(|s| ids(s)).collect();
        let mut missing = Vec::new();
        for (language, sources) in catalogue {
            for source in *sources {
                let resource = FluentResource::try_new((*source).to_owned());
                assert!(resource.is_ok(), "{language}: a file does not parse");
            }
            let theirs: Vec<String> = sources.iter().flat_map(|s| ids(s)).collect();
            let messages = load(language);
            assert_eq!(messages.language(), *language);
            for id in &english {
                let Some(pattern) = messages.bundle.get_message(id).and_then(|m| m.value()) else {
                    missing.push(format!("{language}: {id}"));
                    continue;
                };
                if !theirs.contains(id) {
                    missing.push(format!("{language}: {id}"));
                }
                let mut fluent_args = FluentArgs::new();
                for (name, value) in args {
                    fluent_args.set(*name, *value);
                }
                let mut errors = Vec::new();
                messages
                    .bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors);
                assert!(errors.is_empty(), "{language}: {id}: {errors:?}");
            }
            for id in theirs.iter().filter(|id| !english.contains(id)) {
                missing.push(format!("en: {id} (only in {language})"));
            }
        }
        missing
    }

    #[test]
    fn every_language_has_every_message_and_each_formats() {
        let english: Vec<String> = LANGUAGES[0].1.iter().flat_map(|s| ids(s)).collect();
        assert!(english.len() > 240, "{}", english.len());
        let args = [
            ("id", "X"),
            ("number", "X"),
            ("percent", "X"),
            ("rate", "X"),
            ("base", "X"),
            ("holder", "X"),
            ("iban", "X"),
            ("bic", "X"),
            ("reference", "X"),
            ("email", "X"),
            ("page", "1"),
            ("pages", "2"),
            ("seller", "X"),
            ("total", "X"),
            ("due", "X"),
            ("invoice", "X"),
            ("link", "X"),
            ("answer", "yes"),
            ("name", "X"),
            ("buyer", "X"),
            ("reason", "X"),
            ("stage", "1"),
            ("date", "X"),
            ("days", "31"),
            ("claimed", "X"),
            ("when", "X"),
            ("left", "9"),
            ("url", "https://hooks.example.com/in"),
            ("address", "new@example.com"),
        ];
        let missing = missing(LANGUAGES, messages, &args);
        assert!(missing.is_empty(), "messages missing: {missing:?}");
    }

    #[test]
    fn the_web_app_has_every_message_in_each_of_its_languages() {
        let english: Vec<String> = APP_LANGUAGES[0].1.iter().flat_map(|s| ids(s)).collect();
        assert!(english.len() > 250, "{}", english.len());
        let args = [
            ("n", "1"),
            ("count", "2"),
            ("name", "X"),
            ("number", "X"),
            ("date", "X"),
            ("currency", "EUR"),
            ("query", "X"),
            ("amount", "X"),
            ("rate", "X"),
            ("base", "X"),
            ("checkpoints", "2"),
            ("sealed", "9"),
            ("unsealed", "1"),
        ];
        let missing = missing(APP_LANGUAGES, app_messages, &args);
        assert!(missing.is_empty(), "messages missing: {missing:?}");
    }

    #[test]
    fn a_missing_message_is_named_with_its_language() {
        const BROKEN: &[(&str, &[&str])] = &[
            ("en", &["hello = Hello\nbye = Bye\n"]),
            ("de", &["hello = Hallo\n"]),
        ];
        fn load(language: &str) -> &'static Messages {
            static ALL: OnceLock<Vec<Messages>> = OnceLock::new();
            pick(
                ALL.get_or_init(|| BROKEN.iter().map(|(l, s)| super::load(l, s)).collect()),
                language,
            )
        }
        assert_eq!(missing(BROKEN, load, &[]), vec!["de: bye".to_owned()]);
    }

    #[test]
    fn a_mail_keeps_its_paragraphs() {
        let body = messages("de").with(
            "mail-invoice-body",
            &[
                ("number", "RE-1"),
                ("total", "10,00 €"),
                ("due", "1.1.2027"),
                ("seller", "Atelier"),
            ],
        );
        assert!(body.starts_with("Guten Tag,\n\nanbei"), "{body:?}");
        assert!(body.ends_with("Grüßen\nAtelier"), "{body:?}");
    }

    #[test]
    fn a_count_chooses_its_plural() {
        let one = app_messages("de").with("invoices-past-due", &[("count", "1")]);
        let two = app_messages("de").with("invoices-past-due", &[("count", "2")]);
        assert_eq!(
            (one.as_str(), two.as_str()),
            ("1 Rechnung überfällig", "2 Rechnungen überfällig")
        );
    }

    #[test]
    fn countries_are_named_in_the_reader_s_language() {
        assert_eq!(messages("de").country("BE"), "Belgien");
        assert_eq!(messages("fr-BE").country("DE"), "Allemagne");
        assert_eq!(messages("en").country("GB"), "United Kingdom");
        assert_eq!(app_messages("de").country("NL"), "Niederlande");
        assert_eq!(messages("nl").country("XK"), "XK");
    }

    #[test]
    fn every_language_a_customer_may_choose_has_its_messages() {
        for language in crate::domain::values::Language::SUPPORTED {
            let has = LANGUAGES.iter().any(|(code, _)| code == language);
            assert!(has, "no messages for {language}");
        }
        assert_eq!(
            LANGUAGES.len(),
            crate::domain::values::Language::SUPPORTED.len()
        );
    }

    #[test]
    fn a_language_without_messages_reads_english_and_arguments_are_plain() {
        assert_eq!(messages("de-AT").text("invoice"), "Rechnung");
        assert_eq!(messages("pt-BR").text("invoice"), "Invoice");
        assert_eq!(
            messages("fr").with("page-of", &[("page", "1"), ("pages", "3")]),
            "Page 1 sur 3"
        );
    }
}
