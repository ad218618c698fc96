import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import type { Mail, Mailer } from '../ports/messaging.ts';

/** Line breaks and other control or bidi-override characters in a subject become one space: a subject is one header line. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
/** One plain address: no spaces, control characters, separators, quotes or angle brackets that could start another address or header. */
const PLAIN_ADDRESS = /^[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029@,;:<>"()[\]\\]+@[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029@,;:<>"()[\]\\]+$/;

/**
 * SES SendEmail from the verified sender, text and HTML parts. SES builds the
 * headers from these fields; every address is checked again here and the
 * subject kept on one line, so nothing stored can add a header.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly from: string,
    private readonly ses: SESClient = new SESClient({}),
  ) {}

  async send(mail: Mail): Promise<string> {
    const invalid = mail.to.find((a) => !PLAIN_ADDRESS.test(a));
    if (invalid !== undefined) throw new Error(`${JSON.stringify(invalid)} is not a valid email address; nothing was sent`);
    const out = await this.ses.send(
      new SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: [...mail.to] },
        Message: {
          Subject: { Data: oneLine(mail.subject), Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, ...(mail.html && { Html: { Data: mail.html, Charset: 'UTF-8' } }) },
        },
      }),
    );
    return out.MessageId ?? '';
  }
}
