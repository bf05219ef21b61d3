/**
 * Message templates with {{variables}}, in English plus Spanish and Hindi; the patient's
 * preferred language picks one (falling back to English). Rendering happens in activities: the
 * variables (names, dates) are patient data and never enter workflow history.
 */

export interface TemplateText {
  subject: string;
  text: string;
}

type Translations = { en: TemplateText } & Partial<Record<'es' | 'hi', TemplateText>>;

export const MESSAGE_TEMPLATES = {
  'appointment-confirmation': {
    en: { subject: 'Your appointment at {{clinicName}} is booked', text: 'Hello {{patientName}}, your appointment at {{clinicName}} on {{date}} at {{time}} is confirmed.' },
    es: { subject: 'Su cita en {{clinicName}} está reservada', text: 'Hola {{patientName}}, su cita en {{clinicName}} el {{date}} a las {{time}} está confirmada.' },
    hi: { subject: '{{clinicName}} में आपकी अपॉइंटमेंट बुक हो गई है', text: 'नमस्ते {{patientName}}, {{clinicName}} में {{date}} को {{time}} बजे आपकी अपॉइंटमेंट की पुष्टि हो गई है।' },
  },
  'appointment-reminder': {
    en: { subject: 'Reminder: your appointment at {{clinicName}}', text: 'Hello {{patientName}}, this is a reminder of your appointment at {{clinicName}} on {{date}} at {{time}}.' },
    es: { subject: 'Recordatorio: su cita en {{clinicName}}', text: 'Hola {{patientName}}, le recordamos su cita en {{clinicName}} el {{date}} a las {{time}}.' },
    hi: { subject: 'अनुस्मारक: {{clinicName}} में आपकी अपॉइंटमेंट', text: 'नमस्ते {{patientName}}, {{clinicName}} में {{date}} को {{time}} बजे आपकी अपॉइंटमेंट है।' },
  },
  'appointment-rescheduled': {
    en: { subject: 'Your appointment at {{clinicName}} has moved', text: 'Hello {{patientName}}, your appointment at {{clinicName}} has moved to {{date}} at {{time}}.' },
    es: { subject: 'Su cita en {{clinicName}} ha cambiado', text: 'Hola {{patientName}}, su cita en {{clinicName}} se ha movido al {{date}} a las {{time}}.' },
    hi: { subject: '{{clinicName}} में आपकी अपॉइंटमेंट बदल गई है', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपकी अपॉइंटमेंट अब {{date}} को {{time}} बजे है।' },
  },
  'appointment-cancelled': {
    en: { subject: 'Your appointment at {{clinicName}} is cancelled', text: 'Hello {{patientName}}, your appointment at {{clinicName}} on {{date}} at {{time}} has been cancelled.' },
    es: { subject: 'Su cita en {{clinicName}} está cancelada', text: 'Hola {{patientName}}, su cita en {{clinicName}} el {{date}} a las {{time}} ha sido cancelada.' },
    hi: { subject: '{{clinicName}} में आपकी अपॉइंटमेंट रद्द हो गई है', text: 'नमस्ते {{patientName}}, {{clinicName}} में {{date}} को {{time}} बजे की आपकी अपॉइंटमेंट रद्द कर दी गई है।' },
  },
  'follow-up-reminder': {
    en: { subject: 'Time to book your follow-up at {{clinicName}}', text: 'Hello {{patientName}}, your follow-up visit at {{clinicName}} is due around {{followUpDate}}. Please book it with us.' },
    es: { subject: 'Reserve su cita de seguimiento en {{clinicName}}', text: 'Hola {{patientName}}, su visita de seguimiento en {{clinicName}} corresponde hacia el {{followUpDate}}. Por favor, resérvela.' },
    hi: { subject: '{{clinicName}} में फ़ॉलो-अप बुक करें', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपकी फ़ॉलो-अप विज़िट लगभग {{followUpDate}} को होनी है। कृपया इसे बुक करें।' },
  },
  'appointment-no-show': {
    en: { subject: 'No-show: appointment {{reservationId}}', text: 'Appointment {{reservationId}} on {{date}} at {{time}} was not checked in within the grace period and is marked as a no-show.' },
  },
  'reschedule-requested': {
    en: { subject: 'Reschedule request for {{reservationId}}', text: '{{therapistName}} asks to move appointment {{reservationId}} from {{date}} at {{time}} to {{newDate}} at {{newTime}}. Approve or reject it in ClinicFlow.' },
  },
  'reschedule-decided': {
    en: { subject: 'Your reschedule request for {{reservationId}} was {{decision}}', text: 'Your request to move appointment {{reservationId}} to {{newDate}} at {{newTime}} was {{decision}}.' },
  },
  'payment-reminder': {
    en: { subject: 'Your balance at {{clinicName}}', text: 'Hello {{patientName}}, you have an outstanding balance of {{amount}} {{currency}} at {{clinicName}}. You can pay it securely here: {{payUrl}}' },
    es: { subject: 'Su saldo en {{clinicName}}', text: 'Hola {{patientName}}, tiene un saldo pendiente de {{amount}} {{currency}} en {{clinicName}}. Puede pagarlo de forma segura aquí: {{payUrl}}' },
    hi: { subject: '{{clinicName}} में आपकी बकाया राशि', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपकी {{amount}} {{currency}} की राशि बकाया है। आप यहाँ सुरक्षित भुगतान कर सकते हैं: {{payUrl}}' },
  },
  'payment-reminder-short': {
    en: { subject: '{{clinicName}}: {{amount}} {{currency}} due', text: '{{clinicName}}: {{amount}} {{currency}} due. Pay: {{payUrl}}' },
    es: { subject: '{{clinicName}}: {{amount}} {{currency}} pendiente', text: '{{clinicName}}: {{amount}} {{currency}} pendiente. Pague: {{payUrl}}' },
    hi: { subject: '{{clinicName}}: {{amount}} {{currency}} बकाया', text: '{{clinicName}}: {{amount}} {{currency}} बकाया। भुगतान: {{payUrl}}' },
  },
  'payment-follow-up': {
    en: { subject: 'Reminder: your balance at {{clinicName}} is still open', text: 'Hello {{patientName}}, your balance of {{amount}} {{currency}} at {{clinicName}} is still unpaid. Please pay it here: {{payUrl}}' },
    es: { subject: 'Recordatorio: su saldo en {{clinicName}} sigue pendiente', text: 'Hola {{patientName}}, su saldo de {{amount}} {{currency}} en {{clinicName}} sigue sin pagar. Puede pagarlo aquí: {{payUrl}}' },
    hi: { subject: 'अनुस्मारक: {{clinicName}} में आपकी राशि अभी बकाया है', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपकी {{amount}} {{currency}} की राशि अभी भी बकाया है। कृपया यहाँ भुगतान करें: {{payUrl}}' },
  },
  'invoice-issued': {
    en: { subject: 'Your invoice {{number}} from {{clinicName}}', text: 'Hello {{patientName}}, {{clinicName}} has issued invoice {{number}} for {{total}} {{currency}}. Download it here (the link works for {{linkDays}} days): {{downloadUrl}}' },
    es: { subject: 'Su factura {{number}} de {{clinicName}}', text: 'Hola {{patientName}}, {{clinicName}} ha emitido la factura {{number}} por {{total}} {{currency}}. Descárguela aquí (el enlace funciona durante {{linkDays}} días): {{downloadUrl}}' },
    hi: { subject: '{{clinicName}} से आपका इनवॉइस {{number}}', text: 'नमस्ते {{patientName}}, {{clinicName}} ने {{total}} {{currency}} का इनवॉइस {{number}} जारी किया है। इसे यहाँ डाउनलोड करें (लिंक {{linkDays}} दिन तक काम करेगा): {{downloadUrl}}' },
  },
  'payment-receipt': {
    en: { subject: 'Receipt {{number}} for your payment to {{clinicName}}', text: 'Hello {{patientName}}, thank you: {{clinicName}} received {{amount}} {{currency}} ({{method}}). Your receipt {{number}} is here (the link works for {{linkDays}} days): {{downloadUrl}}' },
    es: { subject: 'Recibo {{number}} de su pago a {{clinicName}}', text: 'Hola {{patientName}}, gracias: {{clinicName}} ha recibido {{amount}} {{currency}} ({{method}}). Su recibo {{number}} está aquí (el enlace funciona durante {{linkDays}} días): {{downloadUrl}}' },
    hi: { subject: '{{clinicName}} को आपके भुगतान की रसीद {{number}}', text: 'नमस्ते {{patientName}}, धन्यवाद: {{clinicName}} को {{amount}} {{currency}} ({{method}}) प्राप्त हुए। आपकी रसीद {{number}} यहाँ है (लिंक {{linkDays}} दिन तक काम करेगा): {{downloadUrl}}' },
  },
  'credit-note-issued': {
    en: { subject: 'Credit note {{number}} from {{clinicName}}', text: 'Hello {{patientName}}, {{clinicName}} has issued credit note {{number}} for {{amount}} {{currency}}. Download it here (the link works for {{linkDays}} days): {{downloadUrl}}' },
    es: { subject: 'Nota de crédito {{number}} de {{clinicName}}', text: 'Hola {{patientName}}, {{clinicName}} ha emitido la nota de crédito {{number}} por {{amount}} {{currency}}. Descárguela aquí (el enlace funciona durante {{linkDays}} días): {{downloadUrl}}' },
    hi: { subject: '{{clinicName}} से क्रेडिट नोट {{number}}', text: 'नमस्ते {{patientName}}, {{clinicName}} ने {{amount}} {{currency}} का क्रेडिट नोट {{number}} जारी किया है। इसे यहाँ डाउनलोड करें (लिंक {{linkDays}} दिन तक काम करेगा): {{downloadUrl}}' },
  },
  'package-expiry-reminder': {
    en: { subject: 'Your {{packageName}} at {{clinicName}} expires soon', text: 'Hello {{patientName}}, {{sessionsRemaining}} session(s) of your {{packageName}} at {{clinicName}} are still unused and expire on {{expiresOn}}. Book them before then.' },
    es: { subject: 'Su {{packageName}} en {{clinicName}} vence pronto', text: 'Hola {{patientName}}, le quedan {{sessionsRemaining}} sesión(es) sin usar de su {{packageName}} en {{clinicName}}, que vencen el {{expiresOn}}. Resérvelas antes de esa fecha.' },
    hi: { subject: '{{clinicName}} में आपका {{packageName}} जल्द समाप्त होगा', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपके {{packageName}} के {{sessionsRemaining}} सत्र अभी बाकी हैं और {{expiresOn}} को समाप्त हो जाएँगे। कृपया उससे पहले बुक करें।' },
  },
  'package-renewal-due': {
    en: { subject: 'Your {{packageName}} at {{clinicName}} has renewed', text: 'Hello {{patientName}}, your {{packageName}} at {{clinicName}} has renewed for another month: {{amount}} {{currency}} is due. Pay here to keep booking your sessions: {{payUrl}}' },
    es: { subject: 'Su {{packageName}} en {{clinicName}} se ha renovado', text: 'Hola {{patientName}}, su {{packageName}} en {{clinicName}} se ha renovado por un mes más: se deben {{amount}} {{currency}}. Pague aquí para seguir reservando sus sesiones: {{payUrl}}' },
    hi: { subject: '{{clinicName}} में आपका {{packageName}} नवीनीकृत हो गया है', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपका {{packageName}} एक और महीने के लिए नवीनीकृत हो गया है: {{amount}} {{currency}} देय है। सत्र बुक करते रहने के लिए यहाँ भुगतान करें: {{payUrl}}' },
  },
  'package-renewal-follow-up': {
    en: { subject: 'Reminder: your {{packageName}} at {{clinicName}} is unpaid', text: 'Hello {{patientName}}, this month of your {{packageName}} at {{clinicName}} ({{amount}} {{currency}}) is still unpaid, so its sessions cannot be booked. Please pay here: {{payUrl}}' },
    es: { subject: 'Recordatorio: su {{packageName}} en {{clinicName}} está pendiente de pago', text: 'Hola {{patientName}}, este mes de su {{packageName}} en {{clinicName}} ({{amount}} {{currency}}) sigue sin pagar, por lo que no se pueden reservar sus sesiones. Pague aquí: {{payUrl}}' },
    hi: { subject: 'अनुस्मारक: {{clinicName}} में आपके {{packageName}} का भुगतान बाकी है', text: 'नमस्ते {{patientName}}, {{clinicName}} में आपके {{packageName}} के इस महीने ({{amount}} {{currency}}) का भुगतान अभी बाकी है, इसलिए इसके सत्र बुक नहीं हो सकते। कृपया यहाँ भुगतान करें: {{payUrl}}' },
  },
  'payment-final-notice': {
    en: { subject: 'Unpaid after reminders: patient {{patientNumber}}', text: 'Patient {{patientNumber}} still owes {{amount}} {{currency}} after the reminder of {{remindedOn}} and {{followUps}} follow-up(s). Please follow it up directly.' },
  },
  'subscription-past-due': {
    en: { subject: 'ClinicFlow: the payment for {{clinicName}} failed', text: 'The payment for the {{tier}} subscription of {{clinicName}} failed. Please update the payment method: Stripe retries for a few days, after which the clinic can be read but not changed until the invoice is paid.' },
  },
  'licence-alert': {
    en: { subject: 'ClinicFlow licence: {{metric}} at {{percent}}% of your {{tier}} tier', text: 'Your clinic {{clinicName}} uses {{usage}} of {{limit}} {{metric}} allowed by the {{tier}} tier ({{percent}}%). Consider upgrading the licence.' },
  },
  'monthly-report': {
    en: { subject: '{{clinicName}}: your report for {{month}}', text: "The report of {{clinicName}} for {{month}} is ready: revenue, refunds, expenses, net, and sessions by practitioner. Download the PDF within {{days}} days: {{link}} (after that, read it in ClinicFlow's reports)." },
    es: { subject: '{{clinicName}}: su informe de {{month}}', text: 'El informe de {{clinicName}} de {{month}} está listo: ingresos, reembolsos, gastos, neto y sesiones por profesional. Descargue el PDF en los próximos {{days}} días: {{link}} (después, consúltelo en los informes de ClinicFlow).' },
    hi: { subject: '{{clinicName}}: {{month}} की आपकी रिपोर्ट', text: '{{clinicName}} की {{month}} की रिपोर्ट तैयार है: आय, रिफ़ंड, ख़र्च, शुद्ध राशि और प्रत्येक चिकित्सक के सत्र। PDF {{days}} दिनों के भीतर डाउनलोड करें: {{link}} (उसके बाद ClinicFlow की रिपोर्ट में देखें)।' },
  },
  'messaging-alert': {
    en: { subject: 'ClinicFlow messaging alert: {{channel}} at {{clinicName}}', text: 'Messaging at {{clinicName}} has a problem on {{channel}} ({{label}}): {{problem}}, since {{openedAt}}. Messages keep waiting and are retried; check the provider settings and GET /communication/alerts. You will get one note when it clears.' },
    es: { subject: 'Alerta de mensajería de ClinicFlow: {{channel}} en {{clinicName}}', text: 'La mensajería de {{clinicName}} tiene un problema en {{channel}} ({{label}}): {{problem}}, desde {{openedAt}}. Los mensajes esperan y se reintentan; revise la configuración del proveedor. Recibirá un aviso cuando se resuelva.' },
    hi: { subject: 'ClinicFlow संदेश अलर्ट: {{clinicName}} में {{channel}}', text: '{{clinicName}} की संदेश सेवा में {{channel}} ({{label}}) पर समस्या है: {{problem}}, {{openedAt}} से। संदेश प्रतीक्षा में हैं और फिर से भेजे जाएँगे; प्रदाता की सेटिंग जाँचें। समस्या दूर होने पर आपको सूचना मिलेगी।' },
  },
  'messaging-recovered': {
    en: { subject: 'ClinicFlow messaging recovered: {{channel}} at {{clinicName}}', text: 'The problem on {{channel}} ({{label}}) at {{clinicName}} has cleared: {{problem}}, open since {{openedAt}}.' },
    es: { subject: 'Mensajería de ClinicFlow restablecida: {{channel}} en {{clinicName}}', text: 'El problema en {{channel}} ({{label}}) de {{clinicName}} se ha resuelto: {{problem}}, abierto desde {{openedAt}}.' },
    hi: { subject: 'ClinicFlow संदेश सेवा बहाल: {{clinicName}} में {{channel}}', text: '{{clinicName}} में {{channel}} ({{label}}) की समस्या दूर हो गई है: {{problem}}, जो {{openedAt}} से थी।' },
  },
  'documentation-reminder': {
    en: { subject: 'Please sign the report for {{reservationId}}', text: 'Hello {{practitionerName}}, the session {{reservationId}} on {{date}} at {{time}} still has no signed report. Please sign it by {{dueDate}} {{dueTime}}.' },
    es: { subject: 'Firme el informe de {{reservationId}}', text: 'Hola {{practitionerName}}, la sesión {{reservationId}} del {{date}} a las {{time}} aún no tiene un informe firmado. Fírmelo antes del {{dueDate}} a las {{dueTime}}.' },
    hi: { subject: '{{reservationId}} की रिपोर्ट पर हस्ताक्षर करें', text: 'नमस्ते {{practitionerName}}, {{date}} को {{time}} बजे के सत्र {{reservationId}} की रिपोर्ट पर अभी हस्ताक्षर नहीं हुए हैं। कृपया {{dueDate}} {{dueTime}} तक हस्ताक्षर करें।' },
  },
  'documentation-overdue': {
    en: { subject: 'Overdue: no signed report for {{reservationId}}', text: 'The session {{reservationId}} with {{practitionerName}} on {{date}} at {{time}} was due to be documented by {{dueDate}} {{dueTime}} and still has no signed report.' },
    es: { subject: 'Vencido: sin informe firmado para {{reservationId}}', text: 'La sesión {{reservationId}} con {{practitionerName}} del {{date}} a las {{time}} debía documentarse antes del {{dueDate}} a las {{dueTime}} y aún no tiene un informe firmado.' },
    hi: { subject: 'समय सीमा पार: {{reservationId}} की हस्ताक्षरित रिपोर्ट नहीं', text: '{{practitionerName}} के साथ {{date}} को {{time}} बजे के सत्र {{reservationId}} का दस्तावेज़ {{dueDate}} {{dueTime}} तक होना था, पर अभी तक कोई हस्ताक्षरित रिपोर्ट नहीं है।' },
  },
  'progress-report-shared': {
    en: { subject: 'Your progress report from {{clinicName}}', text: 'Hello {{recipientName}}, {{clinicName}} has shared the progress report of {{reportDate}} with you. Download it here until {{expiresOn}}: {{downloadUrl}}' },
    es: { subject: 'Su informe de progreso de {{clinicName}}', text: 'Hola {{recipientName}}, {{clinicName}} ha compartido con usted el informe de progreso del {{reportDate}}. Descárguelo aquí hasta el {{expiresOn}}: {{downloadUrl}}' },
    hi: { subject: '{{clinicName}} से आपकी प्रगति रिपोर्ट', text: 'नमस्ते {{recipientName}}, {{clinicName}} ने {{reportDate}} की प्रगति रिपोर्ट आपके साथ साझा की है। इसे {{expiresOn}} तक यहाँ से डाउनलोड करें: {{downloadUrl}}' },
  },
  'test-message': {
    en: { subject: 'ClinicFlow test message', text: 'This test message from {{clinicName}} shows that this channel is configured correctly.' },
    es: { subject: 'Mensaje de prueba de ClinicFlow', text: 'Este mensaje de prueba de {{clinicName}} muestra que el canal está bien configurado.' },
    hi: { subject: 'ClinicFlow परीक्षण संदेश', text: '{{clinicName}} का यह परीक्षण संदेश दिखाता है कि यह चैनल सही ढंग से कॉन्फ़िगर है।' },
  },
  'low-stock-alert': {
    en: { subject: 'Low stock: {{itemName}} ({{sku}})', text: '{{itemName}} ({{sku}}) is down to {{quantity}} {{unit}}, below its minimum of {{minimum}}. Receive stock or ask for a reorder in ClinicFlow.' },
    es: { subject: 'Existencias bajas: {{itemName}} ({{sku}})', text: 'Quedan {{quantity}} {{unit}} de {{itemName}} ({{sku}}), por debajo del mínimo de {{minimum}}. Registre una entrada o solicite un nuevo pedido en ClinicFlow.' },
    hi: { subject: 'कम स्टॉक: {{itemName}} ({{sku}})', text: '{{itemName}} ({{sku}}) अब केवल {{quantity}} {{unit}} बचा है, जो न्यूनतम {{minimum}} से कम है। ClinicFlow में स्टॉक दर्ज करें या पुनः ऑर्डर का अनुरोध करें।' },
  },
  'reorder-requested': {
    en: { subject: 'Reorder request: {{quantity}} {{unit}} of {{itemName}}', text: 'A reorder of {{quantity}} {{unit}} of {{itemName}} ({{sku}}) waits for your approval in ClinicFlow. It expires after 7 days.' },
    es: { subject: 'Solicitud de pedido: {{quantity}} {{unit}} de {{itemName}}', text: 'Un pedido de {{quantity}} {{unit}} de {{itemName}} ({{sku}}) espera su aprobación en ClinicFlow. Caduca a los 7 días.' },
    hi: { subject: 'पुनः ऑर्डर अनुरोध: {{itemName}} के {{quantity}} {{unit}}', text: '{{itemName}} ({{sku}}) के {{quantity}} {{unit}} का पुनः ऑर्डर ClinicFlow में आपकी स्वीकृति की प्रतीक्षा कर रहा है। यह 7 दिन बाद समाप्त हो जाएगा।' },
  },
  'reorder-reminder': {
    en: { subject: 'Still waiting: reorder of {{itemName}}', text: 'The reorder of {{quantity}} {{unit}} of {{itemName}} ({{sku}}) has waited 2 days for a decision. Approve or reject it in ClinicFlow.' },
    es: { subject: 'Pendiente: pedido de {{itemName}}', text: 'El pedido de {{quantity}} {{unit}} de {{itemName}} ({{sku}}) lleva 2 días esperando una decisión. Apruébelo o recházelo en ClinicFlow.' },
    hi: { subject: 'अभी भी प्रतीक्षा में: {{itemName}} का पुनः ऑर्डर', text: '{{itemName}} ({{sku}}) के {{quantity}} {{unit}} का पुनः ऑर्डर 2 दिनों से निर्णय की प्रतीक्षा में है। ClinicFlow में इसे स्वीकार या अस्वीकार करें।' },
  },
  'reorder-decided': {
    en: { subject: 'Reorder of {{itemName}}: {{decision}}', text: 'The reorder of {{quantity}} {{unit}} of {{itemName}} ({{sku}}) is {{decision}}.' },
    es: { subject: 'Pedido de {{itemName}}: {{decision}}', text: 'El pedido de {{quantity}} {{unit}} de {{itemName}} ({{sku}}) está {{decision}}.' },
    hi: { subject: '{{itemName}} का पुनः ऑर्डर: {{decision}}', text: '{{itemName}} ({{sku}}) के {{quantity}} {{unit}} का पुनः ऑर्डर {{decision}} है।' },
  },
} as const satisfies Record<string, Translations>;

export type TemplateKey = keyof typeof MESSAGE_TEMPLATES;
export const TEMPLATE_KEYS = Object.keys(MESSAGE_TEMPLATES) as TemplateKey[];

export class TemplateError extends Error {}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills {{name}} placeholders; a missing variable is an error rather than a message saying "{{name}}". */
export function fill(text: string, variables: Record<string, string | number>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new TemplateError(`Variable ${name} is missing`);
    return String(value);
  });
}

/** "es-MX" uses the Spanish text; languages without a translation use English. */
export function renderTemplate(key: TemplateKey, language: string, variables: Record<string, string | number>): TemplateText & { language: string } {
  const translations: Translations = MESSAGE_TEMPLATES[key];
  const base = language.split('-')[0] as 'en' | 'es' | 'hi';
  const chosen = translations[base] ? base : 'en';
  const t = translations[chosen] as TemplateText;
  return { subject: fill(t.subject, variables), text: fill(t.text, variables), language: chosen };
}

export function isTemplateKey(key: string): key is TemplateKey {
  return key in MESSAGE_TEMPLATES;
}
