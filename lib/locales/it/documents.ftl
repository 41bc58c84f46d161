invoice = Fattura
proposal = Preventivo
credit-note = Nota di credito
mark-draft = BOZZA
mark-void = ANNULLATA
number = Numero
issue-date = Data fattura
due-date = Scadenza
valid-until = Valido fino al
credits-invoice = Storna la fattura
supply-date = Data di consegna
service-period = Periodo di prestazione
your-reference = Vostro riferimento
your-order = Vostro ordine
tax-id = P. IVA { $id }
registration = Registro imprese { $number }
bill-to = Fatturare a
description = Descrizione
quantity = Qtà
unit = Unità
unit-price = Prezzo unitario
discount = Sconto
tax = IVA
net = Imponibile
subtotal = Subtotale
discount-percent = Sconto { $percent }
tax-on = IVA { $rate } su { $base }
exempt-on = Esente IVA su { $base }
reverse-charge-on = Inversione contabile su { $base }
intra-community-on = Cessione intracomunitaria su { $base }
export-on = Esportazione fuori dall’UE su { $base }
not-subject-on = Fuori campo IVA su { $base }
total = Totale
amount-paid = Pagato
amount-due = Importo dovuto
notes = Note
reason = Motivo
legal-reverse-charge = Inversione contabile: l’IVA è dovuta dal cessionario (articolo 196 della direttiva 2006/112/CE).
legal-intra-community = Cessione intracomunitaria non imponibile (articolo 138 della direttiva 2006/112/CE).
legal-export = Esportazione fuori dall’UE non imponibile (articolo 146 della direttiva 2006/112/CE).
legal-not-subject = Operazione fuori campo IVA.
legal-exempt = Esente IVA.
pay-by-transfer = Pagamento tramite bonifico
account-holder = Intestatario: { $holder }
iban = IBAN: { $iban }
bic = BIC: { $bic }
payment-reference = Causale: { $reference }
scan-to-pay = Inquadra per pagare
quote-reference = Indicare la causale nel bonifico.
how-to-pay = Modalità di pagamento
pay-quoting = Si prega di pagare l’importo dovuto tramite bonifico, indicando la causale { $reference }.
pay-without-reference = Si prega di pagare l’importo dovuto tramite bonifico.
ask-for-account = Chiedere a { $email } il conto su cui pagare.
page-of = Pagina { $page } di { $pages }
deliver-to = Indirizzo di consegna
no-customer = Nessun cliente ancora
payable-on-receipt = Pagabile al ricevimento
credit-terms = Nota di credito della fattura { $number }: da rimborsare o compensare con essa
mail-invoice-subject = Fattura { $number } da { $seller }
mail-invoice-body =
    Buongiorno,

    in allegato la nostra fattura { $number } di { $total }, da pagare entro il { $due }.

    Cordiali saluti,
    { $seller }
mail-credit-note-subject = Nota di credito { $number } da { $seller }
mail-credit-note-body =
    Buongiorno,

    in allegato la nostra nota di credito { $number } di { $total } relativa alla fattura { $invoice }.

    Cordiali saluti,
    { $seller }
mail-proposal-subject = Preventivo { $number } da { $seller }
mail-proposal-body =
    Buongiorno,

    in allegato il nostro preventivo { $number } di { $total }, valido fino al { $due }.

    Cordiali saluti,
    { $seller }
mail-link = Consultarlo online, scaricarlo{ $answer ->
        [yes] {" "}o accettarlo
       *[no] {""}
    }: { $link }
page-download-pdf = Scarica il PDF
page-download-ubl = Scarica la fattura elettronica (UBL)
page-answer = La sua risposta
page-your-name = Nome e cognome
page-accept = Accetta il preventivo
page-decline-reason = Perché no? (facoltativo)
page-decline = Rifiuta il preventivo
page-not-found = Non trovato
page-not-found-text = Questo link non apre nulla: potrebbe essere scaduto o ritirato. Ne chieda uno nuovo al mittente.
page-accepted = Accettato da { $name }. Grazie: { $seller } è stato avvisato.
page-declined = Rifiutato. { $seller } è stato avvisato.
page-name-required = Scriva il suo nome per accettare il preventivo.
page-closed = A questo preventivo non si può più rispondere qui.
mail-accepted-subject = { $buyer } ha accettato il preventivo { $number }
mail-declined-subject = { $buyer } ha rifiutato il preventivo { $number }
mail-answered-body =
    { $buyer } ha risposto al preventivo { $number } sulla sua pagina ({ $name }).

    { $reason }
reminder = Sollecito di pagamento
reminder-stage = Sollecito { $stage }
reminder-date = Data
invoice-number = Fattura
invoice-date = Data fattura
reminder-text = Non risulta ancora pagata la fattura { $number } del { $date }, scaduta il { $due }. Se ha già pagato, non tenga conto di questo sollecito; altrimenti la preghiamo di pagare il totale indicato sotto.
reminder-amount-due = Importo dovuto della fattura { $number }
reminder-days-overdue = Giorni di ritardo
reminder-fees = Spese di sollecito
reminder-interest = Interessi di mora ({ $rate } annuo per { $days } giorni)
reminder-compensation = Risarcimento per i costi di recupero
reminder-total = Totale da pagare
mail-reminder-subject = Sollecito di pagamento: fattura { $number } di { $seller }
mail-reminder-body =
    Buongiorno,

    la nostra fattura { $number } di { $total } era in scadenza il { $due } ed è in ritardo di { $days } giorni. Le saremmo grati se pagasse { $claimed } a breve; il sollecito allegato ne mostra il dettaglio.

    Se ha già pagato, non tenga conto di questo messaggio.

    Cordiali saluti,
    { $seller }

## Avvisi di sicurezza all'utente dell'account
notice-subject = Avviso di sicurezza per il tuo account InvoiceFlow
notice-password-changed = La password del tuo account InvoiceFlow è stata cambiata il { $when } (UTC). Tutte le altre sessioni sono state chiuse.
notice-email-changed = L’indirizzo e-mail del tuo account InvoiceFlow è stato cambiato in { $address } il { $when } (UTC). Ora accedi con questo indirizzo e gli avvisi vengono inviati lì.
notice-bank-account-changed = Il conto bancario stampato sulle tue fatture è stato cambiato il { $when } (UTC). I clienti vedranno il nuovo conto su ogni documento emesso.
notice-complete-export = Il { $when } (UTC) è stata creata un'esportazione completa del tuo account InvoiceFlow (tutti i dati, i documenti e il registro di controllo).
notice-second-factor-enabled = L'autenticazione a due fattori è stata attivata per il tuo account InvoiceFlow il { $when } (UTC). Per accedere ora serve un codice dalla tua app di autenticazione.
notice-second-factor-disabled = L'autenticazione a due fattori è stata disattivata per il tuo account InvoiceFlow il { $when } (UTC). Per accedere ora basta la password.
notice-recovery-code-used = Il { $when } (UTC) è stato usato un codice di recupero per accedere al tuo account InvoiceFlow. Restano { $left } codici di recupero.
notice-not-you = Se non sei stato tu, cambia subito la password e controlla il registro di controllo nelle impostazioni dell'app.
notice-webhook-disabled-subject = Il tuo endpoint webhook è stato disattivato
notice-webhook-disabled = Ogni consegna al tuo endpoint webhook { $url } non riesce da tre giorni, quindi InvoiceFlow lo ha disattivato il { $when } (UTC): non gli vengono più inviati eventi. Correggi il destinatario, poi riattiva l'endpoint nella pagina Integrazioni; gli eventi nel frattempo vengono inviati solo se lo chiedi.
