// The customer page's strings, in the widget's languages (src/i18n/language.ts): en, de, fr, es,
// and ar / he (right to left). Every table has every key (`Record<PortalKey, string>` checks it).
// {placeholders} are filled by pt().
import type { Language } from '../i18n/language.js';

const en = {
  ticket: 'Ticket {number}',
  status: 'Status',
  st_pending: 'Received',
  st_in_progress: 'In progress',
  st_resolved: 'Solved',
  st_archived: 'Closed',
  conversation: 'Conversation',
  you: 'You',
  support: 'Support',
  attachments: 'Attachments',
  replyLabel: 'Your reply',
  send: 'Send reply',
  attachFiles: 'Attach files (optional, up to {count} files of {size} each)',
  reopenHint: 'Still not solved? Reply and the ticket opens again.',
  solvedHint: 'Problem solved? Tell us and we close the ticket.',
  markSolved: 'Mark as solved',
  question: 'Did this solve your problem?',
  yes: 'Yes, it did',
  no: 'No, it did not',
  yourAnswer: 'Your answer: {answer}.',
  changeUntil: 'You can change it until {date}.',
  locked: 'This answer can no longer be changed.',
  notResolved: 'This ticket is not solved at the moment, so there is nothing to rate yet.',
  thanksRating: 'Thank you for your answer!',
  commentLabel: 'Anything you want to add? (optional)',
  saveComment: 'Send',
  back: 'Back to the ticket',
  sent: 'Your reply was added to the conversation.',
  followUp: 'Your message opened a new ticket, {number}; we sent you its link.',
  solvedDone: 'Thank you! The ticket is marked as solved.',
  notFoundTitle: 'Page not found',
  notFoundBody: 'This link does not work (any more): links expire after a while. We can email you fresh ones.',
  findTitle: 'Find my tickets',
  findIntro: 'Enter your email address and we will email you the links to your open tickets.',
  emailLabel: 'Email address',
  findSubmit: 'Email me my links',
  findSent: 'Thank you. If we have open tickets for that address, an email with their links is on its way.',
  tooMany: 'Too many requests. Please try again later.',
  invalid: 'Please check the form: {problems}',
  expired: 'This form has expired. Please reload the page and try again.',
};

export type PortalKey = keyof typeof en;
type Table = Record<PortalKey, string>;

// Translation tables stay dense (prettier-ignore): one group of sentences per line.
// prettier-ignore
const de: Table = {
  ticket: 'Ticket {number}', status: 'Status', st_pending: 'Eingegangen', st_in_progress: 'In Bearbeitung',
  st_resolved: 'Gelöst', st_archived: 'Geschlossen', conversation: 'Verlauf', you: 'Sie', support: 'Support',
  attachments: 'Anhänge', replyLabel: 'Ihre Antwort', send: 'Antwort senden',
  attachFiles: 'Dateien anhängen (optional, bis zu {count} Dateien mit je {size})',
  reopenHint: 'Noch nicht gelöst? Antworten Sie, dann öffnen wir das Ticket wieder.',
  solvedHint: 'Problem gelöst? Sagen Sie es uns, dann schließen wir das Ticket.', markSolved: 'Als gelöst markieren',
  question: 'Hat das Ihr Problem gelöst?', yes: 'Ja', no: 'Nein', yourAnswer: 'Ihre Antwort: {answer}.',
  changeUntil: 'Sie können sie bis {date} ändern.', locked: 'Diese Antwort kann nicht mehr geändert werden.',
  notResolved: 'Dieses Ticket ist derzeit nicht gelöst; es gibt noch nichts zu bewerten.',
  thanksRating: 'Danke für Ihre Antwort!', commentLabel: 'Möchten Sie etwas ergänzen? (optional)', saveComment: 'Senden',
  back: 'Zurück zum Ticket', sent: 'Ihre Antwort wurde hinzugefügt.',
  followUp: 'Ihre Nachricht hat ein neues Ticket eröffnet, {number}; den Link haben wir Ihnen gesendet.',
  solvedDone: 'Danke! Das Ticket ist als gelöst markiert.', notFoundTitle: 'Seite nicht gefunden',
  notFoundBody: 'Dieser Link funktioniert nicht (mehr): Links laufen nach einiger Zeit ab. Wir senden Ihnen gern neue.',
  findTitle: 'Meine Tickets finden',
  findIntro: 'Geben Sie Ihre E-Mail-Adresse ein; wir senden Ihnen die Links zu Ihren offenen Tickets.',
  emailLabel: 'E-Mail-Adresse', findSubmit: 'Links senden',
  findSent: 'Danke. Falls es offene Tickets zu dieser Adresse gibt, ist eine E-Mail mit den Links unterwegs.',
  tooMany: 'Zu viele Anfragen. Bitte versuchen Sie es später erneut.', invalid: 'Bitte prüfen Sie das Formular: {problems}',
  expired: 'Dieses Formular ist abgelaufen. Bitte laden Sie die Seite neu.',
};

// prettier-ignore
const fr: Table = {
  ticket: 'Ticket {number}', status: 'Statut', st_pending: 'Reçu', st_in_progress: 'En cours', st_resolved: 'Résolu',
  st_archived: 'Clos', conversation: 'Conversation', you: 'Vous', support: 'Support', attachments: 'Pièces jointes',
  replyLabel: 'Votre réponse', send: 'Envoyer la réponse',
  attachFiles: 'Joindre des fichiers (facultatif, jusqu’à {count} fichiers de {size} chacun)',
  reopenHint: 'Pas encore résolu ? Répondez et le ticket sera rouvert.',
  solvedHint: 'Problème résolu ? Dites-le-nous et nous fermerons le ticket.', markSolved: 'Marquer comme résolu',
  question: 'Cela a-t-il résolu votre problème ?', yes: 'Oui', no: 'Non', yourAnswer: 'Votre réponse : {answer}.',
  changeUntil: 'Vous pouvez la modifier jusqu’au {date}.', locked: 'Cette réponse ne peut plus être modifiée.',
  notResolved: 'Ce ticket n’est pas résolu pour le moment ; il n’y a rien à évaluer.',
  thanksRating: 'Merci pour votre réponse !', commentLabel: 'Quelque chose à ajouter ? (facultatif)', saveComment: 'Envoyer',
  back: 'Retour au ticket', sent: 'Votre réponse a été ajoutée à la conversation.',
  followUp: 'Votre message a ouvert un nouveau ticket, {number} ; nous vous avons envoyé son lien.',
  solvedDone: 'Merci ! Le ticket est marqué comme résolu.', notFoundTitle: 'Page introuvable',
  notFoundBody: 'Ce lien ne fonctionne pas (ou plus) : les liens expirent. Nous pouvons vous en envoyer de nouveaux.',
  findTitle: 'Retrouver mes tickets',
  findIntro: 'Saisissez votre adresse e-mail ; nous vous enverrons les liens de vos tickets ouverts.',
  emailLabel: 'Adresse e-mail', findSubmit: 'M’envoyer mes liens',
  findSent: 'Merci. Si nous avons des tickets ouverts pour cette adresse, un e-mail avec leurs liens est en route.',
  tooMany: 'Trop de demandes. Veuillez réessayer plus tard.', invalid: 'Veuillez vérifier le formulaire : {problems}',
  expired: 'Ce formulaire a expiré. Veuillez recharger la page.',
};

// prettier-ignore
const es: Table = {
  ticket: 'Ticket {number}', status: 'Estado', st_pending: 'Recibido', st_in_progress: 'En curso', st_resolved: 'Resuelto',
  st_archived: 'Cerrado', conversation: 'Conversación', you: 'Usted', support: 'Soporte', attachments: 'Adjuntos',
  replyLabel: 'Su respuesta', send: 'Enviar respuesta',
  attachFiles: 'Adjuntar archivos (opcional, hasta {count} archivos de {size} cada uno)',
  reopenHint: '¿Aún no está resuelto? Responda y el ticket se reabrirá.',
  solvedHint: '¿Problema resuelto? Díganoslo y cerraremos el ticket.', markSolved: 'Marcar como resuelto',
  question: '¿Esto resolvió su problema?', yes: 'Sí', no: 'No', yourAnswer: 'Su respuesta: {answer}.',
  changeUntil: 'Puede cambiarla hasta el {date}.', locked: 'Esta respuesta ya no se puede cambiar.',
  notResolved: 'Este ticket no está resuelto en este momento; todavía no hay nada que valorar.',
  thanksRating: '¡Gracias por su respuesta!', commentLabel: '¿Algo que añadir? (opcional)', saveComment: 'Enviar',
  back: 'Volver al ticket', sent: 'Su respuesta se añadió a la conversación.',
  followUp: 'Su mensaje abrió un ticket nuevo, {number}; le enviamos su enlace.',
  solvedDone: '¡Gracias! El ticket está marcado como resuelto.', notFoundTitle: 'Página no encontrada',
  notFoundBody: 'Este enlace no funciona (ya): los enlaces caducan. Podemos enviarle enlaces nuevos.',
  findTitle: 'Buscar mis tickets',
  findIntro: 'Introduzca su correo electrónico y le enviaremos los enlaces de sus tickets abiertos.',
  emailLabel: 'Correo electrónico', findSubmit: 'Enviarme mis enlaces',
  findSent: 'Gracias. Si tenemos tickets abiertos para esa dirección, le hemos enviado un correo con sus enlaces.',
  tooMany: 'Demasiadas solicitudes. Inténtelo de nuevo más tarde.', invalid: 'Revise el formulario: {problems}',
  expired: 'Este formulario ha caducado. Vuelva a cargar la página.',
};

// prettier-ignore
const ar: Table = {
  ticket: 'التذكرة {number}', status: 'الحالة', st_pending: 'تم الاستلام', st_in_progress: 'قيد المعالجة', st_resolved: 'تم الحل',
  st_archived: 'مغلقة', conversation: 'المحادثة', you: 'أنت', support: 'الدعم', attachments: 'المرفقات',
  replyLabel: 'ردك', send: 'إرسال الرد',
  attachFiles: 'إرفاق ملفات (اختياري، حتى {count} ملفات بحجم {size} لكل ملف)', reopenHint: 'لم تُحل بعد؟ أرسل ردًا وستُفتح التذكرة من جديد.',
  solvedHint: 'هل حُلّت المشكلة؟ أخبرنا وسنغلق التذكرة.', markSolved: 'وضع علامة تم الحل',
  question: 'هل حلّ هذا مشكلتك؟', yes: 'نعم', no: 'لا', yourAnswer: 'إجابتك: {answer}.',
  changeUntil: 'يمكنك تغييرها حتى {date}.', locked: 'لم يعد بالإمكان تغيير هذه الإجابة.',
  notResolved: 'هذه التذكرة غير محلولة حاليًا، فلا يوجد ما يُقيَّم بعد.', thanksRating: 'شكرًا على إجابتك!',
  commentLabel: 'هل تود إضافة شيء؟ (اختياري)', saveComment: 'إرسال', back: 'العودة إلى التذكرة',
  sent: 'أُضيف ردك إلى المحادثة.', followUp: 'فتحت رسالتك تذكرة جديدة، {number}؛ أرسلنا إليك رابطها.',
  solvedDone: 'شكرًا! تم وضع علامة الحل على التذكرة.', notFoundTitle: 'الصفحة غير موجودة',
  notFoundBody: 'هذا الرابط لا يعمل (بعد الآن): تنتهي صلاحية الروابط بعد مدة. يمكننا إرسال روابط جديدة إليك.',
  findTitle: 'العثور على تذاكري', findIntro: 'أدخل بريدك الإلكتروني وسنرسل إليك روابط تذاكرك المفتوحة.',
  emailLabel: 'البريد الإلكتروني', findSubmit: 'أرسل لي الروابط',
  findSent: 'شكرًا. إن كانت لدينا تذاكر مفتوحة لهذا العنوان فرسالة بروابطها في الطريق.',
  tooMany: 'طلبات كثيرة جدًا. يُرجى المحاولة لاحقًا.', invalid: 'يُرجى مراجعة النموذج: {problems}',
  expired: 'انتهت صلاحية هذا النموذج. يُرجى إعادة تحميل الصفحة.',
};

// prettier-ignore
const he: Table = {
  ticket: 'פנייה {number}', status: 'סטטוס', st_pending: 'התקבלה', st_in_progress: 'בטיפול', st_resolved: 'נפתרה',
  st_archived: 'סגורה', conversation: 'שיחה', you: 'את/ה', support: 'תמיכה', attachments: 'קבצים מצורפים',
  replyLabel: 'התשובה שלך', send: 'שליחת תשובה',
  attachFiles: 'צירוף קבצים (לא חובה, עד {count} קבצים של {size} כל אחד)', reopenHint: 'עדיין לא נפתר? השיבו והפנייה תיפתח מחדש.',
  solvedHint: 'הבעיה נפתרה? ספרו לנו ונסגור את הפנייה.', markSolved: 'סימון כנפתרה',
  question: 'האם זה פתר את הבעיה?', yes: 'כן', no: 'לא', yourAnswer: 'התשובה שלך: {answer}.',
  changeUntil: 'אפשר לשנות אותה עד {date}.', locked: 'כבר לא ניתן לשנות את התשובה.',
  notResolved: 'הפנייה אינה פתורה כרגע, ולכן אין עדיין מה לדרג.', thanksRating: 'תודה על התשובה!',
  commentLabel: 'רוצים להוסיף משהו? (לא חובה)', saveComment: 'שליחה', back: 'חזרה לפנייה',
  sent: 'התשובה שלך נוספה לשיחה.', followUp: 'ההודעה שלך פתחה פנייה חדשה, {number}; שלחנו אליך את הקישור.',
  solvedDone: 'תודה! הפנייה סומנה כנפתרה.', notFoundTitle: 'הדף לא נמצא',
  notFoundBody: 'הקישור הזה אינו פעיל (עוד): קישורים פגים אחרי זמן מה. נוכל לשלוח לך קישורים חדשים.',
  findTitle: 'מציאת הפניות שלי', findIntro: 'הזינו את כתובת הדוא״ל ונשלח אליכם את הקישורים לפניות הפתוחות.',
  emailLabel: 'כתובת דוא״ל', findSubmit: 'שלחו לי את הקישורים',
  findSent: 'תודה. אם יש לנו פניות פתוחות לכתובת הזו, נשלח אליה דוא״ל עם הקישורים.',
  tooMany: 'יותר מדי בקשות. נסו שוב מאוחר יותר.', invalid: 'נא לבדוק את הטופס: {problems}',
  expired: 'תוקף הטופס פג. נא לטעון את הדף מחדש.',
};

const TABLES: Record<Language, Table> = { en, de, fr, es, ar, he };

/** The string `key` in `lang`, placeholders filled (values are plain text; the page escapes). */
export function pt(lang: Language, key: PortalKey, vars: Record<string, string> = {}): string {
  return TABLES[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}
