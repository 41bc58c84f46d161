//! Each account's hourly quotas of what costs the most (decision 0026): the export files
//! written, the PDFs made, the documents e-mailed. A use is counted before the work is done;
//! over the quota the answer is 429 with `Retry-After`, and nothing is done.

use crate::AppState;
use crate::domain::TenantId;
use crate::domain::throttle::Attempt;

use super::{Error, Result};

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    Exports,
    Pdfs,
    Mails,
}

impl Quota {
    fn name(self) -> &'static str {
        match self {
            Self::Exports => "exports",
            Self::Pdfs => "pdfs",
            Self::Mails => "mails",
        }
    }
}

/// Counts one use of `quota` for the account; `QuotaExceeded` once the hour's is spent.
pub async fn spend(state: &AppState, tenant: &TenantId, quota: Quota) -> Result<()> {
    let quotas = &state.config.quotas;
    let budget = match quota {
        Quota::Exports => quotas.exports,
        Quota::Pdfs => quotas.pdfs,
        Quota::Mails => quotas.mails,
    };
    let counted = state
        .store
        .count_use(tenant, quota.name(), budget, state.clock.unix())
        .await?;
    match counted {
        Attempt::Allowed { .. } => Ok(()),
        Attempt::Locked {
            retry_after_seconds,
        } => {
            tracing::info!(quota = quota.name(), retry_after_seconds, "quota spent");
            Err(Error::QuotaExceeded {
                retry_after_seconds,
            })
        }
    }
}
