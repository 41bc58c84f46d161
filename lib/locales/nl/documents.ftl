invoice = Factuur
proposal = Offerte
credit-note = Creditnota
mark-draft = CONCEPT
mark-void = GEANNULEERD
number = Nummer
issue-date = Factuurdatum
due-date = Vervaldatum
valid-until = Geldig tot
credits-invoice = Crediteert factuur
supply-date = Leveringsdatum
service-period = Prestatieperiode
your-reference = Uw referentie
your-order = Uw bestelling
tax-id = Btw-nummer { $id }
registration = Inschrijving { $number }
bill-to = Factuur aan
description = Omschrijving
quantity = Aantal
unit = Eenheid
unit-price = Eenheidsprijs
discount = Korting
tax = Btw
net = Netto
subtotal = Subtotaal
discount-percent = Korting { $percent }
tax-on = Btw { $rate } over { $base }
exempt-on = Vrijgesteld van btw over { $base }
reverse-charge-on = Btw verlegd over { $base }
intra-community-on = Intracommunautaire levering over { $base }
export-on = Uitvoer buiten de EU over { $base }
not-subject-on = Niet onderworpen aan btw over { $base }
total = Totaal
amount-paid = Betaald
amount-due = Te betalen
notes = Opmerkingen
reason = Reden
legal-reverse-charge = Btw verlegd: de afnemer voldoet de btw (artikel 196 van Richtlijn 2006/112/EG).
legal-intra-community = Intracommunautaire levering, vrijgesteld van btw (artikel 138 van Richtlijn 2006/112/EG).
legal-export = Uitvoer buiten de EU, vrijgesteld van btw (artikel 146 van Richtlijn 2006/112/EG).
legal-not-subject = Niet onderworpen aan btw.
legal-exempt = Vrijgesteld van btw.
pay-by-transfer = Betaling per overschrijving
account-holder = Rekeninghouder: { $holder }
iban = IBAN: { $iban }
bic = BIC: { $bic }
payment-reference = Betalingskenmerk: { $reference }
scan-to-pay = Scan om te betalen
quote-reference = Vermeld het betalingskenmerk bij uw overschrijving.
how-to-pay = Betaling
pay-quoting = Gelieve het openstaande bedrag over te maken met betalingskenmerk { $reference }.
pay-without-reference = Gelieve het openstaande bedrag over te maken.
ask-for-account = Vraag { $email } naar het rekeningnummer.
page-of = Pagina { $page } van { $pages }
deliver-to = Afleveradres
no-customer = Nog geen klant
payable-on-receipt = Betaalbaar bij ontvangst
credit-terms = Creditnota bij factuur { $number }: wordt terugbetaald of ermee verrekend
mail-invoice-subject = Factuur { $number } van { $seller }
mail-invoice-body =
    Goedendag,

    in de bijlage vindt u onze factuur { $number } van { $total }, te betalen vóór { $due }.

    Met vriendelijke groet,
    { $seller }
mail-credit-note-subject = Creditnota { $number } van { $seller }
mail-credit-note-body =
    Goedendag,

    in de bijlage vindt u onze creditnota { $number } van { $total } bij factuur { $invoice }.

    Met vriendelijke groet,
    { $seller }
mail-proposal-subject = Offerte { $number } van { $seller }
mail-proposal-body =
    Beste,

    in de bijlage vindt u onze offerte { $number } voor { $total }, geldig tot { $due }.

    Met vriendelijke groet,
    { $seller }
mail-link = Online bekijken, downloaden{ $answer ->
        [yes] {" "}of accepteren
       *[no] {""}
    }: { $link }
page-download-pdf = De pdf downloaden
page-download-ubl = De e-factuur (UBL) downloaden
page-answer = Uw antwoord
page-your-name = Uw volledige naam
page-accept = De offerte accepteren
page-decline-reason = Waarom niet? (optioneel)
page-decline = De offerte afwijzen
page-not-found = Niet gevonden
page-not-found-text = Deze link opent niets: hij is misschien verlopen of ingetrokken. Vraag de afzender om een nieuwe.
page-accepted = Geaccepteerd door { $name }. Dank u: { $seller } is op de hoogte gebracht.
page-declined = Afgewezen. { $seller } is op de hoogte gebracht.
page-name-required = Typ uw naam om de offerte te accepteren.
page-closed = Op deze offerte kan hier niet meer worden geantwoord.
mail-accepted-subject = { $buyer } heeft offerte { $number } geaccepteerd
mail-declined-subject = { $buyer } heeft offerte { $number } afgewezen
mail-answered-body =
    { $buyer } heeft offerte { $number } op de pagina beantwoord ({ $name }).

    { $reason }
reminder = Betalingsherinnering
reminder-stage = Herinnering { $stage }
reminder-date = Datum
invoice-number = Factuur
invoice-date = Factuurdatum
reminder-text = Wij hebben de betaling van factuur { $number } van { $date }, vervallen op { $due }, nog niet ontvangen. Heeft u al betaald, dan kunt u deze herinnering negeren; zo niet, dan verzoeken wij u het onderstaande totaal te betalen.
reminder-amount-due = Openstaand bedrag van factuur { $number }
reminder-days-overdue = Dagen te laat
reminder-fees = Herinneringskosten
reminder-interest = Wettelijke handelsrente ({ $rate } per jaar over { $days } dagen)
reminder-compensation = Vergoeding voor incassokosten
reminder-total = Totaal te betalen
mail-reminder-subject = Betalingsherinnering: factuur { $number } van { $seller }
mail-reminder-body =
    Goedendag,

    onze factuur { $number } van { $total } verviel op { $due } en is { $days } dagen te laat. Wij stellen het op prijs als u { $claimed } spoedig betaalt; de bijgevoegde herinnering toont de opbouw.

    Heeft u al betaald, dan kunt u dit bericht negeren.

    Met vriendelijke groet,
    { $seller }

## Beveiligingsmeldingen aan de gebruiker van het account
notice-subject = Beveiligingsmelding over uw InvoiceFlow-account
notice-password-changed = Het wachtwoord van uw InvoiceFlow-account is op { $when } (UTC) gewijzigd. Alle andere sessies zijn beëindigd.
notice-email-changed = Het e-mailadres van uw InvoiceFlow-account is op { $when } (UTC) gewijzigd in { $address }. U logt nu daarmee in en meldingen gaan naar dat adres.
notice-bank-account-changed = De bankrekening op uw facturen is op { $when } (UTC) gewijzigd. Uw klanten zien voortaan de nieuwe rekening op elk document.
notice-complete-export = Op { $when } (UTC) is een volledige export van uw InvoiceFlow-account gemaakt (alle gegevens, documenten en het auditlogboek).
notice-second-factor-enabled = Tweestapsverificatie is op { $when } (UTC) ingeschakeld voor uw InvoiceFlow-account. Inloggen vraagt nu een code uit uw authenticator-app.
notice-second-factor-disabled = Tweestapsverificatie is op { $when } (UTC) uitgeschakeld voor uw InvoiceFlow-account. Inloggen vraagt nu alleen uw wachtwoord.
notice-recovery-code-used = Op { $when } (UTC) is met een herstelcode ingelogd op uw InvoiceFlow-account. Er zijn nog { $left } herstelcodes over.
notice-not-you = Was u dit niet, wijzig dan nu uw wachtwoord en bekijk het auditlogboek in de instellingen van de app.
notice-webhook-disabled-subject = Uw webhook-eindpunt is uitgeschakeld
notice-webhook-disabled = Elke levering aan uw webhook-eindpunt { $url } mislukt al drie dagen, daarom heeft InvoiceFlow het op { $when } (UTC) uitgeschakeld: er worden geen gebeurtenissen meer naartoe gestuurd. Herstel de ontvanger en schakel het eindpunt daarna weer in op de pagina Integraties; gebeurtenissen van tussendoor worden alleen op uw verzoek verstuurd.
