//! What each kind of record is to the collection and document use cases: its id, its
//! audit actions, its path and where it is kept. One line per kind.

use crate::domain::catalogue::Service;
use crate::domain::credit_note::CreditNote;
use crate::domain::customer::Customer;
use crate::domain::ids::{
    CreditNoteId, CustomerId, InvoiceId, PaymentId, ProposalId, RecurringInvoiceId, ServiceId,
};
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::domain::recurring::RecurringInvoice;
use crate::store::keys;

/// Implements [`super::collection::Resource`]: `resource!(Customer, CustomerId, "customer",
/// "/v1/customers", Customers, keys::customer)`, and `check = Customer::check` for a kind with
/// rules of its own.
macro_rules! resource {
    ($record:ty, $id:ident, $name:literal, $path:literal, $collection:ident, $key:path
     $(, check = $check:path)?) => {
        impl super::collection::Resource for $record {
            type Id = $id;
            const NAME: &'static str = $name;
            const ACTIONS: super::collection::Actions = super::collection::actions!($name);
            const PATH: &'static str = $path;
            const COLLECTION: crate::store::Collection = crate::store::Collection::$collection;

            fn new_id() -> $id {
                $id::generate()
            }

            fn id_from_ulid(ulid: ulid::Ulid) -> $id {
                $id::from_ulid(ulid)
            }

            fn key(tenant: &crate::domain::TenantId, id: &$id) -> crate::store::ItemKey {
                $key(tenant, id)
            }

            $(
                fn check(&self) -> Result<(), crate::domain::FieldError> {
                    $check(self)
                }
            )?
        }
    };
}

resource!(
    Customer,
    CustomerId,
    "customer",
    "/v1/customers",
    Customers,
    keys::customer,
    check = Customer::check
);
resource!(
    Service,
    ServiceId,
    "service",
    "/v1/services",
    Services,
    keys::service,
    check = Service::check
);
resource!(
    Proposal,
    ProposalId,
    "proposal",
    "/v1/proposals",
    Proposals,
    keys::proposal
);
resource!(
    Invoice,
    InvoiceId,
    "invoice",
    "/v1/invoices",
    Invoices,
    keys::invoice
);
resource!(
    CreditNote,
    CreditNoteId,
    "credit_note",
    "/v1/credit-notes",
    CreditNotes,
    keys::credit_note
);
resource!(
    Payment,
    PaymentId,
    "payment",
    "/v1/payments",
    Payments,
    keys::payment
);
resource!(
    RecurringInvoice,
    RecurringInvoiceId,
    "recurring_invoice",
    "/v1/recurring-invoices",
    RecurringInvoices,
    keys::recurring_invoice
);
