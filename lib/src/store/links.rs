//! The document-link index: one item per link, under the SHA-256 of its token, naming the one
//! document of one account it opens. Its attributes are plain ids and times (no content), so
//! the page's function reads it before it knows whose data key to use; DynamoDB's TTL removes
//! it after it expires.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::item::{self, EXPIRES_ATTR, number, number_attr, ulid_attr};
use super::tx::{Expect, finish};
use super::{Store, StoreError, Tx, keys};
use crate::domain::{TenantId, Timestamp};

const TENANT_ATTR: &str = "tenant";
const KIND_ATTR: &str = "kind";
const DOCUMENT_ATTR: &str = "document";
const LINK_ATTR: &str = "link";
const REVOKED_ATTR: &str = "revoked";
const VIEWED_ATTR: &str = "viewed";

/// The kind of document a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedKind {
    Invoice,
    CreditNote,
    Proposal,
}

impl LinkedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit_note",
            Self::Proposal => "proposal",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Invoice, Self::CreditNote, Self::Proposal]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// What a link's index item says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub tenant: TenantId,
    pub kind: LinkedKind,
    pub document: ulid::Ulid,
    /// The link's id (`lnk_…`) on the document.
    pub link: String,
    pub expires: i64,
    pub revoked: bool,
    pub viewed: bool,
}

impl LinkTarget {
    /// Whether the link opens its page at `now`: neither revoked nor expired.
    pub fn opens_at(&self, now: Timestamp) -> bool {
        !self.revoked && now.unix_seconds() < self.expires
    }
}

impl Store {
    /// The link a token's digest names, if any: one consistent `GetItem`.
    pub async fn find_link(&self, digest: &str) -> Result<Option<LinkTarget>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&keys::link(digest))))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        let Some(attrs) = out.item.filter(|attrs| !attrs.is_empty()) else {
            return Ok(None);
        };
        let text = |name: &str| match attrs.get(name) {
            Some(AttributeValue::S(text)) => Ok(text.clone()),
            _ => Err(StoreError::Corrupt(anyhow::anyhow!(
                "link item without {name}"
            ))),
        };
        let kind = LinkedKind::parse(&text(KIND_ATTR)?)
            .ok_or_else(|| StoreError::Corrupt(anyhow::anyhow!("link item of an unknown kind")))?;
        Ok(Some(LinkTarget {
            tenant: TenantId::from_ulid(ulid_attr(&attrs, TENANT_ATTR)?),
            kind,
            document: ulid_attr(&attrs, DOCUMENT_ATTR)?,
            link: text(LINK_ATTR)?,
            expires: number_attr(&attrs, EXPIRES_ATTR)?,
            revoked: attrs.contains_key(REVOKED_ATTR),
            viewed: attrs.contains_key(VIEWED_ATTR),
        }))
    }
}

impl Tx {
    /// Creates the index item of a new link to a document of this account.
    pub fn create_link(
        &mut self,
        digest: &str,
        kind: LinkedKind,
        document: ulid::Ulid,
        link: &str,
        expires: Timestamp,
    ) -> &mut Self {
        let key = keys::link(digest);
        let tenant = self.tenant().ulid().to_string();
        let link = link.to_owned();
        self.try_push_link_item(&key, Expect::Absent, |tx| {
            let mut attrs = item::key_attributes(&key);
            attrs.insert(item::TYPE.into(), AttributeValue::S("link".into()));
            attrs.insert(TENANT_ATTR.into(), AttributeValue::S(tenant));
            attrs.insert(KIND_ATTR.into(), AttributeValue::S(kind.as_str().into()));
            attrs.insert(
                DOCUMENT_ATTR.into(),
                AttributeValue::S(document.to_string()),
            );
            attrs.insert(LINK_ATTR.into(), AttributeValue::S(link));
            attrs.insert(EXPIRES_ATTR.into(), number(expires.unix_seconds()));
            tx.put_new(attrs)
        })
    }

    /// Revokes a link of this account's: from now on it opens nothing.
    pub fn revoke_link(&mut self, digest: &str) -> &mut Self {
        self.update_link(digest, REVOKED_ATTR, "attribute_exists(PK)")
    }

    /// Records the first view through a link; fails with `CheckFailed` if it was viewed before
    /// (or revoked meanwhile), so one view is recorded however many pages open at once.
    pub fn first_view(&mut self, digest: &str) -> &mut Self {
        self.update_link(
            digest,
            VIEWED_ATTR,
            "attribute_not_exists(#set) AND attribute_not_exists(revoked)",
        )
    }

    /// Sets `attribute` to now on the link, if `condition` holds and it is this account's.
    fn update_link(&mut self, digest: &str, attribute: &'static str, condition: &str) -> &mut Self {
        let key = keys::link(digest);
        let tenant = self.tenant().ulid().to_string();
        let now = self.now().unix_seconds();
        let condition = format!("{condition} AND #tenant = :tenant");
        self.try_push_link_item(&key, Expect::Check, |tx| {
            let update = Update::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .update_expression("SET #set = :now")
                .condition_expression(condition)
                .expression_attribute_names("#set", attribute)
                .expression_attribute_names("#tenant", TENANT_ATTR)
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":tenant", AttributeValue::S(tenant));
            Ok(TransactWriteItem::builder()
                .update(finish(update.build())?)
                .build())
        })
    }
}
