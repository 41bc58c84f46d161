# Die Web-App des Inhabers, auf Deutsch: jeder Text, den eine Seite zeigt (Project Fluent).

## The page, its navigation and the pieces of forms

skip-to-content = Zum Inhalt springen
nav-main = Hauptmenü
nav-dashboard = Übersicht
nav-customers = Kunden
nav-services = Leistungen
nav-proposals = Angebote
nav-invoices = Rechnungen
nav-credit-notes = Gutschriften
nav-payments = Zahlungen
nav-exports = Exporte
nav-settings = Einstellungen
nav-audit = Protokoll
log-out = Abmelden
address-street = Straße
address-street-2 = Straße, zweite Zeile
address-postal-code = Postleitzahl
address-city = Ort
address-region = Region
address-country = Land
next-page = Nächste Seite →

## Statuses

status-draft = Entwurf
status-issued = Ausgestellt
status-partially_paid = Teilweise bezahlt
status-paid = Bezahlt
status-void = Storniert
status-sent = Versendet
status-accepted = Angenommen
status-declined = Abgelehnt
status-expired = Abgelaufen
status-converted = In Rechnung umgewandelt

## Logging in and signing up

field-email = E-Mail
field-password = Passwort
log-in = Anmelden
new-here = Neu hier?
create-an-account = Ein Konto erstellen
login-refused = Diese E-Mail-Adresse und dieses Passwort passen zu keinem Konto.
field-your-name = Ihr Name
hint-new-password = 12 bis 72 Zeichen; einige Wörter ohne Zusammenhang ergeben ein starkes Passwort.
field-business-name = Name des Unternehmens
field-signup-currency = Währung Ihrer Dokumente
field-signup-country = Land Ihres Unternehmens
signup-privacy = Mit dem Erstellen eines Kontos stimmen Sie unserer Datenschutzerklärung zu: Ihre Daten werden mit einem Schlüssel verschlüsselt, den nur Ihr Konto verwenden kann.
create-account = Konto erstellen
have-an-account = Sie haben schon ein Konto?
create-your-account = Ihr Konto erstellen
currency-EUR = Euro (EUR)
currency-USD = US-Dollar (USD)
currency-GBP = Pfund Sterling (GBP)
currency-CHF = Schweizer Franken (CHF)
currency-CAD = Kanadischer Dollar (CAD)
currency-AUD = Australischer Dollar (AUD)
currency-SEK = Schwedische Krone (SEK)
currency-DKK = Dänische Krone (DKK)
currency-NOK = Norwegische Krone (NOK)
currency-PLN = Polnischer Złoty (PLN)
currency-CZK = Tschechische Krone (CZK)
currency-JPY = Japanischer Yen (JPY)

## The dashboard

new-invoice = Neue Rechnung
new-proposal = Neues Angebot
new-customer = Neuer Kunde
dashboard-empty-start = Noch ist nichts offen. Füllen Sie zuerst Ihr
dashboard-empty-profile = Unternehmensprofil
dashboard-empty-end =  aus, legen Sie dann einen Kunden an und schreiben Sie eine Rechnung.
totals-in = Summen in { $currency }
outstanding = Offen
overdue = Überfällig
invoices-past-due = 
    { $count ->
        [one] { $count } Rechnung überfällig
       *[other] { $count } Rechnungen überfällig
    }
received-30-days = Eingegangen, letzte 30 Tage
as-of = Stand: { $date }.
open-invoices = Offene Rechnungen
no-invoices = Hier sind keine Rechnungen.
col-number = Nummer
col-customer = Kunde
col-issued = Ausgestellt
col-due = Fällig
col-status = Status
col-total = Gesamt
col-amount-due = Offener Betrag

## VAT categories and currencies

category-default = Standard
category-S = S: Normalsatz
category-Z = Z: Nullsatz
category-E = E: steuerbefreit (Grund angeben)
category-AE = AE: Umkehr der Steuerschuldnerschaft
category-K = K: innergemeinschaftliche Lieferung
category-G = G: Ausfuhr außerhalb der EU
category-O = O: nicht steuerbar
currency-company = Währung des Unternehmens

## Customers and services

customer = Kunde
field-name = Name
field-contact = Ansprechpartner
field-phone = Telefon
field-tax-id = Steuernummer
hint-tax-id = USt-IdNr., z. B. DE123456789
field-currency = Währung
field-customer-category = USt-Kategorie seiner Positionen
hint-customer-category = Ein Unternehmen in einem anderen EU-Land: meist AE oder K
field-eas-scheme = Schema der E-Rechnungsadresse
hint-eas-scheme = Sein EAS-Code, z. B. 0208 (Belgien), 9930 (deutsche USt-IdNr.), 0088 (GLN)
field-eas-id = E-Rechnungsadresse
hint-eas-id = Seine Peppol-Kennung in diesem Schema
field-customer-language = Sprache seiner Dokumente
hint-customer-language = Leer: die Sprache des Kontos
billing-address = Rechnungsadresse
field-notes = Notizen
field-unit-price = Einzelpreis
field-unit = Einheit
hint-unit = z. B. Stunde, Tag, Stück
field-tax-rate = Steuersatz (%)
hint-tax-rate = Leer: der Standardsatz des Kontos
field-category = USt-Kategorie
field-exemption-reason = Befreiungsgrund
hint-exemption-reason = Bei Kategorie E: die Vorschrift, die befreit
field-exemption-code = Befreiungscode
hint-exemption-code = Ein VATEX-Code, z. B. VATEX-EU-132-1I
field-description = Beschreibung
field-active = Für neue Dokumente angeboten
service-offered = angeboten
service-archived = archiviert
search = Suchen
show-all = Alle zeigen
search-only-first = Nur die ersten { $count } wurden durchsucht.
customer-add-a = Einen Kunden anlegen
customer-add = Kunden anlegen
customer-new = Neuer Kunde
customer-search = Nach Name, E-Mail, Ort oder Steuernummer suchen
customer-matches = 
    { $count ->
        [one] { $count } Kunde passt zu „{ $query }“.
       *[other] { $count } Kunden passen zu „{ $query }“.
    }
customer-none-yet = Noch keine Kunden.
customer-delete = Diesen Kunden löschen
service = Leistung
service-add-a = Eine Leistung anlegen
service-add = Leistung anlegen
service-new = Neue Leistung
service-search = Nach Name oder Beschreibung suchen
service-matches = 
    { $count ->
        [one] { $count } Leistung passt zu „{ $query }“.
       *[other] { $count } Leistungen passen zu „{ $query }“.
    }
service-none-yet = Noch keine Leistungen.
service-delete = Diese Leistung löschen
saved = Gespeichert.
save-changes = Änderungen speichern
delete = Löschen
delete-confirm = { $name } löschen? Das lässt sich nicht rückgängig machen.

## Proposals, invoices, credit notes and payments

any-customer = Alle Kunden
any-status = Alle Status
show = Anzeigen
proposal-new = Neues Angebot
invoice-new = Neue Rechnung
no-proposals = Hier sind keine Angebote.
col-date = Datum
valid-until = Gültig bis
lines = Positionen
quantity = Menge
tax = Steuer
net = Netto
method-bank_transfer = Überweisung
method-card = Karte
method-cash = Bar
method-cheque = Scheck
method-other = Sonstiges
record-payment = Zahlung erfassen
record-a-payment = Eine Zahlung erfassen
amount = Betrag
received-on = Eingegangen am
method = Zahlungsart
reference = Referenz
declined-because = Abgelehnt, weil
download-pdf = PDF herunterladen
download-ubl = E-Rechnung herunterladen (UBL)
mark-accepted = Als angenommen markieren
convert-to-invoice = In eine Rechnung umwandeln
open-its-invoice = Seine Rechnung öffnen
declined-question = Abgelehnt?
mark-declined = Als abgelehnt markieren
why-declined = Warum der Kunde abgelehnt hat
proposal-title = Angebot { $number }
voided-because = Storniert, weil
credit-this-invoice = Diese Rechnung gutschreiben
credit-explained = Eine Gutschrift hebt auf, was von dieser Rechnung offen ist; sie nennt einen Grund.
issue-credit-note = Eine Gutschrift ausstellen
reason-for-credit = Grund der Gutschrift
void-this-invoice = Diese Rechnung stornieren
void-explained = Eine Stornierung behält die Rechnung und ihre Nummer, als STORNIERT markiert; auf sie ist nichts mehr geschuldet.
void-invoice = Rechnung stornieren
reason-for-void = Grund der Stornierung
invoice-title = Rechnung { $number }
no-payments = Keine Zahlungen erfasst.
received = Eingegangen
invoice = Rechnung
actions = Aktionen
payment-of = Zahlung über { $amount }
no-credit-notes = Keine Gutschriften.
credited = Gutgeschrieben
try-again = Erneut versuchen
credit-notes-explained = Eine Gutschrift wird auf der Seite ihrer Rechnung erstellt.
credits-invoice = Schreibt gut auf Rechnung
reason = Grund
credit-note-title = Gutschrift { $number }
payments-explained = Eine Zahlung wird auf der Seite ihrer Rechnung erfasst.

## The editor

choose-a-customer = Einen Kunden wählen …
proposal-start = Angebot beginnen
invoice-start = Rechnung beginnen
no-customer-yet = Noch kein Kunde
free-text = Freier Text
discount-whole = Rabatt auf alles (%)
buyer-reference = Referenz des Kunden
hint-buyer-reference = Seine für diese Rechnung, z. B. eine Leitweg-ID
order-reference = Bestellnummer
supply-date = Leistungsdatum
hint-supply-date = Wann Sie geliefert haben, falls nicht am Rechnungsdatum
prices-include-tax = Preise enthalten Steuer
remove = Entfernen
footer = Fußzeile
save-draft = Entwurf speichern
from-catalogue = Aus dem Katalog
tax-percent = Steuer %
discount-percent = Rabatt %
line-from-catalogue = Position { $n }: aus dem Katalog
line-description = Position { $n }: Beschreibung
line-quantity = Position { $n }: Menge
line-unit = Position { $n }: Einheit
line-unit-price = Position { $n }: Einzelpreis
line-tax-rate = Position { $n }: Steuersatz
line-category = Position { $n }: USt-Kategorie
line-exemption-reason = Position { $n }: Befreiungsgrund
line-discount = Position { $n }: Rabatt
line-remove = Position { $n } entfernen
proposal-draft = Angebotsentwurf
invoice-draft = Rechnungsentwurf
preview-pdf = PDF-Vorschau
delete-draft = Entwurf löschen
due-date = Fälligkeitsdatum
totals = Summen
discount = Rabatt
tax-on = Steuer { $rate } auf { $base }
amount-due = Offener Betrag
totals-pending = Die Summen erscheinen wieder, sobald jede Position vollständig ist.

## The account: settings, exports, audit trail

company-profile = Unternehmensprofil
company-profile-hint = Was Ihre Dokumente über Sie sagen. EU-E-Rechnungen brauchen Ihre Adresse und Steuernummer.
company-profile-saved = Unternehmensprofil gespeichert.
legal-name = Firmenname
website = Website
registration-number = Registernummer
hint-registration-number = Im Handelsregister, z. B. HRB 123456 B
hint-own-eas-id = Ihre Peppol-Kennung in diesem Schema
address = Adresse
bank-account = Bankverbindung für Zahlungen
account-holder = Kontoinhaber
save-company-profile = Unternehmensprofil speichern
numbers-terms-language = Nummern, Bedingungen und Sprache
settings-saved = Einstellungen gespeichert.
invoice-prefix = Rechnungsnummern beginnen mit
hint-invoice-prefix = z. B. RE-{"{"}YYYY{"}"}-
proposal-prefix = Angebotsnummern beginnen mit
credit-note-prefix = Gutschriftnummern beginnen mit
payment-terms = Zahlungsziel (Tage)
hint-payment-terms = 0: sofort fällig
proposal-validity = Angebote gültig für (Tage)
default-tax-rate = Standardsteuersatz (%)
locale = Sprache und Zahlenformat
hint-locale = Der App und der Dokumente an Kunden ohne eigene Sprache
time-zone = Zeitzone
hint-time-zone = z. B. Europe/Berlin
invoice-notes = Hinweise auf jeder Rechnung
invoice-footer = Fußzeile jeder Rechnung
small-business = Als Kleinunternehmer von der Umsatzsteuer befreit (z. B. § 19 UStG, Art. 293 B CGI): jede Position ist befreit, mit dem Satz, den Ihr Land verlangt
save-settings = Einstellungen speichern
series-invoices = Rechnungen
series-credit-notes = Gutschriften
series-proposals = Angebote
series-invoices-raise = Rechnungen anheben
series-credit-notes-raise = Gutschriften anheben
series-proposals-raise = Angebote anheben
next-number = Nächste Nummer:
raised = Angehoben.
continue-from = Fortsetzen ab Nummer
password-changed = Passwort geändert. Ihre anderen Sitzungen wurden abgemeldet.
current-password = Aktuelles Passwort
new-password = Neues Passwort
change-password = Passwort ändern
delete-account = Das Konto löschen
delete-account-explained = Das Löschen des Kontos meldet Sie sofort ab und lässt sich nicht rückgängig machen. Alle Daten, Dateien und Exporte werden innerhalb von 30 Tagen vernichtet. Exportieren Sie vorher, was Sie behalten möchten.
your-password = Ihr Passwort
type-legal-name = Geben Sie zur Bestätigung den Firmennamen ein
delete-account-button = Das Konto und alle seine Daten löschen
number-series = Nummernkreise
number-series-explained = Jeder Nummernkreis nummeriert seine Dokumente lückenlos. Um die Nummern eines anderen Programms fortzusetzen, heben Sie einen Nummernkreis auf die nächste Nummer an, die er vergeben soll; ein Nummernkreis wird nie gesenkt.
dataset-invoices = Rechnungen (CSV)
dataset-invoice_lines = Rechnungspositionen (CSV)
dataset-payments = Zahlungen (CSV)
dataset-customers = Kunden (CSV)
dataset-services = Leistungen (CSV)
dataset-proposals = Angebote (CSV)
dataset-account = Alles, mit PDFs (ZIP)
what-to-export = Was exportiert werden soll
export = Exportieren
exports-explained = Ein Export ist eine Datei Ihrer Daten. Sein Link funktioniert eine kurze Weile; kommen Sie für einen neuen hierher zurück.
no-exports = Noch keine Exporte.
made = Erstellt
data = Daten
rows = Zeilen
file = Datei
download = Herunterladen
audit-explained = Alles, was in diesem Konto getan wurde, das Neueste zuerst: wer, was, an welchem Datensatz und ob es erlaubt war.
when-utc = Wann (UTC)
action = Aktion
record = Datensatz
outcome = Ergebnis
audit-client = Client (Adresse, Browser)

## Audit outcomes

outcome-success = erlaubt
outcome-wrong_password = falsches Passwort
outcome-unknown_email = unbekannte E-Mail
outcome-locked = gesperrt
outcome-session_ended = Sitzung beendet

## Refusals and errors

login-paused = 
    { $count ->
        [one] Zu viele Versuche. Zu Ihrer Sicherheit ist die Anmeldung bei diesem Konto pausiert: Versuchen Sie es in { $count } Minute erneut.
       *[other] Zu viele Versuche. Zu Ihrer Sicherheit ist die Anmeldung bei diesem Konto pausiert: Versuchen Sie es in { $count } Minuten erneut.
    }
too-many-attempts = Zu viele Versuche. Versuchen Sie es später erneut.
server-failed = Bei uns ist etwas schiefgegangen, und nichts wurde geändert. Bitte versuchen Sie es erneut.
request-refused = Die Anfrage wurde abgelehnt.
required = Erforderlich.
fields-need-attention = Einige Felder brauchen Ihre Aufmerksamkeit; jedes sagt, warum.
not-found = Nicht gefunden
no-such-page = Diese Seite gibt es nicht.
go-to-dashboard = Zur Übersicht
something-went-wrong = Etwas ist schiefgegangen
no-such-record = Dieses Konto hat keinen solchen Datensatz.
opening = Wird geöffnet …
open-the-page = Die Seite öffnen

## The editor, more

no-customers-yet = Sie haben noch keine Kunden.
add-one-first = Legen Sie zuerst einen an
send-to-customer = An den Kunden senden
issue-invoice = Ausstellen (vergibt ihre Nummer)

## The editor, delivery

delivery-address = Lieferanschrift, falls nicht die Rechnungsadresse

## Sending

send-by-email = Per E-Mail senden
send = Senden
field-to = An
hint-to = Leer: die Adresse des Kunden
field-cc = Kopie an
field-subject = Betreff
hint-subject = Leer: die Nummer und Ihr Name, in der Sprache des Kunden
field-message = Nachricht
hint-message = Leer: ein kurzes Schreiben in der Sprache des Kunden mit Betrag und Fälligkeit; PDF und E-Rechnung liegen bei
not-sent-yet = Noch nicht per E-Mail gesendet.
sent-by-email = Per E-Mail gesendet
delivery-history = Was damit geschah
col-event = Ereignis
col-detail = Detail
document-links = Links zu seiner Seite
link-created = Erstellt
link-expires = Läuft ab
link-viewed = Zuerst geöffnet
link-revoked = Widerrufen
link-live = Öffnet die Seite
revoke-link = Widerrufen
links-explained = Jede E-Mail enthält einen neuen Link zur Seite des Dokuments, wo der Kunde es lesen und herunterladen (und ein Angebot beantworten) kann. Ein widerrufener oder abgelaufener Link öffnet nichts.
event-delivered = Zugestellt
event-bounced = Unzustellbar
event-complained = Als Spam markiert
event-rejected = Von Amazon SES nicht gesendet
event-viewed = Vom Kunden geöffnet
event-accepted = Vom Kunden angenommen
event-declined = Vom Kunden abgelehnt
suppressed-addresses = Gesperrte Adressen
suppressed-explained = An diese Adressen werden keine Dokumente gesendet: Jede war dauerhaft unzustellbar oder hat eine Nachricht als Spam markiert. Geben Sie eine frei, um wieder an sie zu senden.
no-suppressed = Keine Adresse ist gesperrt.
col-address = Adresse
col-reason = Grund
suppressed-bounced = Dauerhaft unzustellbar
suppressed-complained = Hat eine Nachricht als Spam markiert
clear-suppression = Freigeben
link-days = Dokument-Links gültig für (Tage)
hint-link-days = So lange öffnet der Link in einer gesendeten Rechnung oder Gutschrift ihre Seite. Der eines Angebots öffnet sie, bis es nicht mehr angenommen werden kann.
accepted-proposals = Angenommene Angebote, bereit zur Rechnung
make-link = Einen Link zum Kopieren erstellen
link-made = Der Link zur Seite, nur jetzt sichtbar: jetzt kopieren

# Wiederkehrende Rechnungen
nav-recurring = Wiederkehrend
recurring-new = Neue wiederkehrende Rechnung
recurring-add = Starten
recurring-add-a = Neue wiederkehrende Rechnung
recurring-none-yet = Noch keine wiederkehrenden Rechnungen. Eine wiederkehrende Rechnung stellt dieselbe Rechnung jede Woche, jeden Monat, jedes Quartal oder jedes Jahr aus.
recurring-schedule = Zeitplan
recurring-lines = Positionen jeder Rechnung
recurring-next = Nächste
recurring-made = Erstellte Rechnungen
recurring-last = Letzte Rechnung
recurring-upcoming = Nächste Termine
recurring-nothing-upcoming = Es steht nichts an: Sie ist pausiert oder beendet.
recurring-pause = Pausieren
recurring-resume = Fortsetzen
recurring-end = Beenden
recurring-status-active = Aktiv
recurring-status-paused = Pausiert
recurring-status-ended = Beendet
hint-recurring-terms = Tage vom Rechnungsdatum bis zur Fälligkeit; leer: das Zahlungsziel des Kontos
field-every = Alle
field-interval-unit = Intervall
field-start = Erste Rechnung am
hint-recurring-start = Heute oder später. Ein Tag, den ein Monat nicht hat, fällt auf dessen letzten Tag (31. Januar, 28. Februar, 31. März).
field-ending = Endet
field-ending-count = Anzahl der Rechnungen
hint-ending-count = Wenn sie nach einer Anzahl von Rechnungen endet
field-ending-date = Letztes Datum
hint-ending-date = Wenn sie an einem Datum endet
field-produce = Jeder Zeitraum erstellt
field-catch-up = Nach ausgefallenen Läufen
hint-catch-up = Falls der Dienst eine Weile ausfällt: jeden verpassten Zeitraum einmal, oder nur den letzten
unit-weeks = Wochen
unit-months = Monate
unit-quarters = Quartale
unit-years = Jahre
ending-never = Nie
ending-after = Nach einer Anzahl von Rechnungen
ending-on = An einem Datum
produce-draft = Einen Entwurf zur Prüfung
produce-issued = Eine ausgestellte Rechnung
produce-sent = Eine ausgestellte Rechnung, per E-Mail an den Kunden
catch-up-each = Jeden verpassten Zeitraum
catch-up-latest = Nur den letzten
every-weeks = { $count ->
    [one] Jede Woche
   *[other] Alle { $count } Wochen
}
every-months = { $count ->
    [one] Jeden Monat
   *[other] Alle { $count } Monate
}
every-quarters = { $count ->
    [one] Jedes Quartal
   *[other] Alle { $count } Quartale
}
every-years = { $count ->
    [one] Jedes Jahr
   *[other] Alle { $count } Jahre
}
from-date = ab { $date }
ending-after-count = insgesamt { $count } Rechnungen
ending-on-date = bis { $date }

# Zahlungserinnerungen
reminders = Zahlungserinnerungen
reminders-enabled = Zahlungserinnerungen senden
hint-reminders-enabled = Überfällige Rechnungen werden am Tag jeder Stufe nach ihrer Fälligkeit erinnert: nur die letzte fällige Stufe, einmal, und nie eine bezahlte, gutgeschriebene oder stornierte.
reminders-interest = Verzugszinsen (% pro Jahr)
hint-reminders-interest = Zum Beispiel der Basiszinssatz + 5 Punkte, + 9 Punkte zwischen Unternehmen (§ 288 BGB); leer: keine
reminders-compensation = Verzugspauschale
hint-reminders-compensation = Der feste Betrag, den die EU-Zahlungsverzugsrichtlinie zwischen Unternehmen erlaubt (40,00 in EUR); leer: keine
reminder-days = Erinnerung { $n }: Tage nach Fälligkeit
reminder-fee = Erinnerung { $n }: Gebühr
reminder-subject = Erinnerung { $n }: Betreff
reminder-message = Erinnerung { $n }: Nachricht
reminders-next = Nächste Zahlungserinnerung: { $date }
reminders-off = Zahlungserinnerungen sind in den Einstellungen ausgeschaltet.
reminders-paused = Zahlungserinnerungen für diese Rechnung sind pausiert.
reminders-opted-out = Der Kunde wünscht keine Zahlungserinnerungen.
reminders-none-due = Keine weitere Zahlungserinnerung fällig.
reminders-sent = Gesendete Zahlungserinnerungen
reminders-stage = Stufe
reminders-claimed = Gefordert
reminders-by-hand = von Hand
reminders-send-now = Jetzt eine Zahlungserinnerung senden
reminders-pause = Erinnerungen pausieren
reminders-resume = Erinnerungen fortsetzen
field-no_reminders = Keine Zahlungserinnerungen
nav-integrations = Integrationen
integrations-explained = Programme (eine Buchhaltung, ein Shop, ein Skript) erreichen die Daten Ihres Kontos über die API mit einem Schlüssel, den Sie hier erstellen. Ein Schlüssel liest oder liest und schreibt; Schlüssel, Ihr Passwort und Ihr Konto verwaltet er nie. Widerrufen Sie einen Schlüssel, wird seine nächste Anfrage abgelehnt.
api-keys = API-Schlüssel
key-name = Name
key-scope = Berechtigung
key-scope-read = Lesen
key-scope-write = Lesen und schreiben
key-hint = Schlüssel
key-last-used = Zuletzt benutzt
key-never-used = Nie
key-active = Aktiv
key-revoked = Widerrufen
make-key = Schlüssel erstellen
key-made = Ihr neuer Schlüssel
key-copy-now = Kopieren Sie ihn jetzt und bewahren Sie ihn sicher auf: Er wird nur dieses eine Mal angezeigt. Programme senden ihn als „Authorization: Bearer“ gefolgt vom Schlüssel.
no-keys = Noch keine API-Schlüssel.
revoke-key = Widerrufen
webhooks = Webhooks
webhooks-explained = Ein Webhook teilt einem anderen Programm (Ihrer Buchhaltung, einem Shop, einem Skript) mit, wenn etwas geschieht: Er sendet das Ereignis signiert an die HTTPS-Adresse, die Sie angeben. Standardmäßig enthält es nur die Kennung und Art des Datensatzes; den Rest liest das Programm mit einem API-Schlüssel. Deaktivieren Sie einen Endpunkt, erreicht ihn nichts mehr, auch nicht, was noch wartete.
webhook-url = Adresse (https://)
webhook-events = Ereignisse
webhook-payload = Inhalt eines Ereignisses
webhook-payload-ids = Nur Kennung und Art (empfohlen)
webhook-payload-object = Der ganze Datensatz
make-webhook = Endpunkt hinzufügen
no-webhooks = Noch keine Webhook-Endpunkte.
webhook-secret-made = Das Signaturgeheimnis des Endpunkts
webhook-copy-now = Kopieren Sie es jetzt in das empfangende Programm: Es prüft damit die Signatur jedes Ereignisses, und es wird nur dieses eine Mal angezeigt. Nach einem Wechsel signiert das alte Geheimnis noch 24 Stunden neben dem neuen.
webhook-recent = Letzte Zustellungen
webhook-no-deliveries = Noch keine
webhook-delivered = zugestellt
webhook-failed = fehlgeschlagen
webhook-skipped = nicht gesendet
webhook-enabled = Aktiv
webhook-disabled = Deaktiviert
webhook-disabled-failing = Deaktiviert: seit drei Tagen fehlerhaft
webhook-test = Testereignis senden
webhook-disable = Deaktivieren
webhook-enable = Aktivieren
webhook-rotate = Geheimnis wechseln
webhook-delete = Löschen

## Zwei-Faktor-Anmeldung, und das Passwort noch einmal bestätigen
login-needs-code = Geben Sie den Code ein, den Ihre Authenticator-App zeigt (oder einen Ihrer Wiederherstellungscodes), und noch einmal Ihr Passwort.
field-code = Code aus der App
hint-code = Die sechs Ziffern, die Ihre Authenticator-App gerade zeigt.
field-recovery-code = Oder ein Wiederherstellungscode
confirm-needs-code = Geben Sie auch den Code ein, den Ihre Authenticator-App zeigt.
confirm-refused = Dieses Passwort (oder dieser Code) stimmt nicht. Bitte versuchen Sie es noch einmal.
confirm-for-export = Der vollständige Export enthält alles aus Ihrem Konto: Bitte bestätigen Sie zuerst Ihr Passwort.
confirm-for-bank-account = Auf dieses Konto zahlen Ihre Kunden: Bitte bestätigen Sie Ihr Passwort, um es zu ändern.
two-factor = Zwei-Faktor-Anmeldung
two-factor-explained = Zum Anmelden braucht es dann außer dem Passwort den Code, den eine Authenticator-App auf Ihrem Telefon zeigt. Wer Ihr Passwort erfährt, kommt trotzdem nicht hinein.
two-factor-set-up = Zwei-Faktor-Anmeldung einrichten
two-factor-scan = Scannen Sie diesen QR-Code mit Ihrer Authenticator-App (oder tippen Sie den Schlüssel ein) und geben Sie dann den Code ein, den sie zeigt.
two-factor-qr = QR-Code für Ihre Authenticator-App
two-factor-key = Schlüssel:
two-factor-turn-on = Einschalten
two-factor-is-on = Die Zwei-Faktor-Anmeldung ist eingeschaltet.
two-factor-recovery-codes = Ihre Wiederherstellungscodes: Jeder meldet Sie einmal anstelle eines Codes an, falls Sie Ihr Telefon verlieren. Schreiben Sie sie jetzt auf oder drucken Sie sie aus: Sie werden nur dieses eine Mal gezeigt.
two-factor-turn-off = Zwei-Faktor-Anmeldung ausschalten
two-factor-turned-off = Die Zwei-Faktor-Anmeldung ist ausgeschaltet.
done = Fertig
audit-check = Protokoll prüfen
audit-intact = Das Protokoll ist unverändert: { $checkpoints } signierte Prüfpunkte decken { $sealed } Einträge ab, jeden so, wie er geschrieben wurde.
audit-not-intact = Das Protokoll ist nicht mehr so, wie es signiert wurde. Gefunden wurde:
audit-unsealed = { $unsealed } neuere Einträge werden beim nächsten stündlichen Prüfpunkt signiert.
audit-public-key = Der Schlüssel, mit dem die Prüfpunkte signiert sind (um den vollständigen Export offline zu prüfen)
email-address = E-Mail-Adresse
new-email = Neue E-Mail-Adresse
change-email = E-Mail-Adresse ändern
email-changed = E-Mail-Adresse geändert. Ab jetzt melden Sie sich mit der neuen an; beide Adressen wurden benachrichtigt.
confirm-for-email = Mit dieser Adresse melden Sie sich an: Bitte bestätigen Sie Ihr Passwort, um sie zu ändern.
