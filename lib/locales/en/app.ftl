# The owner's web app, in English: every text a page shows (Project Fluent).

## The page, its navigation and the pieces of forms

skip-to-content = Skip to content
nav-main = Main
nav-dashboard = Dashboard
nav-customers = Customers
nav-services = Services
nav-proposals = Proposals
nav-invoices = Invoices
nav-credit-notes = Credit notes
nav-payments = Payments
nav-exports = Exports
nav-settings = Settings
nav-audit = Audit trail
log-out = Log out
address-street = Street
address-street-2 = Street, second line
address-postal-code = Postal code
address-city = City
address-region = Region
address-country = Country
next-page = Next page →

## Statuses

status-draft = Draft
status-issued = Issued
status-partially_paid = Partially paid
status-paid = Paid
status-void = Void
status-sent = Sent
status-accepted = Accepted
status-declined = Declined
status-expired = Expired
status-converted = Converted

## Logging in and signing up

field-email = Email
field-password = Password
log-in = Log in
new-here = New here?
create-an-account = Create an account
login-refused = That email and password do not match an account.
field-your-name = Your name
hint-new-password = 12 to 72 characters; a few unrelated words make a strong one.
field-business-name = Business name
field-signup-currency = Currency of your documents
field-signup-country = Country of your business
signup-privacy = By creating an account you agree to our privacy policy: your records are encrypted under a key only your account can use.
create-account = Create account
have-an-account = Already have an account?
create-your-account = Create your account
currency-EUR = Euro (EUR)
currency-USD = US dollar (USD)
currency-GBP = Pound sterling (GBP)
currency-CHF = Swiss franc (CHF)
currency-CAD = Canadian dollar (CAD)
currency-AUD = Australian dollar (AUD)
currency-SEK = Swedish krona (SEK)
currency-DKK = Danish krone (DKK)
currency-NOK = Norwegian krone (NOK)
currency-PLN = Polish złoty (PLN)
currency-CZK = Czech koruna (CZK)
currency-JPY = Japanese yen (JPY)

## The dashboard

new-invoice = New invoice
new-proposal = New proposal
new-customer = New customer
dashboard-empty-start = Nothing is outstanding yet. Start by filling in your
dashboard-empty-profile = company profile
dashboard-empty-end = , then add a customer and write an invoice.
totals-in = Totals in { $currency }
outstanding = Outstanding
overdue = Overdue
invoices-past-due = 
    { $count ->
        [one] { $count } invoice past due
       *[other] { $count } invoices past due
    }
received-30-days = Received, last 30 days
as-of = As of { $date }.
open-invoices = Open invoices
no-invoices = No invoices here.
col-number = Number
col-customer = Customer
col-issued = Issued
col-due = Due
col-status = Status
col-total = Total
col-amount-due = Due amount

## VAT categories and currencies

category-default = Default
category-S = S: standard rate
category-Z = Z: zero rated
category-E = E: exempt (give the reason)
category-AE = AE: reverse charge
category-K = K: intra-community supply
category-G = G: export outside the EU
category-O = O: not subject to VAT
currency-company = The company's currency

## Customers and services

customer = Customer
field-name = Name
field-contact = Contact person
field-phone = Phone
field-tax-id = Tax id
hint-tax-id = VAT number, e.g. DE123456789
field-currency = Currency
field-customer-category = VAT category of their lines
hint-customer-category = A business in another EU country: usually AE or K
field-eas-scheme = E-invoice address scheme
hint-eas-scheme = Its EAS code, e.g. 0208 (Belgium), 9930 (German VAT), 0088 (GLN)
field-eas-id = E-invoice address
hint-eas-id = Their Peppol identifier in that scheme
field-customer-language = Language of their documents
hint-customer-language = Empty: the account's language
billing-address = Billing address
field-notes = Notes
field-unit-price = Unit price
field-unit = Unit
hint-unit = e.g. hour, day, piece
field-tax-rate = Tax rate (%)
hint-tax-rate = Empty: the account's default rate
field-category = VAT category
field-exemption-reason = Exemption reason
hint-exemption-reason = With category E: the law that exempts it
field-exemption-code = Exemption code
hint-exemption-code = A VATEX code, e.g. VATEX-EU-132-1I
field-description = Description
field-active = Offered for new documents
service-offered = offered
service-archived = archived
search = Search
show-all = Show all
search-only-first = Only the first { $count } were searched.
customer-add-a = Add a customer
customer-add = Add customer
customer-new = New customer
customer-search = Search by name, email, city or tax id
customer-matches = 
    { $count ->
        [one] { $count } customer matches “{ $query }”.
       *[other] { $count } customers match “{ $query }”.
    }
customer-none-yet = No customers yet.
customer-delete = Delete this customer
service = Service
service-add-a = Add a service
service-add = Add service
service-new = New service
service-search = Search by name or description
service-matches = 
    { $count ->
        [one] { $count } service matches “{ $query }”.
       *[other] { $count } services match “{ $query }”.
    }
service-none-yet = No services yet.
service-delete = Delete this service
saved = Saved.
save-changes = Save changes
delete = Delete
delete-confirm = Delete { $name }? This cannot be undone.

## Proposals, invoices, credit notes and payments

any-customer = Any customer
any-status = Any status
show = Show
proposal-new = New proposal
invoice-new = New invoice
no-proposals = No proposals here.
col-date = Date
valid-until = Valid until
lines = Lines
quantity = Quantity
tax = Tax
net = Net
method-bank_transfer = Bank transfer
method-card = Card
method-cash = Cash
method-cheque = Cheque
method-other = Other
record-payment = Record payment
record-a-payment = Record a payment
amount = Amount
received-on = Received on
method = Method
reference = Reference
declined-because = Declined because
download-pdf = Download PDF
download-ubl = Download e-invoice (UBL)
mark-accepted = Mark accepted
convert-to-invoice = Convert to an invoice
open-its-invoice = Open its invoice
declined-question = Declined?
mark-declined = Mark declined
why-declined = Why the customer declined
proposal-title = Proposal { $number }
voided-because = Voided because
credit-this-invoice = Credit this invoice
credit-explained = A credit note cancels what is left of this invoice, with a reason shown on it.
issue-credit-note = Issue a credit note
reason-for-credit = Reason for the credit
void-this-invoice = Void this invoice
void-explained = Voiding keeps the invoice and its number, marked VOID; nothing is owed on it any more.
void-invoice = Void invoice
reason-for-void = Reason for voiding
invoice-title = Invoice { $number }
no-payments = No payments recorded.
received = Received
invoice = Invoice
actions = Actions
payment-of = payment of { $amount }
no-credit-notes = No credit notes.
credited = Credited
try-again = Try again
credit-notes-explained = A credit note is made from its invoice's page.
credits-invoice = Credits invoice
reason = Reason
credit-note-title = Credit note { $number }
payments-explained = A payment is recorded from its invoice's page.

## The editor

choose-a-customer = Choose a customer…
proposal-start = Start the proposal
invoice-start = Start the invoice
no-customer-yet = No customer yet
free-text = Free text
discount-whole = Discount on the whole (%)
buyer-reference = Customer's reference
hint-buyer-reference = Theirs for this invoice, e.g. a Leitweg-ID
order-reference = Purchase order
supply-date = Supply date
hint-supply-date = When you delivered, if not the invoice's date
prices-include-tax = Prices include tax
remove = Remove
footer = Footer
save-draft = Save draft
from-catalogue = From the catalogue
tax-percent = Tax %
discount-percent = Discount %
line-from-catalogue = Line { $n }: from the catalogue
line-description = Line { $n }: description
line-quantity = Line { $n }: quantity
line-unit = Line { $n }: unit
line-unit-price = Line { $n }: unit price
line-tax-rate = Line { $n }: tax rate
line-category = Line { $n }: VAT category
line-exemption-reason = Line { $n }: exemption reason
line-discount = Line { $n }: discount
line-remove = Remove line { $n }
proposal-draft = Draft proposal
invoice-draft = Draft invoice
preview-pdf = Preview PDF
delete-draft = Delete draft
due-date = Due date
totals = Totals
discount = Discount
tax-on = Tax { $rate } on { $base }
amount-due = Amount due
totals-pending = The totals are shown again once every line is complete.

## The account: settings, exports, audit trail

company-profile = Company profile
company-profile-hint = What your documents say about you. EU e-invoices need your address and tax id.
company-profile-saved = Company profile saved.
legal-name = Legal name
website = Website
registration-number = Registration number
hint-registration-number = In the register of companies, e.g. HRB 123456 B
hint-own-eas-id = Your Peppol identifier in that scheme
address = Address
bank-account = Bank account for payments
account-holder = Account holder
save-company-profile = Save company profile
numbers-terms-language = Numbers, terms and language
settings-saved = Settings saved.
invoice-prefix = Invoice numbers start with
hint-invoice-prefix = e.g. INV-{"{"}YYYY{"}"}-
proposal-prefix = Proposal numbers start with
credit-note-prefix = Credit note numbers start with
payment-terms = Payment terms (days)
hint-payment-terms = 0: due on receipt
proposal-validity = Proposals valid for (days)
default-tax-rate = Default tax rate (%)
locale = Language and number format
hint-locale = Of the app, and of documents to customers without a language of their own
time-zone = Time zone
hint-time-zone = e.g. Europe/Berlin
invoice-notes = Notes on every invoice
invoice-footer = Footer of every invoice
small-business = Exempt from VAT as a small business (e.g. § 19 UStG, art. 293 B CGI): every line is exempt, with the sentence your country requires
save-settings = Save settings
series-invoices = Invoices
series-credit-notes = Credit notes
series-proposals = Proposals
series-invoices-raise = Raise invoices
series-credit-notes-raise = Raise credit notes
series-proposals-raise = Raise proposals
next-number = Next number:
raised = Raised.
continue-from = Continue from number
password-changed = Password changed. Your other sessions were logged out.
current-password = Current password
new-password = New password
change-password = Change password
delete-account = Delete the account
delete-account-explained = Deleting the account logs you out at once and can not be undone. Every record, file and export is destroyed within 30 days. Export what you want to keep first.
your-password = Your password
type-legal-name = Type your company's legal name to confirm
delete-account-button = Delete the account and all its data
number-series = Number series
number-series-explained = Each series numbers its documents without gaps. To continue the numbers of another tool, raise a series to the next number it should give; a series is never lowered.
dataset-invoices = Invoices (CSV)
dataset-invoice_lines = Invoice lines (CSV)
dataset-payments = Payments (CSV)
dataset-customers = Customers (CSV)
dataset-services = Services (CSV)
dataset-proposals = Proposals (CSV)
dataset-account = Everything, with PDFs (ZIP)
what-to-export = What to export
export = Export
exports-explained = An export is a file of your data. Its link works for a short while; come back here for a fresh one.
no-exports = No exports yet.
made = Made
data = Data
rows = Rows
file = File
download = Download
audit-explained = Everything done in this account, newest first: who, what, on which record, and whether it was allowed.
when-utc = When (UTC)
action = Action
record = Record
outcome = Outcome
audit-client = Client (address, browser)

## Audit outcomes

outcome-success = allowed
outcome-wrong_password = wrong password
outcome-unknown_email = unknown email
outcome-locked = locked
outcome-session_ended = session ended

## Refusals and errors

login-paused = 
    { $count ->
        [one] Too many attempts. For your safety, logging in to this account is paused: try again in { $count } minute.
       *[other] Too many attempts. For your safety, logging in to this account is paused: try again in { $count } minutes.
    }
too-many-attempts = Too many attempts. Try again later.
server-failed = Something went wrong on our side and nothing was changed. Please try again.
request-refused = The request was refused.
required = Required.
fields-need-attention = Some fields need your attention; each says why.
not-found = Not found
no-such-page = There is no such page.
go-to-dashboard = Go to the dashboard
something-went-wrong = Something went wrong
no-such-record = This account has no such record.
opening = Opening…
open-the-page = Open the page

## The editor, more

no-customers-yet = You have no customers yet.
add-one-first = Add one first
send-to-customer = Send to the customer
issue-invoice = Issue (gives it its number)

## The editor, delivery

delivery-address = Delivery address, if not the billing address

## Sending

send-by-email = Send by e-mail
send = Send
field-to = To
hint-to = Empty: the customer's address
field-cc = Copy to
field-subject = Subject
hint-subject = Empty: the number and your name, in the customer's language
field-message = Message
hint-message = Empty: a short letter in the customer's language with the amount and due date; the PDF and the e-invoice are attached
not-sent-yet = Not sent by e-mail yet.
sent-by-email = Sent by e-mail
delivery-history = What happened to it
col-event = Event
col-detail = Detail
document-links = Links to its page
link-created = Made
link-expires = Expires
link-viewed = First opened
link-revoked = Revoked
link-live = Opens the page
revoke-link = Revoke
links-explained = Each e-mail carries a new link to the document's page, where the customer reads and downloads it (and answers a proposal). A revoked or expired link opens nothing.
event-delivered = Delivered
event-bounced = Bounced
event-complained = Marked as spam
event-rejected = Not sent by Amazon SES
event-viewed = Opened by the customer
event-accepted = Accepted by the customer
event-declined = Declined by the customer
suppressed-addresses = Suppressed addresses
suppressed-explained = Documents are not sent to these addresses: each bounced for good or marked a message as spam. Clear one to send to it again.
no-suppressed = No address is suppressed.
col-address = Address
col-reason = Why
suppressed-bounced = Bounced for good
suppressed-complained = Marked a message as spam
clear-suppression = Clear
link-days = Document links open for (days)
hint-link-days = How long the link in a sent invoice or credit note opens its page. A proposal's opens until it can no longer be accepted.
accepted-proposals = Accepted proposals, ready to invoice
make-link = Make a link to copy
link-made = The page's link, shown this once: copy it now

# Recurring invoices
nav-recurring = Recurring
recurring-new = New recurring invoice
recurring-add = Start it
recurring-add-a = New recurring invoice
recurring-none-yet = No recurring invoices yet. A recurring invoice makes the same invoice every week, month, quarter or year.
recurring-schedule = Schedule
recurring-lines = Lines of each invoice
recurring-next = Next
recurring-made = Invoices made
recurring-last = Last invoice
recurring-upcoming = Next dates
recurring-nothing-upcoming = Nothing is to come: it is paused or has ended.
recurring-pause = Pause
recurring-resume = Resume
recurring-end = End
recurring-status-active = Active
recurring-status-paused = Paused
recurring-status-ended = Ended
hint-recurring-terms = Days from each invoice's date to its due date; empty: the account's payment terms
field-every = Every
field-interval-unit = Interval
field-start = First invoice on
hint-recurring-start = Today or later. A day a month lacks falls on its last day (31 January, 28 February, 31 March).
field-ending = Ends
field-ending-count = Number of invoices
hint-ending-count = When it ends after a number of invoices
field-ending-date = Last date
hint-ending-date = When it ends on a date
field-produce = Each period makes
field-catch-up = After missed runs
hint-catch-up = Should the service be down for a while, every missed period once, or only the latest
unit-weeks = weeks
unit-months = months
unit-quarters = quarters
unit-years = years
ending-never = Never
ending-after = After a number of invoices
ending-on = On a date
produce-draft = A draft to review
produce-issued = An issued invoice
produce-sent = An issued invoice, e-mailed to the customer
catch-up-each = Every missed period
catch-up-latest = Only the latest
every-weeks = { $count ->
    [one] Every week
   *[other] Every { $count } weeks
}
every-months = { $count ->
    [one] Every month
   *[other] Every { $count } months
}
every-quarters = { $count ->
    [one] Every quarter
   *[other] Every { $count } quarters
}
every-years = { $count ->
    [one] Every year
   *[other] Every { $count } years
}
from-date = from { $date }
ending-after-count = { $count } invoices in all
ending-on-date = until { $date }

# Payment reminders
reminders = Payment reminders
reminders-enabled = Send payment reminders
hint-reminders-enabled = Overdue invoices are reminded at each stage's day after their due date: only the latest stage due, once, and never one that was paid, credited or voided.
reminders-interest = Late-payment interest (% a year)
hint-reminders-interest = For example the ECB reference rate + 8 points (EU), + 9 points between businesses in Germany; empty: none
reminders-compensation = Recovery compensation
hint-reminders-compensation = The fixed amount the EU Late Payment Directive allows between businesses (40.00 in EUR); empty: none
reminder-days = Reminder { $n }: days after the due date
reminder-fee = Reminder { $n }: fee
reminder-subject = Reminder { $n }: subject
reminder-message = Reminder { $n }: message
reminders-next = Next reminder: { $date }
reminders-off = Payment reminders are off in the settings.
reminders-paused = Reminders are paused for this invoice.
reminders-opted-out = The customer asked for no payment reminders.
reminders-none-due = No further reminder is due.
reminders-sent = Reminders sent
reminders-stage = Stage
reminders-claimed = Claimed
reminders-by-hand = by hand
reminders-send-now = Send a reminder now
reminders-pause = Pause reminders
reminders-resume = Resume reminders
field-no_reminders = No payment reminders
nav-integrations = Integrations
integrations-explained = Programs (an accounting tool, a shop, a script) reach your account's records through the API with a key you make here. A key reads, or reads and writes; it never manages keys, your password or your account. Revoke a key and its next request is refused.
api-keys = API keys
key-name = Name
key-scope = What it may do
key-scope-read = Read
key-scope-write = Read and write
key-hint = Key
key-last-used = Last used
key-never-used = Never
key-active = Active
key-revoked = Revoked
make-key = Make a key
key-made = Your new key
key-copy-now = Copy it now and keep it safe: it is shown only this once. Programs send it as "Authorization: Bearer" followed by the key.
no-keys = No API keys yet.
revoke-key = Revoke
webhooks = Webhooks
webhooks-explained = A webhook tells another program (your accounting tool, a shop, a script) when something happens: it posts the event, signed, to the HTTPS address you give. By default it carries only the record's id and type; the program reads the rest with an API key. Disable an endpoint and nothing more reaches it, not even what was waiting.
webhook-url = Address (https://)
webhook-events = Events
webhook-payload = What an event carries
webhook-payload-ids = Only the id and type (recommended)
webhook-payload-object = The whole record
make-webhook = Add endpoint
no-webhooks = No webhook endpoints yet.
webhook-secret-made = The endpoint's signing secret
webhook-copy-now = Copy it now into the receiving program: it checks each event's signature with it, and it is shown only this once. After a rotation, the old secret keeps signing beside the new one for 24 hours.
webhook-recent = Recent deliveries
webhook-no-deliveries = None yet
webhook-delivered = delivered
webhook-failed = failed
webhook-skipped = not sent
webhook-enabled = Enabled
webhook-disabled = Disabled
webhook-disabled-failing = Disabled: failing for three days
webhook-test = Send a test event
webhook-disable = Disable
webhook-enable = Enable
webhook-rotate = Rotate secret
webhook-delete = Delete

## Two-factor authentication, and confirming the password again
login-needs-code = Enter the code your authenticator app shows (or one of your recovery codes), with your password again.
field-code = Code from the app
hint-code = The six digits your authenticator app shows now.
field-recovery-code = Or a recovery code
confirm-needs-code = Enter the code your authenticator app shows too.
confirm-refused = That password (or code) is not right. Please try again.
confirm-for-export = The complete export holds everything in your account: please confirm your password first.
confirm-for-bank-account = Customers pay into this account: please confirm your password to change it.
two-factor = Two-factor authentication
two-factor-explained = Besides your password, logging in then needs the code an authenticator app on your phone shows. Someone who learns your password still cannot get in.
two-factor-set-up = Set up two-factor authentication
two-factor-scan = Scan this QR code with your authenticator app (or type in the key), then enter the code it shows.
two-factor-qr = QR code for your authenticator app
two-factor-key = Key:
two-factor-turn-on = Turn on
two-factor-is-on = Two-factor authentication is on.
two-factor-recovery-codes = Your recovery codes: each logs you in once in place of a code, should you lose your phone. Write them down or print them now: they are shown only this once.
two-factor-turn-off = Turn off two-factor authentication
two-factor-turned-off = Two-factor authentication is off.
done = Done
audit-check = Check the trail
audit-intact = The trail is intact: { $checkpoints } signed checkpoints cover { $sealed } entries, each as it was written.
audit-not-intact = The trail is not as it was signed. What was found:
audit-unsealed = { $unsealed } newer entries are signed at the next hourly checkpoint.
audit-public-key = The key the checkpoints are signed with (to check the complete export offline)
email-address = E-mail address
new-email = New e-mail address
change-email = Change the e-mail address
email-changed = E-mail address changed. You log in with the new one from now on; both addresses were told.
confirm-for-email = You log in with this address: please confirm your password to change it.
