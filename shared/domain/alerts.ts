import type { Brand } from './brand.ts';
import { formatInZone } from './local-time.ts';
import type { Comment } from './comment.ts';
import type { Post, PostTarget } from './post.ts';

/** The alert mails a brand gets when publishing needs a person, in the brand's language. */
export type AlertKind = 'failed' | 'needs_review' | 'missed';

const COPY = {
  en: {
    failed: (p: string) => `Post not published on ${p}`,
    needs_review: (p: string) => `Check whether the post went out on ${p}`,
    missed: () => 'A scheduled post was missed',
    body: {
      failed: 'The platform refused the post. It will not be retried.',
      needs_review: 'Paylaş could not learn whether the platform accepted the post, and a retry could publish it twice. Please check the account and mark the post.',
      missed: 'The post was due while Paylaş could not publish it, and the brand asks for late posts to be skipped.',
    },
    scheduled: 'Scheduled',
    reason: 'Reason',
    text: 'Text',
  },
  tr: {
    failed: (p: string) => `Gönderi ${p} üzerinde yayınlanamadı`,
    needs_review: (p: string) => `Gönderinin ${p} üzerinde yayınlanıp yayınlanmadığını kontrol edin`,
    missed: () => 'Planlanan bir gönderi kaçırıldı',
    body: {
      failed: 'Platform gönderiyi reddetti. Yeniden denenmeyecek.',
      needs_review: 'Paylaş, platformun gönderiyi kabul edip etmediğini öğrenemedi; yeniden denemek gönderiyi iki kez yayınlayabilir. Lütfen hesabı kontrol edin.',
      missed: 'Gönderinin zamanı Paylaş yayın yapamazken geldi ve marka geciken gönderilerin atlanmasını istiyor.',
    },
    scheduled: 'Planlanan zaman',
    reason: 'Neden',
    text: 'Metin',
  },
} as const;

export function alertMail(kind: AlertKind, brand: Brand, post: Post, target: PostTarget | undefined, reason: string) {
  const c = COPY[brand.locale];
  const platform = target?.platform ?? post.targets.map((t) => t.platform).join(', ');
  const subject = `[Paylaş] ${brand.name}: ${kind === 'missed' ? c.missed() : c[kind](platform)}`;
  const lines = [
    c.body[kind],
    '',
    `${c.scheduled}: ${formatInZone(new Date(post.scheduledAt), brand.timezone)} (${brand.timezone})`,
    `${c.reason}: ${reason}`,
    `${c.text}: ${(target ?? post.targets[0])?.text ?? ''}`,
    '',
    `Post ${post.id}`,
  ];
  return { to: brand.reportRecipients, subject, text: lines.join('\n') };
}

/** The mail asking a brand to reconnect an account whose token could not be refreshed. */
export function reauthMail(brand: Brand, account: { platform: string; handle: string }, reason: string) {
  const en = brand.locale === 'en';
  return {
    to: brand.reportRecipients,
    subject: `[Paylaş] ${brand.name}: ${en ? `reconnect ${account.platform} account ${account.handle}` : `${account.platform} hesabını (${account.handle}) yeniden bağlayın`}`,
    text: [
      en
        ? 'Paylaş could not refresh the access of this account. Its scheduled posts will fail until it is reconnected.'
        : 'Paylaş bu hesabın erişimini yenileyemedi. Hesap yeniden bağlanana kadar planlanan gönderileri yayınlanamayacak.',
      '',
      `${en ? 'Reason' : 'Neden'}: ${reason}`,
      '',
      'paylas account connect …',
    ].join('\n'),
  };
}

/** The negative-comment alert: every comment that needs a person, with a link to it. */
export function commentAlertMail(brand: Brand, comments: readonly Pick<Comment, 'platform' | 'author' | 'text' | 'sentiment' | 'intent' | 'url' | 'id' | 'receivedAt'>[]) {
  const en = brand.locale === 'en';
  const n = comments.length;
  const subject = `[Paylaş] ${brand.name}: ${en ? `${n} comment${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} attention` : `${n} yorum ilgi bekliyor`}`;
  const label = (c: (typeof comments)[number]) =>
    en ? `${c.sentiment}, ${c.intent}` : `${{ positive: 'olumlu', neutral: 'nötr', negative: 'olumsuz' }[c.sentiment]}, ${{ question: 'soru', complaint: 'şikâyet', praise: 'övgü', other: 'diğer' }[c.intent]}`;
  const lines = [
    en ? 'These comments are negative or complaints. Answer them from the inbox:' : 'Bu yorumlar olumsuz ya da şikâyet içeriyor. Gelen kutusundan yanıtlayın:',
    '',
    ...comments.flatMap((c) => [
      `• ${c.platform} · ${c.author.handle ?? c.author.name ?? c.author.id} · ${label(c)} · ${formatInZone(new Date(c.receivedAt), brand.timezone)}`,
      `  “${c.text.replace(/\s+/g, ' ').slice(0, 280)}”`,
      ...(c.url ? [`  ${c.url}`] : []),
      `  paylas reply ${c.id} "…"`,
      '',
    ]),
  ];
  return { to: brand.reportRecipients, subject, text: lines.join('\n') };
}
