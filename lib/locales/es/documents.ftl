invoice = Factura
proposal = Presupuesto
credit-note = Factura rectificativa
mark-draft = BORRADOR
mark-void = ANULADA
number = Número
issue-date = Fecha de factura
due-date = Vencimiento
valid-until = Válido hasta
credits-invoice = Rectifica la factura
supply-date = Fecha de entrega
service-period = Periodo del servicio
your-reference = Su referencia
your-order = Su pedido
tax-id = NIF-IVA { $id }
registration = Registro { $number }
bill-to = Facturar a
description = Descripción
quantity = Cant.
unit = Unidad
unit-price = Precio unitario
discount = Descuento
tax = IVA
net = Base
subtotal = Subtotal
discount-percent = Descuento { $percent }
tax-on = IVA { $rate } sobre { $base }
exempt-on = Exento de IVA sobre { $base }
reverse-charge-on = Inversión del sujeto pasivo sobre { $base }
intra-community-on = Entrega intracomunitaria sobre { $base }
export-on = Exportación fuera de la UE sobre { $base }
not-subject-on = No sujeto a IVA sobre { $base }
total = Total
amount-paid = Pagado
amount-due = Importe pendiente
notes = Observaciones
reason = Motivo
legal-reverse-charge = Inversión del sujeto pasivo: el destinatario liquida el IVA (artículo 196 de la Directiva 2006/112/CE).
legal-intra-community = Entrega intracomunitaria exenta de IVA (artículo 138 de la Directiva 2006/112/CE).
legal-export = Exportación fuera de la UE exenta de IVA (artículo 146 de la Directiva 2006/112/CE).
legal-not-subject = No sujeto a IVA.
legal-exempt = Exento de IVA.
pay-by-transfer = Pago por transferencia
account-holder = Titular de la cuenta: { $holder }
iban = IBAN: { $iban }
bic = BIC: { $bic }
payment-reference = Referencia: { $reference }
scan-to-pay = Escanee para pagar
quote-reference = Indique la referencia en su transferencia.
how-to-pay = Forma de pago
pay-quoting = Le rogamos abone el importe pendiente por transferencia, indicando la referencia { $reference }.
pay-without-reference = Le rogamos abone el importe pendiente por transferencia.
ask-for-account = Solicite a { $email } la cuenta en la que pagar.
page-of = Página { $page } de { $pages }
deliver-to = Dirección de entrega
no-customer = Todavía sin cliente
payable-on-receipt = Pagadero a la recepción
credit-terms = Abono de la factura { $number }: a reembolsar o compensar con ella
mail-invoice-subject = Factura { $number } de { $seller }
mail-invoice-body =
    Hola:

    adjuntamos nuestra factura { $number } por { $total }, pagadera antes del { $due }.

    Saludos cordiales,
    { $seller }
mail-credit-note-subject = Factura rectificativa { $number } de { $seller }
mail-credit-note-body =
    Hola:

    adjuntamos nuestra factura rectificativa { $number } por { $total }, que rectifica la factura { $invoice }.

    Saludos cordiales,
    { $seller }
mail-proposal-subject = Presupuesto { $number } de { $seller }
mail-proposal-body =
    Hola:

    adjuntamos nuestro presupuesto { $number } por { $total }, válido hasta el { $due }.

    Saludos cordiales,
    { $seller }
mail-link = Consultarlo en línea, descargarlo{ $answer ->
        [yes] {" "}o aceptarlo
       *[no] {""}
    }: { $link }
page-download-pdf = Descargar el PDF
page-download-ubl = Descargar la factura electrónica (UBL)
page-answer = Su respuesta
page-your-name = Su nombre completo
page-accept = Aceptar el presupuesto
page-decline-reason = ¿Por qué no? (opcional)
page-decline = Rechazar el presupuesto
page-not-found = No encontrado
page-not-found-text = Este enlace no abre nada: puede haber caducado o haberse retirado. Pida uno nuevo al remitente.
page-accepted = Aceptado por { $name }. Gracias: { $seller } ha sido avisado.
page-declined = Rechazado. { $seller } ha sido avisado.
page-name-required = Escriba su nombre para aceptar el presupuesto.
page-closed = Este presupuesto ya no se puede responder aquí.
mail-accepted-subject = { $buyer } aceptó el presupuesto { $number }
mail-declined-subject = { $buyer } rechazó el presupuesto { $number }
mail-answered-body =
    { $buyer } respondió al presupuesto { $number } en su página ({ $name }).

    { $reason }
reminder = Recordatorio de pago
reminder-stage = Recordatorio { $stage }
reminder-date = Fecha
invoice-number = Factura
invoice-date = Fecha de factura
reminder-text = Aún no hemos recibido el pago de la factura { $number } del { $date }, vencida el { $due }. Si ya ha pagado, ignore este recordatorio; de lo contrario, le rogamos que pague el total indicado abajo.
reminder-amount-due = Importe pendiente de la factura { $number }
reminder-days-overdue = Días de retraso
reminder-fees = Gastos de recordatorio
reminder-interest = Intereses de demora ({ $rate } anual durante { $days } días)
reminder-compensation = Compensación por costes de cobro
reminder-total = Total a pagar
mail-reminder-subject = Recordatorio de pago: factura { $number } de { $seller }
mail-reminder-body =
    Hola:

    nuestra factura { $number } por { $total } vencía el { $due } y lleva { $days } días de retraso. Le agradeceríamos que pagara { $claimed } en breve; el recordatorio adjunto muestra el desglose.

    Si ya ha pagado, ignore este mensaje.

    Atentamente,
    { $seller }

## Avisos de seguridad al usuario de la cuenta
notice-subject = Aviso de seguridad sobre su cuenta de InvoiceFlow
notice-password-changed = La contraseña de su cuenta de InvoiceFlow se cambió el { $when } (UTC). Se cerraron todas las demás sesiones.
notice-email-changed = La dirección de correo electrónico de su cuenta de InvoiceFlow se cambió a { $address } el { $when } (UTC). Ahora inicia sesión con ella y los avisos se envían a ella.
notice-bank-account-changed = La cuenta bancaria que figura en sus facturas se cambió el { $when } (UTC). Sus clientes verán la nueva cuenta en cada documento que emita.
notice-complete-export = El { $when } (UTC) se hizo una exportación completa de su cuenta de InvoiceFlow (todos los registros, documentos y el registro de auditoría).
notice-second-factor-enabled = La autenticación en dos pasos se activó para su cuenta de InvoiceFlow el { $when } (UTC). Ahora iniciar sesión requiere un código de su aplicación de autenticación.
notice-second-factor-disabled = La autenticación en dos pasos se desactivó para su cuenta de InvoiceFlow el { $when } (UTC). Ahora iniciar sesión solo requiere su contraseña.
notice-recovery-code-used = El { $when } (UTC) se usó un código de recuperación para iniciar sesión en su cuenta de InvoiceFlow. Quedan { $left } códigos de recuperación.
notice-not-you = Si no fue usted, cambie su contraseña ahora y revise el registro de auditoría en la configuración de la aplicación.
notice-webhook-disabled-subject = Su punto de conexión de webhook se ha desactivado
notice-webhook-disabled = Todas las entregas a su punto de conexión de webhook { $url } han fallado durante tres días, así que InvoiceFlow lo desactivó el { $when } (UTC): ya no se le envían eventos. Corrija el receptor y vuelva a activar el punto de conexión en la página Integraciones; los eventos producidos mientras tanto solo se envían si usted lo pide.
