invoice = Rechnung
proposal = Angebot
credit-note = Gutschrift
mark-draft = ENTWURF
mark-void = STORNIERT
number = Nummer
issue-date = Rechnungsdatum
due-date = Fällig am
valid-until = Gültig bis
credits-invoice = Zu Rechnung
supply-date = Leistungsdatum
service-period = Leistungszeitraum
your-reference = Ihre Referenz
your-order = Ihre Bestellung
tax-id = USt-IdNr. { $id }
registration = Register { $number }
bill-to = Rechnung an
description = Beschreibung
quantity = Menge
unit = Einheit
unit-price = Einzelpreis
discount = Rabatt
tax = USt.
net = Netto
subtotal = Zwischensumme
discount-percent = Rabatt { $percent }
tax-on = USt. { $rate } auf { $base }
exempt-on = Steuerfrei auf { $base }
reverse-charge-on = Steuerschuldnerschaft des Leistungsempfängers auf { $base }
intra-community-on = Innergemeinschaftliche Lieferung auf { $base }
export-on = Ausfuhr aus der EU auf { $base }
not-subject-on = Nicht steuerbar auf { $base }
total = Gesamt
amount-paid = Bezahlt
amount-due = Offener Betrag
notes = Hinweise
reason = Grund
legal-reverse-charge = Steuerschuldnerschaft des Leistungsempfängers (Art. 196 der Richtlinie 2006/112/EG).
legal-intra-community = Steuerfreie innergemeinschaftliche Lieferung (Art. 138 der Richtlinie 2006/112/EG).
legal-export = Steuerfreie Ausfuhr aus der EU (Art. 146 der Richtlinie 2006/112/EG).
legal-not-subject = Nicht steuerbar.
legal-exempt = Steuerfrei.
pay-by-transfer = Zahlung per Überweisung
account-holder = Kontoinhaber: { $holder }
iban = IBAN: { $iban }
bic = BIC: { $bic }
payment-reference = Verwendungszweck: { $reference }
scan-to-pay = Zum Bezahlen scannen
quote-reference = Bitte geben Sie bei der Überweisung den Verwendungszweck an.
how-to-pay = Zahlung
pay-quoting = Bitte überweisen Sie den offenen Betrag mit dem Verwendungszweck { $reference }.
pay-without-reference = Bitte überweisen Sie den offenen Betrag.
ask-for-account = Die Bankverbindung erhalten Sie unter { $email }.
page-of = Seite { $page } von { $pages }
deliver-to = Lieferanschrift
no-customer = Noch kein Kunde
payable-on-receipt = Zahlbar sofort nach Erhalt
credit-terms = Gutschrift zur Rechnung { $number }: wird erstattet oder mit ihr verrechnet
mail-invoice-subject = Rechnung { $number } von { $seller }
mail-invoice-body =
    Guten Tag,

    anbei erhalten Sie unsere Rechnung { $number } über { $total }, zahlbar bis { $due }.

    Mit freundlichen Grüßen
    { $seller }
mail-credit-note-subject = Gutschrift { $number } von { $seller }
mail-credit-note-body =
    Guten Tag,

    anbei erhalten Sie unsere Gutschrift { $number } über { $total } zur Rechnung { $invoice }.

    Mit freundlichen Grüßen
    { $seller }
mail-proposal-subject = Angebot { $number } von { $seller }
mail-proposal-body =
    Guten Tag,

    anbei erhalten Sie unser Angebot { $number } über { $total }, gültig bis { $due }.

    Mit freundlichen Grüßen
    { $seller }
mail-link = Online ansehen, herunterladen{ $answer ->
        [yes] {" "}oder annehmen
       *[no] {""}
    }: { $link }
page-download-pdf = PDF herunterladen
page-download-ubl = E-Rechnung (UBL) herunterladen
page-answer = Ihre Antwort
page-your-name = Ihr vollständiger Name
page-accept = Angebot annehmen
page-decline-reason = Warum nicht? (optional)
page-decline = Angebot ablehnen
page-not-found = Nicht gefunden
page-not-found-text = Dieser Link öffnet nichts: Er ist vielleicht abgelaufen oder wurde zurückgezogen. Bitten Sie den Absender um einen neuen.
page-accepted = Angenommen von { $name }. Vielen Dank: { $seller } wurde benachrichtigt.
page-declined = Abgelehnt. { $seller } wurde benachrichtigt.
page-name-required = Geben Sie Ihren Namen ein, um das Angebot anzunehmen.
page-closed = Dieses Angebot kann hier nicht mehr beantwortet werden.
mail-accepted-subject = { $buyer } hat Angebot { $number } angenommen
mail-declined-subject = { $buyer } hat Angebot { $number } abgelehnt
mail-answered-body =
    { $buyer } hat Angebot { $number } auf seiner Seite beantwortet ({ $name }).

    { $reason }
reminder = Zahlungserinnerung
reminder-stage = Mahnstufe { $stage }
reminder-date = Datum
invoice-number = Rechnung
invoice-date = Rechnungsdatum
reminder-text = Zu unserer Rechnung { $number } vom { $date }, fällig am { $due }, konnten wir noch keinen Zahlungseingang feststellen. Sollten Sie bereits gezahlt haben, betrachten Sie dieses Schreiben bitte als gegenstandslos; andernfalls bitten wir um Zahlung des unten genannten Gesamtbetrags.
reminder-amount-due = Offener Betrag der Rechnung { $number }
reminder-days-overdue = Tage überfällig
reminder-fees = Mahngebühren
reminder-interest = Verzugszinsen ({ $rate } p. a. für { $days } Tage)
reminder-compensation = Verzugspauschale
reminder-total = Zu zahlender Gesamtbetrag
mail-reminder-subject = Zahlungserinnerung: Rechnung { $number } von { $seller }
mail-reminder-body =
    Guten Tag,

    unsere Rechnung { $number } über { $total } war am { $due } fällig und ist seit { $days } Tagen überfällig. Wir bitten Sie, { $claimed } zeitnah zu überweisen; die beigefügte Zahlungserinnerung zeigt, wie sich der Betrag zusammensetzt.

    Sollten Sie bereits gezahlt haben, betrachten Sie diese Nachricht bitte als gegenstandslos.

    Mit freundlichen Grüßen
    { $seller }

## Sicherheitshinweise an die Person des Kontos
notice-subject = Sicherheitshinweis zu Ihrem InvoiceFlow-Konto
notice-password-changed = Das Passwort Ihres InvoiceFlow-Kontos wurde am { $when } (UTC) geändert. Alle anderen Sitzungen wurden beendet.
notice-email-changed = Die E-Mail-Adresse Ihres InvoiceFlow-Kontos wurde am { $when } (UTC) in { $address } geändert. Sie melden sich jetzt damit an, und Hinweise gehen an diese Adresse.
notice-bank-account-changed = Die Bankverbindung auf Ihren Rechnungen wurde am { $when } (UTC) geändert. Ihre Kunden sehen ab jetzt die neue Verbindung auf jedem Dokument.
notice-complete-export = Am { $when } (UTC) wurde ein vollständiger Export Ihres InvoiceFlow-Kontos erstellt (alle Datensätze, Dokumente und das Protokoll).
notice-second-factor-enabled = Für Ihr InvoiceFlow-Konto wurde am { $when } (UTC) die Zwei-Faktor-Anmeldung eingeschaltet. Zum Anmelden braucht es jetzt einen Code aus Ihrer Authenticator-App.
notice-second-factor-disabled = Für Ihr InvoiceFlow-Konto wurde am { $when } (UTC) die Zwei-Faktor-Anmeldung ausgeschaltet. Zum Anmelden genügt jetzt das Passwort.
notice-recovery-code-used = Am { $when } (UTC) wurde mit einem Wiederherstellungscode eine Anmeldung bei Ihrem InvoiceFlow-Konto vorgenommen. Es bleiben { $left } Wiederherstellungscodes.
notice-not-you = Wenn Sie das nicht waren, ändern Sie jetzt Ihr Passwort und prüfen Sie das Protokoll in den Einstellungen der App.
notice-webhook-disabled-subject = Ihr Webhook-Endpunkt wurde deaktiviert
notice-webhook-disabled = Jede Zustellung an Ihren Webhook-Endpunkt { $url } ist seit drei Tagen fehlgeschlagen, deshalb hat InvoiceFlow ihn am { $when } (UTC) deaktiviert: Es werden keine Ereignisse mehr an ihn gesendet. Beheben Sie den Fehler beim Empfänger und aktivieren Sie den Endpunkt dann auf der Seite Integrationen wieder; Ereignisse aus der Zwischenzeit werden nur auf Ihren Wunsch gesendet.
