invoice = Facture
proposal = Devis
credit-note = Avoir
mark-draft = BROUILLON
mark-void = ANNULÉE
number = Numéro
issue-date = Date de facture
due-date = Échéance
valid-until = Valable jusqu’au
credits-invoice = Avoir sur la facture
supply-date = Date de livraison
service-period = Période de prestation
your-reference = Votre référence
your-order = Votre commande
tax-id = N° TVA { $id }
registration = Immatriculation { $number }
bill-to = Facturé à
description = Désignation
quantity = Qté
unit = Unité
unit-price = Prix unitaire
discount = Remise
tax = TVA
net = Montant HT
subtotal = Sous-total
discount-percent = Remise { $percent }
tax-on = TVA { $rate } sur { $base }
exempt-on = Exonéré de TVA sur { $base }
reverse-charge-on = Autoliquidation sur { $base }
intra-community-on = Livraison intracommunautaire sur { $base }
export-on = Exportation hors UE sur { $base }
not-subject-on = Non soumis à la TVA sur { $base }
total = Total
amount-paid = Déjà payé
amount-due = Reste à payer
notes = Remarques
reason = Motif
legal-reverse-charge = Autoliquidation : la TVA est due par le preneur (article 196 de la directive 2006/112/CE).
legal-intra-community = Livraison intracommunautaire exonérée de TVA (article 138 de la directive 2006/112/CE).
legal-export = Exportation hors de l’UE exonérée de TVA (article 146 de la directive 2006/112/CE).
legal-not-subject = Non soumis à la TVA.
legal-exempt = Exonéré de TVA.
pay-by-transfer = Paiement par virement
account-holder = Titulaire du compte : { $holder }
iban = IBAN : { $iban }
bic = BIC : { $bic }
payment-reference = Référence : { $reference }
scan-to-pay = Scanner pour payer
quote-reference = Merci d’indiquer la référence avec votre virement.
how-to-pay = Modalités de paiement
pay-quoting = Merci de régler le montant dû par virement, en indiquant la référence { $reference }.
pay-without-reference = Merci de régler le montant dû par virement.
ask-for-account = Demandez à { $email } le compte sur lequel payer.
page-of = Page { $page } sur { $pages }
deliver-to = Adresse de livraison
no-customer = Pas encore de client
payable-on-receipt = Payable à réception
credit-terms = Avoir sur la facture { $number } : à rembourser ou à imputer sur celle-ci
mail-invoice-subject = Facture { $number } de { $seller }
mail-invoice-body =
    Bonjour,

    veuillez trouver ci-joint notre facture { $number } d’un montant de { $total }, payable au plus tard le { $due }.

    Cordialement,
    { $seller }
mail-credit-note-subject = Avoir { $number } de { $seller }
mail-credit-note-body =
    Bonjour,

    veuillez trouver ci-joint notre avoir { $number } d’un montant de { $total } sur la facture { $invoice }.

    Cordialement,
    { $seller }
mail-proposal-subject = Devis { $number } de { $seller }
mail-proposal-body =
    Bonjour,

    veuillez trouver ci-joint notre devis { $number } d’un montant de { $total }, valable jusqu’au { $due }.

    Cordialement,
    { $seller }
mail-link = Consulter en ligne, télécharger{ $answer ->
        [yes] {" "}ou accepter
       *[no] {""}
    } : { $link }
page-download-pdf = Télécharger le PDF
page-download-ubl = Télécharger la facture électronique (UBL)
page-answer = Votre réponse
page-your-name = Vos nom et prénom
page-accept = Accepter le devis
page-decline-reason = Pourquoi ? (facultatif)
page-decline = Refuser le devis
page-not-found = Introuvable
page-not-found-text = Ce lien n’ouvre rien : il a peut-être expiré ou été retiré. Demandez-en un nouveau à l’expéditeur.
page-accepted = Accepté par { $name }. Merci : { $seller } a été prévenu.
page-declined = Refusé. { $seller } a été prévenu.
page-name-required = Saisissez votre nom pour accepter le devis.
page-closed = Ce devis ne peut plus recevoir de réponse ici.
mail-accepted-subject = { $buyer } a accepté le devis { $number }
mail-declined-subject = { $buyer } a refusé le devis { $number }
mail-answered-body =
    { $buyer } a répondu au devis { $number } sur sa page ({ $name }).

    { $reason }
reminder = Rappel de paiement
reminder-stage = Relance { $stage }
reminder-date = Date
invoice-number = Facture
invoice-date = Date de facture
reminder-text = Sauf erreur de notre part, la facture { $number } du { $date }, échue le { $due }, n'a pas encore été réglée. Si vous avez déjà payé, veuillez ne pas tenir compte de ce rappel ; sinon, merci de régler le total ci-dessous.
reminder-amount-due = Montant dû sur la facture { $number }
reminder-days-overdue = Jours de retard
reminder-fees = Frais de relance
reminder-interest = Intérêts de retard ({ $rate } par an pour { $days } jours)
reminder-compensation = Indemnité forfaitaire pour frais de recouvrement
reminder-total = Total à payer
mail-reminder-subject = Rappel de paiement : facture { $number } de { $seller }
mail-reminder-body =
    Bonjour,

    notre facture { $number } d'un montant de { $total } était payable le { $due } et présente { $days } jours de retard. Merci de bien vouloir régler { $claimed } rapidement ; le rappel joint en détaille le calcul.

    Si vous avez déjà payé, veuillez ne pas tenir compte de ce message.

    Cordialement,
    { $seller }

## Avis de sécurité à l'utilisateur du compte
notice-subject = Avis de sécurité concernant votre compte InvoiceFlow
notice-password-changed = Le mot de passe de votre compte InvoiceFlow a été modifié le { $when } (UTC). Toutes les autres sessions ont été fermées.
notice-email-changed = L’adresse e-mail de votre compte InvoiceFlow a été remplacée par { $address } le { $when } (UTC). Vous vous connectez désormais avec elle, et les avis y sont envoyés.
notice-bank-account-changed = Le compte bancaire imprimé sur vos factures a été modifié le { $when } (UTC). Vos clients voient désormais le nouveau compte sur chaque document émis.
notice-complete-export = Un export complet de votre compte InvoiceFlow (tous les enregistrements, documents et le journal d'audit) a été réalisé le { $when } (UTC).
notice-second-factor-enabled = L'authentification à deux facteurs a été activée pour votre compte InvoiceFlow le { $when } (UTC). La connexion demande désormais un code de votre application d'authentification.
notice-second-factor-disabled = L'authentification à deux facteurs a été désactivée pour votre compte InvoiceFlow le { $when } (UTC). La connexion ne demande plus que votre mot de passe.
notice-recovery-code-used = Un code de récupération a été utilisé pour se connecter à votre compte InvoiceFlow le { $when } (UTC). Il reste { $left } codes de récupération.
notice-not-you = Si ce n'était pas vous, changez votre mot de passe maintenant et consultez le journal d'audit dans les paramètres de l'application.
notice-webhook-disabled-subject = Votre point de terminaison webhook a été désactivé
notice-webhook-disabled = Chaque envoi vers votre point de terminaison webhook { $url } échoue depuis trois jours : InvoiceFlow l'a donc désactivé le { $when } (UTC) et ne lui envoie plus d'événements. Corrigez le récepteur, puis réactivez le point de terminaison sur la page Intégrations ; les événements survenus entre-temps ne sont envoyés que si vous le demandez.
