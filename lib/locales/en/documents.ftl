# What a customer reads on a document (PDF): labels, legal wording, payment instructions.
invoice = Invoice
proposal = Proposal
credit-note = Credit note
mark-draft = DRAFT
mark-void = VOID
number = Number
issue-date = Issue date
due-date = Due date
valid-until = Valid until
credits-invoice = Credits invoice
supply-date = Supply date
service-period = Service period
your-reference = Your reference
your-order = Your order
tax-id = Tax ID { $id }
registration = Registration { $number }
bill-to = Bill to
description = Description
quantity = Qty
unit = Unit
unit-price = Unit price
discount = Discount
tax = Tax
net = Net
subtotal = Subtotal
discount-percent = Discount { $percent }
tax-on = Tax { $rate } on { $base }
exempt-on = VAT exempt on { $base }
reverse-charge-on = Reverse charge on { $base }
intra-community-on = Intra-community supply on { $base }
export-on = Export outside the EU on { $base }
not-subject-on = Not subject to VAT on { $base }
total = Total
amount-paid = Amount paid
amount-due = Amount due
notes = Notes
reason = Reason
legal-reverse-charge = Reverse charge: the customer accounts for the VAT (article 196 of Directive 2006/112/EC).
legal-intra-community = Intra-community supply, exempt from VAT (article 138 of Directive 2006/112/EC).
legal-export = Export outside the EU, exempt from VAT (article 146 of Directive 2006/112/EC).
legal-not-subject = Not subject to VAT.
legal-exempt = Exempt from VAT.
pay-by-transfer = Payment by bank transfer
account-holder = Account holder: { $holder }
iban = IBAN: { $iban }
bic = BIC: { $bic }
payment-reference = Reference: { $reference }
scan-to-pay = Scan to pay
quote-reference = Please quote the reference with your transfer.
how-to-pay = How to pay
pay-quoting = Please pay the amount due by bank transfer, quoting the reference { $reference }.
pay-without-reference = Please pay the amount due by bank transfer.
ask-for-account = Ask { $email } for the account to pay into.
page-of = Page { $page } of { $pages }
deliver-to = Deliver to
no-customer = No customer yet
payable-on-receipt = Payable on receipt
credit-terms = Credit for invoice { $number }: to be refunded or set off against it
mail-invoice-subject = Invoice { $number } from { $seller }
mail-invoice-body =
    Hello,

    please find attached our invoice { $number } for { $total }, payable by { $due }.

    Kind regards,
    { $seller }
mail-credit-note-subject = Credit note { $number } from { $seller }
mail-credit-note-body =
    Hello,

    please find attached our credit note { $number } for { $total }, which credits invoice { $invoice }.

    Kind regards,
    { $seller }
mail-proposal-subject = Proposal { $number } from { $seller }
mail-proposal-body =
    Hello,

    please find attached our proposal { $number } for { $total }, valid until { $due }.

    Kind regards,
    { $seller }
mail-link = Read it online, download it{ $answer ->
        [yes] , or accept it
       *[no] {""}
    }: { $link }
page-download-pdf = Download the PDF
page-download-ubl = Download the e-invoice (UBL)
page-answer = Your answer
page-your-name = Your full name
page-accept = Accept the proposal
page-decline-reason = Why not? (optional)
page-decline = Decline the proposal
page-not-found = Not found
page-not-found-text = This link does not open anything: it may have expired or been withdrawn. Ask the sender for a new one.
page-accepted = Accepted by { $name }. Thank you: { $seller } has been told.
page-declined = Declined. { $seller } has been told.
page-name-required = Type your name to accept the proposal.
page-closed = This proposal can no longer be answered here.
mail-accepted-subject = { $buyer } accepted proposal { $number }
mail-declined-subject = { $buyer } declined proposal { $number }
mail-answered-body =
    { $buyer } answered proposal { $number } on its page ({ $name }).

    { $reason }
reminder = Payment reminder
reminder-stage = Reminder { $stage }
reminder-date = Date
invoice-number = Invoice
invoice-date = Invoice date
reminder-text = We have not yet received payment of invoice { $number } of { $date }, due on { $due }. If you have already paid, please disregard this reminder; otherwise please pay the total below.
reminder-amount-due = Amount due on invoice { $number }
reminder-days-overdue = Days overdue
reminder-fees = Reminder fees
reminder-interest = Late-payment interest ({ $rate } a year for { $days } days)
reminder-compensation = Compensation for recovery costs
reminder-total = Total to pay
mail-reminder-subject = Payment reminder: invoice { $number } from { $seller }
mail-reminder-body =
    Hello,

    our invoice { $number } for { $total } was due on { $due } and is { $days } days overdue. We would be grateful if you paid { $claimed } soon; the attached reminder shows how it is made up.

    If you have already paid, please disregard this message.

    Kind regards,
    { $seller }

## Security notices to the account's user
notice-subject = Security notice for your InvoiceFlow account
notice-password-changed = The password of your InvoiceFlow account was changed at { $when } (UTC). Every other session was ended.
notice-email-changed = The e-mail address of your InvoiceFlow account was changed to { $address } at { $when } (UTC). You now log in with it, and notices go to it.
notice-bank-account-changed = The bank account printed on your invoices was changed at { $when } (UTC). Customers now see the new account on every document you issue.
notice-complete-export = A complete export of your InvoiceFlow account (every record, document and the audit trail) was made at { $when } (UTC).
notice-second-factor-enabled = Two-factor authentication was turned on for your InvoiceFlow account at { $when } (UTC). Logging in now needs a code from your authenticator app.
notice-second-factor-disabled = Two-factor authentication was turned off for your InvoiceFlow account at { $when } (UTC). Logging in now needs only your password.
notice-recovery-code-used = A recovery code was used to log in to your InvoiceFlow account at { $when } (UTC). { $left } recovery codes are left.
notice-not-you = If this was not you, change your password now and check the audit trail in the app's settings.
notice-webhook-disabled-subject = Your webhook endpoint was disabled
notice-webhook-disabled = Every delivery to your webhook endpoint { $url } has failed for three days, so InvoiceFlow disabled it at { $when } (UTC): no more events are sent to it. Fix the receiver, then enable the endpoint again on the Integrations page; events made meanwhile are sent only if you ask for them.
