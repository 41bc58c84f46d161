//! Security notices: the e-mail a user gets, in the account's language, when something that
//! protects the account changed (the password, the e-mail address, the bank account on the
//! documents, the second factor), when a recovery code was used, or when the complete account was exported. Each
//! says what happened and when, and what to do if it was not them. It is sent after the change
//! committed; a mail service that fails is logged (the change stands, and is in the trail).

use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};

use crate::AppState;
use crate::domain::TenantId;
use crate::domain::account::User;
use crate::domain::settings::Settings;
use crate::domain::values::EmailAddress;
use crate::render::mail::{self, Letter};
use crate::render::messages::{language_of, messages};
use crate::store::{Collection, keys};

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    PasswordChanged,
    BankAccountChanged,
    CompleteExport,
    SecondFactorEnabled,
    SecondFactorDisabled,
    RecoveryCodeUsed {
        left: usize,
    },
    /// The user's e-mail address was changed, `to` this one.
    EmailChanged {
        to: String,
    },
    /// A webhook endpoint failing for three days was disabled.
    WebhookDisabled {
        url: String,
    },
}

impl Notice {
    fn message(&self) -> &'static str {
        match self {
            Self::PasswordChanged => "notice-password-changed",
            Self::BankAccountChanged => "notice-bank-account-changed",
            Self::CompleteExport => "notice-complete-export",
            Self::SecondFactorEnabled => "notice-second-factor-enabled",
            Self::SecondFactorDisabled => "notice-second-factor-disabled",
            Self::RecoveryCodeUsed { .. } => "notice-recovery-code-used",
            Self::WebhookDisabled { .. } => "notice-webhook-disabled",
            Self::EmailChanged { .. } => "notice-email-changed",
        }
    }

    fn subject(&self) -> &'static str {
        match self {
            Self::WebhookDisabled { .. } => "notice-webhook-disabled-subject",
            _ => "notice-subject",
        }
    }
}

/// Sends `notice` to `to`; a failure is logged, never returned.
pub async fn tell(state: &AppState, tenant: &TenantId, to: &EmailAddress, notice: Notice) {
    if let Err(error) = send(state, tenant, std::slice::from_ref(to), &notice).await {
        tracing::error!(
            error = format!("{error:#}"),
            ?notice,
            "a notice was not sent"
        );
    }
}

/// Sends `notice` to every user of the account, in one message.
pub async fn tell_every_user(
    state: &AppState,
    tenant: &TenantId,
    notice: Notice,
) -> anyhow::Result<()> {
    let users = state
        .store
        .list::<User>(tenant, Collection::Users, 10, None)
        .await?;
    let to: Vec<EmailAddress> = users
        .items
        .into_iter()
        .map(|user| user.record.email)
        .collect();
    send(state, tenant, &to, &notice).await
}

async fn send(
    state: &AppState,
    tenant: &TenantId,
    to: &[EmailAddress],
    notice: &Notice,
) -> anyhow::Result<()> {
    let settings = state
        .store
        .get::<Settings>(tenant, &keys::settings(tenant))
        .await?;
    let locale = settings.map_or_else(|| "en".to_owned(), |s| s.record.locale.to_string());
    let m = messages(&language_of(&locale));
    let when = state.clock.now().to_string();
    let (left, url, address) = match notice {
        Notice::RecoveryCodeUsed { left } => (left.to_string(), "", ""),
        Notice::WebhookDisabled { url } => (String::new(), url.as_str(), ""),
        Notice::EmailChanged { to } => (String::new(), "", to.as_str()),
        _ => (String::new(), "", ""),
    };
    let args = [
        ("when", when.as_str()),
        ("left", left.as_str()),
        ("url", url),
        ("address", address),
    ];
    let text = format!(
        "{}\n\n{}\n",
        m.with(notice.message(), &args),
        m.text("notice-not-you")
    );
    let subject = m.text(notice.subject());
    mail_text(state, to, &subject, &text).await
}

/// E-mails a plain-text message from the platform's address to `to` (the account's own
/// people: a notice, an answer to a proposal, a disabled webhook).
pub async fn mail_text(
    state: &AppState,
    to: &[EmailAddress],
    subject: &str,
    text: &str,
) -> anyhow::Result<()> {
    let from = state.config.mail_from.as_str();
    anyhow::ensure!(!from.is_empty(), "no MAIL_FROM");
    anyhow::ensure!(!to.is_empty(), "no recipient");
    let raw = mail::mime(Letter {
        from: ("InvoiceFlow", from),
        reply_to: None,
        to,
        cc: &[],
        subject,
        text,
        attachments: Vec::new(),
        at: state.clock.now(),
    })?;
    let raw = RawMessage::builder().data(Blob::new(raw)).build()?;
    state
        .clients
        .sesv2()
        .send_email()
        .from_email_address(from)
        .destination(
            Destination::builder()
                .set_to_addresses(Some(to.iter().map(|a| a.as_str().to_owned()).collect()))
                .build(),
        )
        .content(EmailContent::builder().raw(raw).build())
        .send()
        .await
        .map_err(|e| anyhow::anyhow!(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()))?;
    Ok(())
}
