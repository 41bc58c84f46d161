//! A document as an e-mail: one MIME message (RFC 5322) with the text and the files, built by
//! `mail-builder`, for Amazon SES's raw form (the simple form drops attachments).

use crate::domain::Timestamp;
use crate::domain::values::EmailAddress;

/// A file the message carries.
pub struct Attachment {
    pub content_type: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What one message says, from whom, to whom.
pub struct Letter<'a> {
    /// The platform's sending address (`documents@…`), named after the company.
    pub from: (&'a str, &'a str),
    /// Where answers go: the company's own address.
    pub reply_to: Option<&'a str>,
    pub to: &'a [EmailAddress],
    pub cc: &'a [EmailAddress],
    pub subject: &'a str,
    pub text: &'a str,
    pub attachments: Vec<Attachment>,
    /// The message's `Date`.
    pub at: Timestamp,
}

/// The message, ready to hand to the mail service.
pub fn mime(letter: Letter<'_>) -> std::io::Result<Vec<u8>> {
    let addresses = |list: &[EmailAddress]| -> Vec<String> {
        list.iter().map(|a| a.as_str().to_owned()).collect()
    };
    let mut message = mail_builder::MessageBuilder::new()
        .from(letter.from)
        .to(addresses(letter.to))
        .subject(letter.subject)
        .date(letter.at.unix_seconds())
        .text_body(letter.text);
    if !letter.cc.is_empty() {
        message = message.cc(addresses(letter.cc));
    }
    if let Some(reply_to) = letter.reply_to {
        message = message.reply_to(reply_to);
    }
    for file in letter.attachments {
        message = message.attachment(file.content_type, file.name, file.bytes);
    }
    message.write_to_vec()
}
