import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyComment, INTENTS, SENTIMENTS, type Classification, type CommentLanguage, type Intent, type Sentiment } from '#shared/domain/classify.ts';

/*
 * Labelling guide for test/fixtures/comments-labelled.json (what a community manager would file it under):
 *  - complaint: reports a problem with the product/service or dissatisfaction aimed at the brand,
 *    including questions about such a problem ("Where is my order? Two weeks now").
 *  - question: asks for information with no problem reported; praise followed by a question is a question.
 *  - praise: appreciation of the brand, product, staff or content.
 *  - other: everything else (tags, greetings and wishes, suggestions, chat with friends, off-topic moods).
 *  - sentiment is the author's overall attitude, independently of the intent.
 */
interface Labelled {
  text: string;
  language: CommentLanguage;
  sentiment: Sentiment;
  intent: Intent;
}

const dataset = JSON.parse(readFileSync(new URL('../fixtures/comments-labelled.json', import.meta.url), 'utf8')) as Labelled[];
const LANGUAGES: CommentLanguage[] = ['tr', 'en'];
const MIN_ACCURACY = 0.8;

function isValid(c: Classification): boolean {
  return SENTIMENTS.includes(c.sentiment) && INTENTS.includes(c.intent) && (c.language === 'tr' || c.language === 'en');
}

describe('labelled comment set', () => {
  it('is large, well formed and balanced across languages and labels', () => {
    const texts = new Set<string>();
    for (const row of dataset) {
      expect(typeof row.text).toBe('string');
      expect(row.text.trim().length).toBeGreaterThan(0);
      expect(LANGUAGES).toContain(row.language);
      expect(SENTIMENTS).toContain(row.sentiment);
      expect(INTENTS).toContain(row.intent);
      expect(texts.has(row.text), `duplicate: ${row.text}`).toBe(false);
      texts.add(row.text);
    }
    for (const lang of LANGUAGES) {
      const rows = dataset.filter((r) => r.language === lang);
      expect(rows.length, `${lang} size`).toBeGreaterThanOrEqual(110);
      for (const s of SENTIMENTS) expect(rows.filter((r) => r.sentiment === s).length, `${lang} ${s}`).toBeGreaterThanOrEqual(15);
      for (const i of INTENTS) expect(rows.filter((r) => r.intent === i).length, `${lang} ${i}`).toBeGreaterThanOrEqual(15);
    }
  });
});

describe('classifier accuracy on the labelled set', () => {
  it(`reaches at least ${MIN_ACCURACY * 100} % sentiment and intent accuracy per language`, () => {
    const rows: Record<string, string | number>[] = [];
    const accuracies: { name: string; value: number }[] = [];
    for (const lang of LANGUAGES) {
      const items = dataset.filter((r) => r.language === lang);
      let sentimentOk = 0;
      let intentOk = 0;
      let languageOk = 0;
      // The accuracy measured is the classifier's own, with detection: no language hint.
      for (const row of items) {
        const got = classifyComment(row.text);
        if (got.sentiment === row.sentiment) sentimentOk++;
        if (got.intent === row.intent) intentOk++;
        if (got.language === row.language) languageOk++;
      }
      const n = items.length;
      const pct = (k: number) => `${((100 * k) / n).toFixed(1)} %`;
      rows.push(
        { language: lang, label: 'sentiment', correct: sentimentOk, total: n, accuracy: pct(sentimentOk) },
        { language: lang, label: 'intent', correct: intentOk, total: n, accuracy: pct(intentOk) },
        { language: lang, label: 'language', correct: languageOk, total: n, accuracy: pct(languageOk) },
      );
      accuracies.push({ name: `${lang} sentiment`, value: sentimentOk / n }, { name: `${lang} intent`, value: intentOk / n });
    }
    console.log(
      ['language  label      correct  total  accuracy', ...rows.map((r) => `${String(r.language).padEnd(9)} ${String(r.label).padEnd(10)} ${String(r.correct).padStart(7)}  ${String(r.total).padStart(5)}  ${String(r.accuracy).padStart(8)}`)].join('\n'),
    );
    for (const a of accuracies) expect(a.value, a.name).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });
});

describe('classifyComment', () => {
  it('flips Turkish polarity with the verbal negative suffix and with "değil"', () => {
    expect(classifyComment('Ürünü çok beğendim').sentiment).toBe('positive');
    expect(classifyComment('Ürünü hiç beğenmedim').sentiment).toBe('negative');
    expect(classifyComment('Manzara güzel').sentiment).toBe('positive');
    expect(classifyComment('Manzara güzel değil').sentiment).toBe('negative');
    expect(classifyComment('Kahveyi sevmedik').sentiment).toBe('negative');
    expect(classifyComment('Uygulama çalışmıyor').intent).toBe('complaint');
  });

  it('reads Turkish typed without Turkish letters', () => {
    expect(classifyComment('cok guzel olmus').sentiment).toBe('positive');
    expect(classifyComment('hic begenmedim').sentiment).toBe('negative');
    expect(classifyComment('kac gunde gelir').intent).toBe('question');
  });

  it('lowercases dotted and dotless I the Turkish way', () => {
    const upper = classifyComment('İADE İSTİYORUM, ÜRÜN BOZUK GELDİ');
    expect(upper).toEqual({ sentiment: 'negative', intent: 'complaint', language: 'tr' });
    expect(classifyComment('KARGONUZ ÇOK HIZLIYDI, TEŞEKKÜRLER').sentiment).toBe('positive');
    expect(classifyComment('IADE ISTIYORUM URUN BOZUK', { language: 'tr' }).sentiment).toBe('negative');
  });

  it('recognises the Turkish question particle as a separate word', () => {
    expect(classifyComment('Bu ürün stokta var mı').intent).toBe('question');
    expect(classifyComment('Yarın açık mısınız?').intent).toBe('question');
    expect(classifyComment('Bu ürün stokta var').intent).not.toBe('question');
  });

  it('scopes English negation', () => {
    expect(classifyComment('The food was good').sentiment).toBe('positive');
    expect(classifyComment('The food was not good').sentiment).toBe('negative');
    expect(classifyComment("I don't like the new menu").sentiment).toBe('negative');
    expect(classifyComment('Not bad at all').sentiment).not.toBe('negative');
    expect(classifyComment('The app isn\'t working since the update').intent).toBe('complaint');
  });

  it('orders intents sensibly', () => {
    expect(classifyComment('Where is my order? It has been two weeks and still nothing, terrible').intent).toBe('complaint');
    expect(classifyComment('Do you deliver on Sundays?').intent).toBe('question');
    expect(classifyComment('Absolutely love the new menu, great job').intent).toBe('praise');
    expect(classifyComment('See you at the meetup').intent).toBe('other');
  });

  it('lets the language hint win', () => {
    expect(classifyComment('super', { language: 'tr' }).language).toBe('tr');
    expect(classifyComment('Çok güzel', { language: 'en' }).language).toBe('en');
    expect(classifyComment('Çok güzel olmuş').language).toBe('tr');
    expect(classifyComment('This is lovely').language).toBe('en');
  });

  it('is total: odd inputs always give a valid classification', () => {
    const odd = [
      '',
      ' ',
      '\n\t',
      'a'.repeat(10_000),
      'çok güzel '.repeat(1_000),
      '😍😍😍',
      '😡',
      '👍🏽❤️‍🔥🇹🇷',
      '\u0000\u0001\u0007\u001b[31m\u007f\u200b\u200d\ufeff',
      '\ud800 lone surrogate \udfff',
      'Привет, как дела? مرحبا 你好',
      '?!?!?!',
      ':) :( :/ <3',
      'http://example.com/a?b=c @user #tag',
      'İıIi ŞşĞğÇçÖöÜü',
      'mi mı mu mü değil yok hiç',
      "n't not no never",
    ];
    for (const text of odd) {
      const result = classifyComment(text);
      expect(isValid(result), JSON.stringify(text.slice(0, 40))).toBe(true);
    }
    for (const bad of [null, undefined, 42, {}] as unknown as string[]) expect(isValid(classifyComment(bad))).toBe(true);
    expect(isValid(classifyComment('x', { language: 'de' as CommentLanguage }))).toBe(true);
    expect(classifyComment('😍😍😍').sentiment).toBe('positive');
    expect(classifyComment('😡👎').sentiment).toBe('negative');
  });
});
