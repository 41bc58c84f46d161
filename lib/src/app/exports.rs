//! Creating an export: the session is checked before anything is written; the file is
//! streamed into S3; its record, the audit item and the saved response are one transaction;
//! if that transaction fails, the file is deleted, so no file is ever left without a record.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::account::{CompanyProfile, User};
use crate::domain::catalogue::Service;
use crate::domain::customer::Customer;
use crate::domain::ids::ExportId;
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::domain::settings::Settings;
use crate::domain::{TenantId, Timestamp, UserId};
use crate::export::{self, Dataset, ExportRecord};
use crate::store::{Collection, SavedResponse, Stored, keys};

use super::idempotency::{self, Answer};
use super::{Actor, Error, Result};

/// The company profile, the settings and the users (name, email, since when; never a password
/// hash or a key) of the account, for its complete export.
async fn account_json(state: &AppState, tenant: &TenantId) -> Result<serde_json::Value> {
    let store = &state.store;
    let (company_key, settings_key) = (keys::company(tenant), keys::settings(tenant));
    let (company, settings, users) = tokio::try_join!(
        store.get::<CompanyProfile>(tenant, &company_key),
        store.get::<Settings>(tenant, &settings_key),
        store.list_keyed::<User>(tenant, Collection::Users, 100, None),
    )?;
    let users: Vec<serde_json::Value> = users
        .items
        .into_iter()
        .map(|(id, user)| {
            serde_json::json!({
                "id": UserId::from_ulid(id),
                "name": user.record.name,
                "email": user.record.email,
                "created_at": user.created_at,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "account": tenant,
        "company": company.map(|c| c.record),
        "settings": settings.map(|s| s.record),
        "users": users,
    }))
}

/// Where the export's file is downloaded (through the API, which records each download) and
/// when the file is deleted; `None` once it has been.
pub type Link = Option<(String, Timestamp)>;

/// How the API shows an export with its link; the saved response holds it.
pub type Render = fn(ExportId, Stored<ExportRecord>, Link) -> serde_json::Value;

/// The export's download path, while its file exists.
pub fn link(id: ExportId, stored: &Stored<ExportRecord>, now: Timestamp) -> Link {
    if export::file_expired(stored.created_at, now) {
        return None;
    }
    Some((
        format!("/v1/exports/{id}/download"),
        export::file_expires_at(stored.created_at),
    ))
}

/// A presigned link to the export's file, valid for under a minute: what a download redirects
/// to. `NotFound` once the file has been deleted (the record stays, for the list).
pub async fn download_link(
    state: &AppState,
    tenant: &TenantId,
    stored: &Stored<ExportRecord>,
) -> Result<String> {
    if export::file_expired(stored.created_at, state.clock.now()) {
        return Err(Error::NotFound);
    }
    // Signed as the tenant: the link opens that tenant's files and no one else's.
    let as_tenant = state.store.as_tenant(tenant).await?;
    let (url, _) = crate::store::files::download_link(
        as_tenant.s3(),
        &state.config.export_bucket,
        &stored.record.object_key,
        state.clock.now(),
    )
    .await
    .map_err(|e| Error::Internal(e.into()))?;
    Ok(url)
}

/// Exports every record of `dataset` as CSV.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    dataset: Dataset,
    render: Render,
) -> Result<Answer> {
    // Everything the account holds in one file: only the owner's session, with the password
    // confirmed in the last few minutes, and the owner is told.
    let complete = dataset == Dataset::Account;
    if complete {
        super::auth::require_recent_reauthentication(state, actor).await?;
    }
    let answer = idempotency::run(state, actor, request, |claim| async move {
        // Nothing is written for a session that has ended: not even the file.
        if !actor.is_live(&state.store).await? {
            return Err(Error::Unauthenticated);
        }
        super::quota::spend(state, actor.tenant(), super::quota::Quota::Exports).await?;
        let tenant = *actor.tenant();
        let id = ExportId::generate();
        let object_key = export::object_key(&tenant, &id, dataset);
        let as_tenant = state.store.as_tenant(&tenant).await?;
        let s3 = as_tenant.s3();
        let (store, bucket) = (&state.store, state.config.export_bucket.as_str());
        let target = crate::store::files::Target {
            bucket,
            key: &object_key,
            kms_key_id: state.config.export_key_id.as_str(),
        };
        // The complete export also holds the company, settings and users.
        // … and the audit trail with its checkpoints, to check offline.
        let (about, trail) = match dataset {
            Dataset::Account => (
                Box::pin(account_json(state, &tenant)).await?,
                Some(Box::pin(super::trail::for_export(state, &tenant)).await?),
            ),
            _ => (serde_json::Value::Null, None),
        };
        // Boxed: the writers' futures are large (a ZIP writer, S3 calls), and the handler's
        // stack is not.
        let rows = Box::pin(async {
            match dataset {
                Dataset::Customers => {
                    export::write_csv::<Customer>(store, s3, &target, &tenant).await
                }
                Dataset::Services => {
                    export::write_csv::<Service>(store, s3, &target, &tenant).await
                }
                Dataset::Proposals => {
                    export::write_csv::<Proposal>(store, s3, &target, &tenant).await
                }
                Dataset::Invoices => {
                    export::write_csv::<Invoice>(store, s3, &target, &tenant).await
                }
                Dataset::InvoiceLines => {
                    export::write_csv::<export::InvoiceLines>(store, s3, &target, &tenant).await
                }
                Dataset::Payments => {
                    export::write_csv::<Payment>(store, s3, &target, &tenant).await
                }
                Dataset::Account => {
                    let about = (&about, trail.as_ref());
                    export::write_account_zip(store, s3, &target, &tenant, about).await
                }
            }
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?;

        let committed = async {
            let record = ExportRecord {
                dataset,
                rows,
                object_key: object_key.clone(),
            };
            let mut tx = actor.transaction(&state.store).await?;
            let now = tx.now();
            let stored = Stored::created(record.clone(), now);
            let link = link(id, &stored, now);
            let response = SavedResponse {
                status: 201,
                body: render(id, stored, link),
                location: Some(format!("/v1/exports/{id}")),
                etag: None,
            };
            tx.create(&keys::export(&tenant, &id), &record)
                .audit(&actor.audit("export.create", Some(id.to_string()), Outcome::Success));
            claim.complete(&mut tx, &response);
            state.store.commit(tx).await?;
            Ok(response)
        }
        .await;
        if committed.is_err()
            && let Err(error) = crate::store::files::delete_file(s3, bucket, &object_key).await
        {
            // The bucket's lifecycle removes it within 7 days; say so loudly.
            tracing::error!(error = %error, "an export file without a record could not be deleted");
        }
        committed
    })
    .await?;
    if complete && !answer.replayed {
        super::auth::tell_the_user(state, actor, crate::notice::Notice::CompleteExport).await;
    }
    Ok(answer)
}
