//! A document e-mailed to its customer: who it went to, what it said, and the mail service's
//! id of the message, recorded once the service accepted it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Timestamp;
use super::values::{DocumentText, EmailAddress, MailSubject};

/// The most recipients one message may have, `to` and `cc` together (Amazon SES's limit).
pub const MAX_RECIPIENTS: usize = 50;

/// One message that carried the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Sending {
    /// The mail service's id of the message (Amazon SES's `MessageId`).
    pub message_id: String,
    pub to: Vec<EmailAddress>,
    #[serde(default)]
    pub cc: Vec<EmailAddress>,
    pub subject: MailSubject,
    /// When the mail service accepted it.
    pub at: Timestamp,
}

/// What the owner asks of a send; each part may be left to the account's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// The recipients; the customer's e-mail address when not given (or empty).
    #[serde(default)]
    pub to: Option<Vec<EmailAddress>>,
    /// Copies, seen by every recipient.
    #[serde(default)]
    pub cc: Vec<EmailAddress>,
    /// The subject; by default the document's number and the seller, in the customer's
    /// language.
    #[serde(default)]
    pub subject: Option<MailSubject>,
    /// The message above the attachments; by default one in the customer's language with the
    /// amount and the due date.
    #[serde(default)]
    pub message: Option<DocumentText>,
}

/// What the owner asks of a proposal's send: numbered (if a draft) and, unless `email` is
/// false, e-mailed as [`SendRequest`] says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalSendRequest {
    /// `false` only numbers a draft (to send it some other way); `true` e-mails it or fails;
    /// absent, it is e-mailed when there is someone to send it to.
    #[serde(default)]
    pub email: Option<bool>,
    #[serde(default)]
    pub to: Option<Vec<EmailAddress>>,
    #[serde(default)]
    pub cc: Vec<EmailAddress>,
    #[serde(default)]
    pub subject: Option<MailSubject>,
    #[serde(default)]
    pub message: Option<DocumentText>,
}

impl ProposalSendRequest {
    /// The e-mail's part of the request.
    pub fn mail(self) -> SendRequest {
        SendRequest {
            to: self.to,
            cc: self.cc,
            subject: self.subject,
            message: self.message,
        }
    }
}
