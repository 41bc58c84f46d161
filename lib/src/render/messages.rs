//! What a customer reads, in the customer's language: the message files of `lib/locales/<lang>/`
//! (Project Fluent), compiled into the binary and parsed once per process. A language without a
//! file falls back to English; a test fails naming any message one language lacks.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// Every language a customer may read documents in, with its messages.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en/documents.ftl")),
    ("de", include_str!("../../locales/de/documents.ftl")),
    ("fr", include_str!("../../locales/fr/documents.ftl")),
    ("nl", include_str!("../../locales/nl/documents.ftl")),
    ("es", include_str!("../../locales/es/documents.ftl")),
    ("it", include_str!("../../locales/it/documents.ftl")),
];

/// One language's messages.
pub struct Messages {
    language: &'static str,
    bundle: FluentBundle<FluentResource>,
}

fn load(language: &'static str, source: &'static str) -> Messages {
    let id: LanguageIdentifier = language.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Plain text: no bidi isolation marks around arguments (a PDF, an e-mail).
    bundle.set_use_isolating(false);
    // A file that does not parse keeps what it could: the completeness test names the rest.
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    Messages { language, bundle }
}

/// The messages of `language` (a BCP 47 tag: its language subtag counts), else English's.
pub fn messages(language: &str) -> &'static Messages {
    static ALL: OnceLock<Vec<Messages>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        LANGUAGES
            .iter()
            .map(|(language, source)| load(language, source))
            .collect()
    });
    let wanted = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    all.iter()
        .find(|messages| messages.language == wanted)
        .unwrap_or(&all[0])
}

impl Messages {
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
            fluent_args.set(*name, *value);
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

    #[test]
    fn every_language_has_every_message_and_each_formats() {
        let english = ids(LANGUAGES[0].1);
        assert!(english.len() > 40, "{english:?}");
        let mut missing = Vec::new();
        for (language, source) in LANGUAGES {
            let resource = FluentResource::try_new((*source).to_owned());
            assert!(resource.is_ok(), "{language}: the file does not parse");
            let theirs = ids(source);
            for id in &english {
                let messages = messages(language);
                let has = theirs.contains(id) && messages.bundle.get_message(id).is_some();
                if !has {
                    missing.push(format!("{language}: {id}"));
                    continue;
                }
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
                ];
                let pattern = messages.bundle.get_message(id).and_then(|m| m.value());
                let mut errors = Vec::new();
                if let Some(pattern) = pattern {
                    let mut fluent_args = FluentArgs::new();
                    for (name, value) in args {
                        fluent_args.set(name, value);
                    }
                    messages
                        .bundle
                        .format_pattern(pattern, Some(&fluent_args), &mut errors);
                }
                assert!(errors.is_empty(), "{language}: {id}: {errors:?}");
            }
            for id in theirs.iter().filter(|id| !english.contains(id)) {
                missing.push(format!("en: {id} (only in {language})"));
            }
        }
        assert!(missing.is_empty(), "messages missing: {missing:?}");
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
