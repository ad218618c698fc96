/**
 * Rule and lexicon based classifier for short Turkish and English social-media
 * comments: sentiment (positive / neutral / negative), intent (question /
 * complaint / praise / other) and language (tr / en).
 *
 * Pure and total: no I/O, no dependencies, every table and regex is built once
 * at module load, and any string (empty, huge, emoji-only, mixed scripts,
 * control characters) yields a valid result without throwing.
 *
 * Pipeline: emoji/emoticon polarity -> strip URLs, e-mails and mentions ->
 * language (hint wins) -> locale-aware lowercasing -> tokens with clause and
 * sentence ids -> per-language analysis (lexicon + morphology + negation +
 * question cues + complaint cues) -> thresholds and intent precedence.
 */

export type Sentiment = 'positive' | 'neutral' | 'negative';
export type Intent = 'question' | 'complaint' | 'praise' | 'other';
export type CommentLanguage = 'tr' | 'en';
export interface Classification {
  sentiment: Sentiment;
  intent: Intent;
  language: CommentLanguage;
}

export const SENTIMENTS: readonly Sentiment[] = Object.freeze(['positive', 'neutral', 'negative'] as Sentiment[]);
export const INTENTS: readonly Intent[] = Object.freeze(['question', 'complaint', 'praise', 'other'] as Intent[]);

/** Comments are short; anything past this is ignored so the cost stays bounded. */
const MAX_CHARS = 4000;
/** Score at or beyond which a comment is positive / negative. */
const POSITIVE_AT = 0.5;
const NEGATIVE_AT = -0.5;

// ---------------------------------------------------------------------------
// Emojis and emoticons (language independent)
// ---------------------------------------------------------------------------

const EMOJI_POLARITY = new Map<string, number>([
  ['😍', 2], ['🥰', 2], ['😘', 1], ['🤩', 2], ['😋', 1.5], ['😊', 1.5], ['☺', 1], ['🙂', 0.5], ['😀', 1], ['😃', 1],
  ['😄', 1], ['😁', 1], ['😆', 1], ['🤗', 1], ['❤', 1.5], ['♥', 1.5], ['💕', 1.5], ['💖', 1.5], ['💗', 1.5], ['💓', 1.5],
  ['💞', 1.5], ['💙', 1], ['💚', 1], ['💛', 1], ['💜', 1], ['🧡', 1], ['🤍', 1], ['👍', 1], ['👌', 1], ['👏', 1.5],
  ['🙌', 1.5], ['🙏', 1], ['💯', 1.5], ['🔥', 1], ['⭐', 1], ['🌟', 1], ['✨', 0.5], ['🎉', 1], ['🥳', 1], ['💐', 1],
  ['🏆', 1], ['💪', 1], ['👑', 1], ['✅', 0.5], ['😎', 0.5],
  ['😡', -2], ['🤬', -2.5], ['😠', -2], ['👎', -2], ['😞', -1.5], ['😔', -1], ['😢', -1.5], ['😭', -1], ['😩', -1.5],
  ['😫', -1.5], ['😤', -1.5], ['🙄', -1.5], ['😒', -1.5], ['💔', -1.5], ['🤮', -2], ['🤢', -1.5], ['😣', -1], ['😖', -1],
  ['😕', -1], ['🙁', -1], ['☹', -1.5], ['😑', -1], ['😪', -1], ['😓', -1], ['😰', -1], ['😱', -1], ['🤦', -1.5],
  ['🤷', -0.5], ['❌', -0.5], ['🙃', -0.5], ['💩', -2],
]);
const PICTOGRAPH = /\p{Extended_Pictographic}/gu;
const EMOTICON_POS = /(?<![\p{L}\p{N}])(?:[:;=]['’]?-?[)\]}DpP]+|<3+|\^_?\^)(?![\p{L}\p{N}])/gu;
const EMOTICON_NEG = /(?<![\p{L}\p{N}])(?:[:=]['’]?-?[([{|\\/]+|>:-?\(|<\/3)(?![\p{L}\p{N}])/gu;

const NON_ASCII = /[^\x00-\x7f]/;
const EMOTICON_CHARS = /[:;=<^]/;
/** Pictographs live in the BMP symbol blocks or are surrogate pairs; anything else cannot be an emoji. */
const MAYBE_EMOJI = /[\u00a9\u00ae\u2000-\u33ff\ud800-\udfff]/;

function countMatches(re: RegExp, text: string): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

function emojiScore(text: string, nonAscii: boolean): number {
  let s = 0;
  if (nonAscii && MAYBE_EMOJI.test(text)) {
    PICTOGRAPH.lastIndex = 0;
    for (let m = PICTOGRAPH.exec(text); m !== null; m = PICTOGRAPH.exec(text)) s += EMOJI_POLARITY.get(m[0]) ?? 0;
  }
  if (EMOTICON_CHARS.test(text)) {
    s += countMatches(EMOTICON_POS, text) - 1.5 * countMatches(EMOTICON_NEG, text);
  }
  // Ten hearts are not ten times as positive.
  return Math.max(-4, Math.min(4, s));
}

// ---------------------------------------------------------------------------
// Cleaning, lowercasing, tokens
// ---------------------------------------------------------------------------

const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)\S+/giu;
/** E-mail addresses and mentions: a word containing "@"; tried only at word starts, so linear on long runs. */
const AT_WORD = /(?<!\S)[^\s@]*@\S*/g;
/** Format characters (zero-width space/joiner, soft hyphen, BOM, bidi marks) vanish so they cannot split a word. */
const FORMAT = /\p{Cf}/u;
const FORMAT_ALL = /\p{Cf}/gu;
const COMBINING = /[\u0300-\u036f]/;
const QUOTES = /[’‘`´]/;
const QUOTES_ALL = /[’‘`´]/g;

/** Removes what carries no opinion (links, addresses, mentions, format characters); fast paths for plain ASCII. */
function clean(raw: string, nonAscii: boolean): string {
  let s = raw;
  if (nonAscii && COMBINING.test(s)) s = s.normalize('NFC').replace(/i\u0307/g, 'i'); // "i̇" left by non-Turkish lowercasing of İ
  if (s.includes('://') || s.includes('www.')) s = s.replace(URL_IN_TEXT, ' ');
  if (s.includes('@')) s = s.replace(AT_WORD, ' ');
  if (s.includes('#')) s = s.replace(/#/g, ' ');
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  // Other control characters need no pass: the tokenizer treats them as separators.
  if (nonAscii && FORMAT.test(s)) s = s.replace(FORMAT_ALL, '');
  if (QUOTES.test(s)) s = s.replace(QUOTES_ALL, "'");
  return s;
}

/** Turkish lowercasing: İ→i and I→ı (also done by hand, so it never depends on ICU data). */
function lowerTr(s: string): string {
  return s.replace(/İ/g, 'i').replace(/I/g, 'ı').toLocaleLowerCase('tr');
}
/** Language-neutral lowercasing; "İ" becomes "i" rather than "i̇". */
function lowerEn(s: string): string {
  return (s.includes('İ') ? s.replace(/İ/g, 'i') : s).toLowerCase();
}

const CIRCUMFLEXES = /[âîû]/;
/** "hâlâ" → "hala": circumflexes are optional in modern spelling. */
function plain(s: string): string {
  return CIRCUMFLEXES.test(s) ? s.replace(/â/g, 'a').replace(/î/g, 'i').replace(/û/g, 'u') : s;
}
/** Turkish letters (and circumflexed vowels) to their ASCII look-alikes, as a char-code table. */
const FOLD_TABLE = new Uint16Array(0x180);
for (let c = 0; c < FOLD_TABLE.length; c++) FOLD_TABLE[c] = c;
for (const [from, to] of Object.entries({ ı: 'i', ş: 's', ğ: 'g', ç: 'c', ö: 'o', ü: 'u', â: 'a', î: 'i', û: 'u' })) {
  FOLD_TABLE[from.charCodeAt(0)] = to.charCodeAt(0);
}
/** Folds Turkish letters to ASCII ("beğenmedim" → "begenmedim") so text typed without them matches. */
function fold(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c < FOLD_TABLE.length ? (FOLD_TABLE[c] ?? c) : c);
  }
  return out;
}

interface Token {
  /** original spelling */
  raw: string;
  /** language-neutral lowercase */
  low: string;
  /** lowercased word for the comment's language (Turkish rules for Turkish; circumflexes removed) */
  w: string;
  /** ASCII-folded form of `w` (equal to `w` for English) */
  f: string;
  /** written without any non-ASCII letter (so Turkish lookups use the folded form) */
  ascii: boolean;
  clause: number;
  sentence: number;
  /** 0 before a contrastive conjunction ("ama", "but"), 1 after it, -1 if there is none */
  side: number;
}

const PUNCTUATION = new Set([...'.!?;:,…\n¿？！。']);
const SENTENCE_END = /[.!?…\n¿？！。]/;
const QUESTION_MARK = /[?？¿]/;
/**
 * Word characters as explicit ranges (digits, Latin with diacritics and combining marks, Greek,
 * Cyrillic, Armenian to Greek Extended incl. Arabic/Hebrew/Indic, CJK, Hangul): much faster than
 * \p{L} classes, and emoji variation selectors do not become words.
 */
const WORD_CHARS = '0-9a-z_\\u00aa\\u00b5\\u00ba\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u1fff\\u2c00-\\u2dff\\u3040-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff';
const TOKEN = new RegExp(`[${WORD_CHARS}]+(?:'[${WORD_CHARS}]+)*|[.!?;:,…\\n¿？！。]+`, 'g');
const CLAUSE_BREAK_WORDS = new Set(['ama', 'fakat', 'ancak', 'lakin', 'but', 'though', 'although', 'however', 'yet']);
/** After these the second half carries the verdict: "nice product but shipping is too expensive". */
const CONTRAST_WORDS = new Set(['ama', 'fakat', 'ancak', 'lakin', 'but', 'however']);

/** Splits into words, tracking clauses (punctuation, "but"/"ama") and sentences. One pass, shared by detection and analysis. */
function tokenize(original: string): { raw: Token[]; questionMark: boolean } {
  const lower = lowerEn(original);
  // The original spelling matters only for a capital I/İ (Turkish "I" lowercases to "ı"; "İ" is a Turkish letter).
  const keepRaw = original.length === lower.length && (original.includes('I') || original.includes('İ'));
  const raw: Token[] = [];
  let clause = 0;
  let sentence = 0;
  let questionMark = false;
  let contrast = false;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lower); m !== null; m = TOKEN.exec(lower)) {
    const low = m[0];
    if (PUNCTUATION.has(low[0] ?? '')) {
      clause++;
      if (SENTENCE_END.test(low)) sentence++;
      if (QUESTION_MARK.test(low)) questionMark = true;
      continue;
    }
    const rawWord = keepRaw ? original.slice(m.index, m.index + low.length) : low;
    const nonAscii = NON_ASCII.test(rawWord);
    if (CLAUSE_BREAK_WORDS.has(low)) clause++;
    if (CONTRAST_WORDS.has(low) && raw.length > 0) contrast = true;
    raw.push({ raw: rawWord, low, w: low, f: low, ascii: !nonAscii, clause, sentence, side: contrast ? 1 : 0 });
  }
  if (!contrast) for (const t of raw) t.side = -1;
  return { raw, questionMark };
}

/** Turkish words get Turkish lowercasing ("I" → "ı"), apostrophe handling and folding; English words stay as they are. */
function finishTurkish(toks: Token[]): void {
  for (const t of toks) {
    let w = t.raw.includes('I') ? lowerTr(t.raw) : t.low;
    // Apostrophes only separate suffixes from proper names ("Frankfurt'ta", "API'nizin").
    const apo = w.indexOf("'");
    if (apo > 0) w = w.slice(0, apo) + w.slice(apo + 1);
    t.w = plain(w);
    t.f = t.ascii && w === t.low ? w : fold(t.w);
  }
}

// ---------------------------------------------------------------------------
// Language detection
// ---------------------------------------------------------------------------

const TR_LETTERS = /[çğıöşüÇĞİÖŞÜ]/;
const TR_FUNCTION_WORDS = new Set(
  (
    've bir bu şu çok da de ki mi mı mu mü için ama ile gibi daha ne var yok değil ben sen siz biz hiç her hâlâ hala artık ' +
    'sonra önce kadar diye bile sadece şimdi yine acaba lütfen merhaba teşekkürler teşekkür hangi nasıl neden nerede kaç ' +
    'niye bugün yarın dün sizin bizim benim herkese hepinize olarak ise veya ayrıca aynı tekrar çünkü şey oldu olur mısınız ' +
    'musunuz misiniz abi hocam arkadaşlar selam iyi güzel kötü'
  )
    .split(' ')
    .flatMap((x) => [x, fold(x)]),
);
const EN_FUNCTION_WORDS = new Set(
  (
    'the and is are was were to of in on for you your i my me it this that with have has not be do does did can will ' +
    'just so but at a an we our they what when where how why thanks thank please again since been get got any there ' +
    'from about all would could should very really love great good bad an if or no yes its it\'s i\'m i\'ve don\'t ' +
    'can\'t isn\'t didn\'t doesn\'t won\'t still who which than then them their he she him her us am'
  ).split(' '),
);
/** Turkish verbal and nominal endings that English words rarely have (checked on ASCII words). */
const TR_ENDINGS = new Set(
  (
    'iyor uyor iyorum uyorum iyoruz yorum siniz sunuz misiniz musunuz medi madi miyor muyor dim dik dum duk tim tik tum tuk ' +
    'mis mus lari leri larin lerin imiz umuz iniz unuz inda inde daki deki acak ecek acagim ecegim abilir ebilir ydi ydu yim ' +
    'yiz yum yuz iyle uyla ndan nden lar ler dir dur tir tur'
  ).split(' '),
);
function hasTrEnding(w: string): boolean {
  for (let k = 3; k <= 7 && k < w.length; k++) if (TR_ENDINGS.has(w.slice(-k))) return true;
  return false;
}
/** Letters and digraphs Turkish spelling does not use. */
const EN_SHAPE = /[wqx]|th|sh\b|ck|ee|oo|ou/;
const EN_CONTRACTION = /n't$|'(?:s|m|re|ve|ll|d)$/;
const TR_APOSTROPHE_SUFFIX = /'(?:[dt][ae]n?|n?[iıuü]n|[iıuü]|y?[ae]|n[iıuü]z)/u;

/** Turkish letters, function words and endings against English function words and spelling. */
function detectLanguage(raw: Token[]): CommentLanguage {
  let tr = 0;
  let en = 0;
  let trLetters = false;
  for (const t of raw) {
    if (!t.ascii && TR_LETTERS.test(t.raw)) {
      tr += 1.5;
      trLetters = true;
    }
    if (TR_FUNCTION_WORDS.has(t.low)) tr += 1;
    if (EN_FUNCTION_WORDS.has(t.low)) en += 1;
    const apostrophe = t.low.includes("'");
    if (t.ascii) {
      if (t.low.length >= 5 && hasTrEnding(t.low)) tr += 0.75;
      if (EN_SHAPE.test(t.low)) en += 0.5;
      if (apostrophe && EN_CONTRACTION.test(t.low)) en += 1;
    }
    if (apostrophe && TR_APOSTROPHE_SUFFIX.test(t.low)) tr += 0.5;
  }
  if (tr > en) return 'tr';
  if (en > tr) return 'en';
  return trLetters ? 'tr' : 'en';
}

// ---------------------------------------------------------------------------
// Shared scoring state
// ---------------------------------------------------------------------------

interface Analysis {
  /** number of tokens (the arrays may be longer) */
  n: number;
  /** 1: the word carries the privative -sIz ("kahvesiz"), used by a following negated auxiliary */
  privative: Uint8Array;
  /** per-token polarity */
  pol: Float64Array;
  /** per-token complaint-cue weight */
  prob: Float64Array;
  /** 1: the token expresses appreciation (counts towards praise) */
  evalTok: Uint8Array;
  /** 1: politeness formula (thanks/please), ignored for sentiment in questions and complaints */
  polite: Uint8Array;
  /** 1: an evaluative word that a later "değil"/"yok"/negated auxiliary may flip */
  flippable: Uint8Array;
  question: boolean;
  /** "shall we ...?" proposal to a friend, not a question to the brand */
  proposal: boolean;
  /** brand/service directed: domain nouns, purchase verbs, second person */
  directed: boolean;
  /** a greeting or wish ("iyi bayramlar", "happy holidays", "good luck") */
  wish: boolean;
  /** "why/neden" question: customers asking brands "why" are nearly always complaining */
  why: boolean;
  /** tokens up to this index are not appraisals (the object of a wish formula) */
  noEvalUntil: number;
}

/**
 * Per-token scratch buffers, reused across calls (classification is synchronous, so one
 * call never overlaps another); only the first `n` slots are meaningful.
 */
let scratchPol = new Float64Array(256);
let scratchProb = new Float64Array(256);
let scratchEval = new Uint8Array(256);
let scratchPolite = new Uint8Array(256);
let scratchFlippable = new Uint8Array(256);
let scratchPrivative = new Uint8Array(256);

function newAnalysis(n: number): Analysis {
  if (n > scratchPol.length) {
    const size = Math.max(n, scratchPol.length * 2);
    scratchPol = new Float64Array(size);
    scratchProb = new Float64Array(size);
    scratchEval = new Uint8Array(size);
    scratchPolite = new Uint8Array(size);
    scratchFlippable = new Uint8Array(size);
    scratchPrivative = new Uint8Array(size);
  }
  scratchPol.fill(0, 0, n);
  scratchProb.fill(0, 0, n);
  scratchEval.fill(0, 0, n);
  scratchPolite.fill(0, 0, n);
  scratchFlippable.fill(0, 0, n);
  scratchPrivative.fill(0, 0, n);
  return {
    n,
    pol: scratchPol,
    prob: scratchProb,
    evalTok: scratchEval,
    polite: scratchPolite,
    flippable: scratchFlippable,
    privative: scratchPrivative,
    question: false,
    proposal: false,
    directed: false,
    wish: false,
    why: false,
    noEvalUntil: -1,
  };
}

/** Negation of an earlier evaluative word: positives flip fully, negatives only half ("fena değil", "not bad"). */
function flipValue(v: number): number {
  return v > 0 ? -v : -v * 0.5;
}

/** Flips the nearest polar token among the previous `back` tokens of the same clause. */
function flipBack(a: Analysis, toks: Token[], i: number, back: number): number {
  const clause = toks[i]?.clause;
  for (let k = i - 1; k >= Math.max(0, i - back); k--) {
    if (toks[k]?.clause !== clause) break;
    const v = a.pol[k] ?? 0;
    if (v !== 0 && a.flippable[k] === 1) {
      a.pol[k] = flipValue(v);
      a.prob[k] = 0;
      a.evalTok[k] = (a.pol[k] ?? 0) > 0 ? 1 : 0;
      a.polite[k] = 0;
      a.flippable[k] = 0;
      return k;
    }
  }
  return -1;
}

type Kind = 'nom' | 'verb' | 'func' | 'aux' | 'wait' | 'demand';
interface Entry {
  kind: Kind;
  /** polarity when used affirmatively */
  pol: number;
  /** complaint-cue weight */
  problem: number;
  /** polarity of the privative "-sIz" form ("sorunsuz", "özensiz"); default: flipped */
  siz?: number;
  /** regex the remaining suffix (folded) must match; guards short stems against unrelated words */
  rest?: RegExp;
  polite?: boolean;
  domain?: boolean;
  /** "çözdü", "fixed": cancels problem words in the same clause */
  resolver?: boolean;
}

// ---------------------------------------------------------------------------
// Turkish
// ---------------------------------------------------------------------------

/** Expands a tiny pattern language ("m[iu]s[iu]n", alternatives separated by spaces) into the words it denotes. */
function expand(patterns: string): Set<string> {
  const out = new Set<string>();
  const go = (rest: string, acc: string): void => {
    if (rest === '') {
      out.add(acc);
      return;
    }
    if (rest[0] === '[') {
      const end = rest.indexOf(']');
      for (const c of rest.slice(1, end)) go(rest.slice(end + 1), acc + c);
    } else go(rest.slice(1), acc + rest[0]);
  };
  for (const p of patterns.split(' ')) go(p, '');
  return out;
}

/**
 * Copula/person/plural endings only (folded): "şık", "şıktı", "şıksınız", "kabaydı".
 * Used for short stems that would otherwise prefix-match unrelated words.
 */
const TR_COPULA = /^(?:y?(?:[dt][iu]|m[iu]s)(?:m|n|k|n[iu]z|l[ae]r)?|s[iu]n(?:[iu]z)?|y?[iu]m|y?[iu]z|[dt][iu]r|l[ae]r.*|c[ae]|y?s[ae])?$/;

/*
 * Verbal negation after a stem (folded suffix string): optional voice (passive -Il/-In,
 * causative -DIr/-t), optional abilitative -(y)A ("yap-a-mıyor"), then -mA with a tense/person:
 *   -mIyor (gelmiyor, çalışmıyor)   -mAdI (beğenmedim, olmadı)   -mAmIş (olmamış)
 *   -mAz / -mAm (olmaz, etmem)      -mAyAcAk (gelmeyeceğim)      -mAyAn (çalışmayan)
 *   -mAsA (gelmese)                 -mAyIn / -mAyIz (almayın)
 * Not negation: -mAk (infinitive), -mAlI (necessity), -mIş (evidential), -mAdAn ("without").
 */
const TR_NEG_VERB =
  /^(?:[iu]?[ln]|[dt][iu]r|t)?(?:y?[ae])?m(?:[iu]yor|[ae]d[iu]|[ae]m[iu]s|[ae]z|[ae]m$|[ae]y[ae]c[ae][kg]|[ae]y[ae]n|[ae]s[ae]|[ae]y[iu][nz]|[ae]y[ae]bil)/;
/** Negated past/progressive/evidential at the end of a word not in the lexicon ("yaşamadım", "görünmüyor"). */
const TR_NEG_ENDING = /m[ae]d[iu](?:m|n|k|n[iu]z|l[ae]r)?$|m[iu]yor(?:um|sun|uz|sunuz|lar)?$|m[ae]m[iu]s(?:t[iu]r)?$/;
/** Privative -sIz ("sorunsuz" = problem-free); not the 2pl copula -sInIz ("harikasınız"). */
const TR_PRIVATIVE = /^s[iu]z/;
/** Question particle as its own word, with person endings: mi, mısınız, musunuz, miydi ... */
const TR_PARTICLE = expand(
  'm[iu] m[iu]y[iu]m m[iu]s[iu]n m[iu]s[iu]n[iu]z m[iu]y[iu]z m[iu]d[iu]r m[iu]yd[iu] m[iu]yd[iu][mnk] m[iu]ym[iu]s m[iu]ys[ae]',
);
/** Particle typed glued to the verb, as people often do without Turkish keyboards: "varmi", "geliyormu". */
const TR_GLUED_TAILS = expand('m[iu] m[iu]s[iu]n[iu]z m[iu]y[iu]z m[iu]y[iu]m');
function isGluedParticle(f: string): boolean {
  let at = f.lastIndexOf('m');
  if (at === f.length - 1) at = f.lastIndexOf('m', at - 1); // "miyim" ends in m itself
  if (at < 3 || !TR_GLUED_TAILS.has(f.slice(at))) return false;
  const stem = f.slice(0, at);
  return stem === 'var' || stem === 'yok' || stem.endsWith('yor') || /[aeiu]r$/.test(stem);
}
/** First person plural optative ("gidelim", "deneyelim") before mi is a proposal, not a question. */
const TR_OPTATIVE_1PL = /[ae]l[iu]m$/;
const TR_QUESTION_WORDS = new Set(
  ['nerede', 'nerde', 'nereden', 'nereye', 'nasıl', 'kaç', 'kaça', 'kaçta', 'kaçtan', 'kaçar', 'kaçıncı', 'neden', 'niye', 'niçin', 'hangi', 'hangisi', 'hangisini', 'nedir', 'acaba', 'nezaman'].map(
    (x) => fold(x),
  ),
);
const TR_WHY = new Set(['neden', 'niye', 'nicin']);
/** Durative -DIr on a short time unit: "10 gündür", "45 dakikadır" — an ongoing wait. */
const TR_DURATIVE = expand('dakikad[iu]r saatt[iu]r gund[iu]r haftad[iu]r dakikalard[iu]r saatlerd[iu]r gunlerd[iu]r haftalard[iu]r');
const TR_TIME_UNIT = /^(?:dakika|saat|gun|hafta)/;
/** Second person: possessive -(I)nIz, copula -sInIz, past -DInIz, and the pronoun. */
const TR_YOU = new Set(['siz', 'size', 'sizi', 'sizin', 'sizden', 'sizde']);
/** Case endings that may follow the 2nd person plural -nIz ("şubenizde", "ekibinizin"). */
const TR_AFTER_NIZ = new Set(['', 'in', 'un', 'a', 'e', 'i', 'u', 'da', 'de', 'dan', 'den', 'daki', 'deki', 'la', 'le']);
function isSecondPerson(f: string): boolean {
  if (TR_YOU.has(f)) return true;
  const z = f.lastIndexOf('z');
  if (z < 3 || f.charCodeAt(z - 2) !== 110 /* n */) return false;
  const v = f[z - 1];
  return (v === 'i' || v === 'u') && TR_AFTER_NIZ.has(f.slice(z + 1));
}
const TR_YOK = expand('yok yoktu yoktur yokmus yoksa');
const TR_PURCHASE = /^(?:aldig|aldim|aldik|satin)/;
const TR_INTENSIFIERS = new Map<string, number>(
  (
    [
      ['çok', 1.5], ['gerçekten', 1.4], ['aşırı', 1.6], ['kesinlikle', 1.4], ['cidden', 1.3], ['fazlasıyla', 1.4], ['oldukça', 1.2],
      ['epey', 1.2], ['bayağı', 1.3], ['en', 1.3], ['hiç', 1.3], ['inanılmaz', 1.5], ['acayip', 1.5], ['tam', 1.1], ['baya', 1.3],
    ] as [string, number][]
  ).map(([k, v]) => [fold(k), v]),
);
const TR_STILL = new Set(['hala', 'halen', 'hale']);
const TR_DEGIL = expand('degil degild[iu] degild[iu]r degil[iu]m degil[iu]z degils[iu]n degils[iu]n[iu]z degilm[iu]s degilse degilken');
/** Closed-class Turkish words, classified with one lookup per token. */
const W_DEGIL = 1;
const W_YOK = 2;
const W_PARTICLE = 3;
const W_QUESTION = 4;
const W_NE = 5;
const W_STILL = 6;
const W_INTENSIFIER = 7;
const W_DURATIVE = 8;
const TR_CLOSED = new Map<string, number>();
for (const [words, cls] of [
  [TR_DEGIL, W_DEGIL], [TR_YOK, W_YOK], [TR_PARTICLE, W_PARTICLE], [TR_QUESTION_WORDS, W_QUESTION], [new Set(['ne']), W_NE],
  [TR_STILL, W_STILL], [new Set(TR_INTENSIFIERS.keys()), W_INTENSIFIER], [TR_DURATIVE, W_DURATIVE],
] as [Set<string>, number][]) {
  for (const w of words) if (!TR_CLOSED.has(w)) TR_CLOSED.set(w, cls);
}

/** What an upset customer demands or waits for: "açıklama bekliyorum", "iade istiyorum", "paramı geri istiyorum". */
const TR_REDRESS = /^(?:iade|aciklama|geri|tazminat|ozur|cevap|yanit|donus|bilgi|cozum)/;
/** Addressing everyone: a greeting or wish rather than an appraisal. */
const TR_AUDIENCE = /^(?:herkes|hepiniz|hepimiz|umarim)/;

/*
 * Turkish lexicon: stems matched as prefixes (longest first), the remaining suffix
 * analysed for negation, the privative -sIz and copula. Written with Turkish letters;
 * folded forms are derived at load time.
 */
const TR_LEXICON: [string, Kind, number, Partial<Entry>?][] = [
  // appraisal, positive
  ['harika', 'nom', 2], ['mükemmel', 'nom', 2], ['muhteşem', 'nom', 2], ['şahane', 'nom', 2], ['efsane', 'nom', 2],
  ['enfes', 'nom', 2], ['nefis', 'nom', 2], ['kusursuz', 'nom', 2], ['olağanüstü', 'nom', 2], ['müthiş', 'nom', 2],
  ['harikulade', 'nom', 2], ['süper', 'nom', 1.5], ['güzel', 'nom', 1.5], ['hoş', 'nom', 1.5], ['iyi', 'nom', 1], ['başarılı', 'nom', 1.5],
  ['başarı', 'nom', 1], ['kaliteli', 'nom', 1.5], ['lezzetli', 'nom', 1.5], ['leziz', 'nom', 1.5], ['hızlı', 'nom', 1],
  ['kolay', 'nom', 1], ['pratik', 'nom', 1], ['şık', 'nom', 1, { rest: TR_COPULA }], ['nazik', 'nom', 1.5],
  ['kibar', 'nom', 1.5], ['samimi', 'nom', 1], ['yardımsever', 'nom', 1.5], ['yardımcı', 'nom', 1], ['profesyonel', 'nom', 1],
  ['özenli', 'nom', 1.5], ['özen', 'nom', 0.5, { siz: -1.5 }], ['temiz', 'nom', 1], ['taze', 'nom', 1], ['faydalı', 'nom', 1.5],
  ['yararlı', 'nom', 1.5], ['fayda', 'nom', 0.5, { siz: -1.5 }], ['anlaşılır', 'nom', 1], ['rahat', 'nom', 1],
  ['konforlu', 'nom', 1.5], ['sağlam', 'nom', 1], ['memnun', 'nom', 1.5], ['mutlu', 'nom', 1.5], ['keyifli', 'nom', 1.5],
  ['keyif', 'nom', 1], ['hayran', 'nom', 1.5], ['favori', 'nom', 1], ['uygun', 'nom', 0.5], ['ucuz', 'nom', 0.5],
  ['zamanında', 'nom', 1], ['dakik', 'nom', 1], ['çabuk', 'nom', 1], ['lezzet', 'nom', 0.5, { siz: -1.5 }],
  ['kalite', 'nom', 0, { siz: -1.5 }], ['ilgi', 'nom', 0, { siz: -1.5 }], ['saygı', 'nom', 0, { siz: -2 }],
  ['zahmet', 'nom', 0, { siz: 1 }], ['güvenilir', 'nom', 1.5], ['etkili', 'nom', 1], ['verimli', 'nom', 1],
  ['olumlu', 'nom', 1], ['olumsuz', 'nom', -1], ['tavsiye', 'nom', 1], ['önerir', 'nom', 1.5], ['tebrik', 'nom', 1.5],
  ['bravo', 'nom', 1.5], ['helal', 'nom', 1.5, { rest: TR_COPULA }], ['minnettar', 'nom', 1.5], ['sabırsızlıkla', 'nom', 1],
  ['teşekkür', 'nom', 1, { polite: true }], ['tşk', 'nom', 1, { polite: true }], ['sağol', 'nom', 1, { polite: true }],
  ['sevinir', 'nom', 0, { polite: true }], ['lütfen', 'nom', 0, { polite: true }],
  // common English loanwords in Turkish comments
  ['wow', 'nom', 1], ['nice', 'nom', 1], ['perfect', 'nom', 2], ['thanks', 'nom', 1, { polite: true }], ['cool', 'nom', 1],
  // appraisal, negative
  ['berbat', 'nom', -2, { problem: 1 }], ['rezalet', 'nom', -2, { problem: 1 }], ['rezil', 'nom', -2, { problem: 1 }],
  ['kötü', 'nom', -1.5], ['fena', 'nom', -1.5], ['felaket', 'nom', -2], ['korkunç', 'nom', -2], ['iğrenç', 'nom', -2],
  ['çirkin', 'nom', -1], ['pahalı', 'nom', -1], ['kaba', 'nom', -1.5, { rest: TR_COPULA }], ['yavaş', 'nom', -1],
  ['soğuk', 'nom', -0.5], ['bayat', 'nom', -1.5], ['kirli', 'nom', -1.5], ['pis', 'nom', -1.5, { rest: TR_COPULA }],
  ['bozuk', 'nom', -1.5, { problem: 1 }], ['kırık', 'nom', -1.5, { problem: 1 }], ['hasar', 'nom', -1.5, { problem: 1 }],
  ['arıza', 'nom', -1.5, { problem: 1 }], ['skandal', 'nom', -2, { problem: 1 }], ['yazık', 'nom', -1], ['ayıp', 'nom', -1.5],
  ['utanç', 'nom', -1.5], ['imkansız', 'nom', -1, { problem: 1 }], ['yetersiz', 'nom', -1.5], ['yeterli', 'nom', 0.5],
  ['yeter', 'nom', -1, { problem: 0.5, rest: /^$/ }], ['zor', 'nom', -1, { rest: TR_COPULA }], ['maalesef', 'nom', -1],
  ['malesef', 'nom', -1], ['yanlış', 'nom', -1, { problem: 1 }], ['kayıp', 'nom', -1, { problem: 1 }],
  ['kaybol', 'verb', -1, { problem: 1 }], ['kaybet', 'verb', -1, { problem: 1 }], ['gecik', 'verb', -1, { problem: 1 }],
  ['rötar', 'nom', -1, { problem: 1 }], ['kesinti', 'nom', -1, { problem: 1 }], ['iptal', 'nom', -0.5, { problem: 0.5 }],
  ['acil', 'nom', -0.5, { problem: 0.5 }], ['sorun', 'nom', -1, { problem: 1, siz: 1.5 }],
  ['problem', 'nom', -1, { problem: 1, siz: 1.5 }], ['hata', 'nom', -1, { problem: 1, siz: 1.5 }],
  ['eksik', 'nom', -1, { problem: 1, siz: 1 }], ['şikayet', 'nom', -1, { problem: 1 }], ['mağdur', 'nom', -2, { problem: 1 }],
  ['sıkıntı', 'nom', -1, { problem: 1 }], ['pişman', 'nom', -1.5], ['nefret', 'nom', -2],
  ['üzücü', 'nom', -1], ['üzgün', 'nom', -1], ['saçma', 'nom', -1.5], ['lanet', 'nom', -2], ['eziyet', 'nom', -2],
  ['kabus', 'nom', -2], ['haksız', 'nom', -1.5], ['yalan', 'nom', -1.5], ['umursamaz', 'nom', -1.5], ['dert', 'nom', -1],
  ['zam', 'nom', -1, { problem: 1, rest: /^(?:$|l[ae]r?.*|[ae]|d[ae]n|[iu]|l[iu])$/ }], ['çözüm', 'nom', 0],
  // verbs of liking / disliking: negation flips them
  ['beğen', 'verb', 1.5], ['sev', 'verb', 1.5, { rest: /^(?:d[iu]|iyor|[ae]r|m[ae]|m[iu]yor|ece|e[cr]|in|gi|imli)/ }],
  ['bayıl', 'verb', 2], ['güven', 'verb', 1, { rest: /^(?:i[yr]|d[iu]|m[ae]|m[iu]yor|ebil)/ }], ['öner', 'verb', 1, { rest: /^(?:ir|iyor|d[iu]|m[ae]|m[iu]yor)/ }],
  ['sinirlen', 'verb', -1.5], ['üzül', 'verb', -1], ['bık', 'verb', -1.5, { rest: /^(?:t[iu]|k|m[iu]s)/ }],
  ['dolandır', 'verb', -2, { problem: 1 }], ['kandır', 'verb', -2, { problem: 1 }], ['sıkıl', 'verb', -1], ['sıkıcı', 'nom', -1.5],
  ['boz', 'verb', -1.5, { problem: 1 }], ['çök', 'verb', -1.5, { problem: 1 }], ['don', 'verb', -1, { problem: 1, rest: /^(?:uyor|d[iu]|[iu]p|m[ae]|m[iu]yor)/ }],
  // functional verbs: their negation reports a problem ("açılmıyor", "gelmedi", "uygulanmadı")
  ['çalış', 'func', 0], ['aç', 'func', 0], ['yüklen', 'func', 0], ['yükle', 'func', 0], ['bağlan', 'func', 0],
  ['ulaş', 'func', 0], ['gel', 'func', 0], ['dön', 'func', 0], ['gönder', 'func', 0], ['güncelle', 'func', 0],
  ['yanıtla', 'func', 0], ['ara', 'func', 0], ['uygula', 'func', 0], ['onayla', 'func', 0], ['ilgilen', 'func', 0],
  ['değiştir', 'func', 0], ['kullan', 'func', 0], ['gir', 'func', 0], ['yolla', 'func', 0], ['gerçekleş', 'func', 0],
  ['tamamlan', 'func', 0], ['görün', 'func', 0], ['oku', 'func', 0], ['çık', 'func', 0],
  ['çöz', 'func', 0.75, { resolver: true }], ['düzel', 'func', 0.5, { resolver: true }], ['hallet', 'func', 0.75, { resolver: true }],
  // auxiliaries of compound verbs ("memnun kal-", "cevap ver-", "teslim et-"): negation applies to the noun before
  ['et', 'aux', 0], ['ed', 'aux', 0], ['ol', 'aux', 0], ['kal', 'aux', 0], ['yap', 'aux', 0], ['ver', 'aux', 0], ['eyle', 'aux', 0],
  ['bekle', 'wait', 0], ['iste', 'demand', 0],
  ['uy', 'func', 0, { rest: /^(?:m[iu]yor|m[ae]d[iu]|m[ae]z|m[ae]m[iu]s)/ }], ['ilgili', 'nom', 1],
  // service vocabulary: makes a negative comment a complaint about the brand
  ...(
    (
      'sipariş kargo teslimat paket ürün hesap uygulama site sepet ödeme hizmet destek müşteri personel çalışan garson şube ' +
      'mağaza uçuş uçak bagaj bavul bilet koltuk kabin kart banka havale fatura abonelik internet kahve yemek masa fiyat ' +
      'porsiyon kurye kumaş beden menü telefon ekip teknisyen servis çağrı stok iade'
    )
      .split(' ')
      .map((w): [string, Kind, number, Partial<Entry>] => [w, 'nom', 0, w === 'iade' ? { domain: true, problem: 0.5 } : { domain: true }])
  ),
];

/** Character trie of stems: walking a word finds every stem that prefixes it without building substrings. */
interface TrieNode {
  /** one character per child, in the order of `kids` (fan-out is tiny below the root) */
  keys: string;
  kids: TrieNode[];
  entry: Entry | undefined;
}
const trieNode = (): TrieNode => ({ keys: '', kids: [], entry: undefined });
function trieInsert(root: TrieNode, word: string, e: Entry): void {
  let node = root;
  for (const c of word) {
    let k = node.keys.indexOf(c);
    if (k < 0) {
      node.keys += c;
      node.kids.push(trieNode());
      k = node.kids.length - 1;
    }
    node = node.kids[k]!;
  }
  node.entry ??= e;
}
/** By spelling with Turkish letters, and folded to ASCII. */
const TR_TRIE = trieNode();
const TR_TRIE_FOLDED = trieNode();
for (const [stem, kind, pol, extra] of TR_LEXICON) {
  const e: Entry = { kind, pol, problem: 0, ...extra };
  const w = plain(lowerTr(stem));
  trieInsert(TR_TRIE, w, e);
  trieInsert(TR_TRIE_FOLDED, fold(w), e);
}

interface Match {
  e: Entry;
  rest: string;
}

const MAX_STEM = 32;
const FOUND_LENGTHS = new Int32Array(MAX_STEM);
const FOUND_ENTRIES: (Entry | undefined)[] = new Array<Entry | undefined>(MAX_STEM);

/** Longest stem of `word` (at least `minLen` long) whose remaining suffix (taken from the folded form) is acceptable. */
function longestStem(root: TrieNode, word: string, folded: string, minLen: number): Match | undefined {
  let node = root;
  let found = 0;
  for (let i = 0; i < word.length && i < MAX_STEM; i++) {
    const k = node.keys.indexOf(word[i] ?? '');
    if (k < 0) break;
    node = node.kids[k]!;
    if (node.entry !== undefined && i + 1 >= minLen) {
      FOUND_LENGTHS[found] = i + 1;
      FOUND_ENTRIES[found] = node.entry;
      found++;
    }
  }
  for (let k = found - 1; k >= 0; k--) {
    const e = FOUND_ENTRIES[k]!;
    const rest = folded.slice(FOUND_LENGTHS[k] ?? 0);
    if (e.rest !== undefined && !e.rest.test(rest)) continue;
    return { e, rest };
  }
  return undefined;
}

/**
 * Longest stem that prefixes the word and whose suffix is acceptable. Words typed in
 * ASCII are matched in folded form; words with Turkish letters by their spelling (so
 * "sıkıntı" is not read as "şık"), then folded for long stems (6+ letters) as a fallback
 * for half-Turkish typing ("begenmedım").
 */
function lookupTr(t: Token): Match | undefined {
  if (t.ascii) return longestStem(TR_TRIE_FOLDED, t.f, t.f, 2);
  return longestStem(TR_TRIE, t.w, t.f, 2) ?? longestStem(TR_TRIE_FOLDED, t.f, t.f, 6);
}

/** A fixed expression; `initial`: only at the start of a sentence ("Have a great weekend"). */
type Phrase = { re: RegExp[]; apply: (a: Analysis, i: number) => void; initial?: boolean; head?: string };
const set = (pol: number, o: { problem?: number; evalTok?: boolean; polite?: boolean; wish?: boolean; question?: boolean } = {}) =>
  (a: Analysis, i: number): void => {
    a.pol[i] = pol;
    a.prob[i] = o.problem ?? 0;
    a.evalTok[i] = (o.evalTok ?? pol > 0) ? 1 : 0;
    a.polite[i] = o.polite === true ? 1 : 0;
    a.flippable[i] = pol !== 0 && o.wish !== true ? 1 : 0;
    if (o.wish) a.wish = true;
    if (o.question) a.question = true;
  };

/** Fixed Turkish expressions (folded, one regex per word). */
const TR_PHRASES: PhraseIndex = indexPhrases([
  { re: [/^(?:el(?:ler)?|emeg|emekler)(?:in(?:iz)?)?e$/, /^saglik/], apply: set(1.5), head: 'e' },
  { re: [/^sag$/, /^ol(?:un|sun|sunlar|sunuz)?$/], apply: set(1, { polite: true }) },
  { re: [/^guler$/, /^yuz/], apply: set(1.5) },
  { re: [/^allah$/, /^razi$/], apply: set(1.5) },
  { re: [/^hayal$/, /^kirikl/], apply: set(-2, { problem: 0.5 }) },
  { re: [/^gerek$/, /^yok/], apply: set(0) },
  { re: [/^moral/, /^boz/], apply: set(-1.5) },
  { re: [/^iyi$/, /^\p{L}{3,}l[ae]r$/u], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^kolay$/, /^gelsin$/], apply: set(0.5, { wish: true, evalTok: false }) },
  { re: [/^(?:hayirli|kutlu|bereketli|mubarek)$/, /^olsun$/], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^gecmis$/, /^olsun$/], apply: set(0, { wish: true }) },
  { re: [/^nice$/, /^yillara/], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^mutlu$/, /^(?:yillar|bayramlar|pazarlar|haftasonlari|yeni|gunler)/], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^gec$/, /^(?:gel|kal|teslim|ulas|cevap|don)/], apply: set(-1, { problem: 1 }) },
  { re: [/^bu$/, /^nasil$/], apply: set(-1, { problem: 0.5, question: true }) },
  { re: [/^ne$/, /^bicim$/], apply: set(-1.5, { problem: 0.5 }) },
  { re: [/^ne$/, /^zaman$/], apply: set(0, { question: true }) },
]);

interface PhraseIndex {
  byFirst: Map<string, Phrase[]>;
  other: Phrase[];
}
/** Indexes phrases by their first word when that is a literal (/^a$/, /^(?:a|b)$/), so most tokens test none. */
function indexPhrases(phrases: Phrase[]): PhraseIndex {
  const byFirst = new Map<string, Phrase[]>();
  const other: Phrase[] = [];
  for (const p of phrases) {
    const source = p.re[0]?.source ?? '';
    const lit = /^\^(?:\(\?:)?([a-z'|]+)\)?\$$/.exec(source);
    if (lit?.[1] === undefined) {
      // a literal start ("^moral") still saves the regex for most words
      other.push({ ...p, head: p.head ?? /^\^([a-z]+)/.exec(source)?.[1] });
      continue;
    }
    for (const word of lit[1].split('|')) byFirst.set(word, [...(byFirst.get(word) ?? []), p]);
  }
  return { byFirst, other };
}

function matchPhrase(index: PhraseIndex, toks: Token[], i: number): Phrase | undefined {
  const first = toks[i];
  if (first === undefined) return undefined;
  const candidates = index.byFirst.get(first.f);
  if (candidates !== undefined) {
    const p = matchFrom(candidates, toks, i);
    if (p !== undefined) return p;
  }
  return index.other.length > 0 ? matchFrom(index.other, toks, i) : undefined;
}

function matchFrom(phrases: Phrase[], toks: Token[], i: number): Phrase | undefined {
  const head = toks[i]!.f;
  const initial = i === 0 || toks[i - 1]?.sentence !== toks[i]?.sentence;
  outer: for (const p of phrases) {
    if (p.initial === true && !initial) continue;
    if (p.head !== undefined && !head.startsWith(p.head)) continue;
    for (let j = 0; j < p.re.length; j++) {
      const t = toks[i + j];
      if (t === undefined || t.clause !== toks[i]?.clause || !p.re[j]!.test(t.f)) continue outer;
    }
    return p;
  }
  return undefined;
}

function analyseTr(toks: Token[]): Analysis {
  const a = newAnalysis(toks.length);
  let boost = 1;
  let boostLeft = 0;
  const privative = a.privative;
  const waits: number[] = [];
  const demands: number[] = [];
  // Clause and sentence ids are few: plain arrays are cheaper than sets here.
  const resolverClauses: number[] = [];
  const stillClauses: number[] = [];
  const timeSentences: number[] = [];
  const nes: number[] = [];

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const f = t.f;
    const next = toks[i + 1];

    const phrase = matchPhrase(TR_PHRASES, toks, i);
    if (phrase !== undefined) {
      phrase.apply(a, i);
      if (boostLeft > 0 && a.pol[i] !== 0) a.pol[i] = (a.pol[i] ?? 0) * boost;
      boostLeft = 0;
      i += phrase.re.length - 1;
      continue;
    }

    if (isSecondPerson(f) || TR_PURCHASE.test(f) || f === 'lutfen') a.directed = true;
    if (TR_AUDIENCE.test(f)) a.wish = true;

    switch (TR_CLOSED.get(f)) {
      case W_DEGIL:
        // "değil": negates the nearest evaluative word before it ("güzel değil", "fena değil").
        if (next !== undefined && TR_PARTICLE.has(next.f)) a.question = true; // "değil mi?" tag question
        else flipBack(a, toks, i, 3);
        continue;
      case W_YOK:
        // "yok": flips a preceding evaluative word ("sorun yok"), otherwise reports an absence ("bilgi yok", "stokta yok").
        if (next !== undefined && TR_PARTICLE.has(next.f)) {
          a.question = true;
          i++;
        } else if (flipBack(a, toks, i, 2) < 0) {
          a.pol[i] = -0.75;
          a.prob[i] = 0.75;
        }
        continue;
      case W_PARTICLE: {
        const prev = toks[i - 1];
        if (prev !== undefined && TR_OPTATIVE_1PL.test(prev.f)) a.proposal = true;
        else a.question = true;
        continue;
      }
      case W_QUESTION:
        a.question = true;
        if (TR_WHY.has(f)) a.why = true;
        continue;
      case W_NE:
        nes.push(i);
        continue;
      case W_STILL:
        stillClauses.push(t.clause);
        continue;
      case W_INTENSIFIER:
        if (next !== undefined && next.clause === t.clause) {
          boost = TR_INTENSIFIERS.get(f) ?? 1;
          boostLeft = 2;
          continue;
        }
        break;
      case W_DURATIVE:
        a.pol[i] = -1;
        a.prob[i] = 1;
        timeSentences.push(t.sentence);
        continue;
    }
    if (t.ascii && f.length >= 5 && isGluedParticle(f)) {
      a.question = true;
      continue;
    }
    if (TR_TIME_UNIT.test(f)) timeSentences.push(t.sentence);

    const m = lookupTr(t);
    if (m !== undefined) {
      const { e, rest } = m;
      if (e.domain) a.directed = true;
      if (f.startsWith('ilgili') && /(?:l[ae]|ile)$/.test(toks[i - 1]?.f ?? '')) continue; // "X-le ilgili" = "about X"
      const negated = e.kind !== 'nom' && TR_NEG_VERB.test(rest);
      switch (e.kind) {
        case 'aux':
          if (negated) {
            // "memnun kalmadım", "pişman olmadım", "tavsiye etmem": flip the noun before;
            // "cevap vermiyorsunuz", "dönüş yapmıyor": a service not rendered.
            const prev = toks[i - 1];
            const prevPrivative = prev !== undefined && prev.clause === t.clause && privative[i - 1] === 1;
            if (!prevPrivative && flipBack(a, toks, i, 2) < 0) {
              a.pol[i] = -1;
              a.prob[i] = 1;
            }
          }
          break;
        case 'verb':
          if (negated) {
            a.pol[i] = flipValue(e.pol);
            a.prob[i] = e.pol > 0 ? 1 : 0; // "beğenmedim": dissatisfaction with what was bought
          } else {
            a.pol[i] = e.pol;
            a.prob[i] = e.problem;
            a.flippable[i] = 1;
          }
          break;
        case 'func':
          if (negated) {
            // "hiç sorun çıkmadı": the negation takes the evaluative word before it; otherwise
            // a function that failed ("açılmıyor", "gelmedi").
            const k = flipBack(a, toks, i, 2);
            if (k < 0 || (a.pol[k] ?? 0) < 0) {
              a.pol[i] = -1;
              a.prob[i] = 1;
            }
          } else {
            a.pol[i] = e.pol;
            if (e.resolver) resolverClauses.push(t.clause);
          }
          break;
        case 'wait':
          waits.push(i);
          demands.push(i);
          break;
        case 'demand':
          if (!negated) demands.push(i);
          break;
        case 'nom':
          if (TR_PRIVATIVE.test(rest)) {
            privative[i] = 1;
            a.pol[i] = e.siz ?? flipValue(e.pol);
          } else {
            a.pol[i] = e.pol;
            a.prob[i] = e.problem;
            a.polite[i] = e.polite === true ? 1 : 0;
            a.flippable[i] = e.pol !== 0 ? 1 : 0;
          }
          break;
      }
      if ((a.pol[i] ?? 0) > 0) a.evalTok[i] = 1;
    } else if (f.endsWith('siz') || f.endsWith('suz')) {
      // A privative on an unknown noun still matters for a following negated auxiliary ("kahvesiz olmaz").
      privative[i] = 1;
    } else if (f.length >= 6 && TR_NEG_ENDING.test(f)) {
      // An unknown negated verb still negates the evaluative word before it ("hiç sorun yaşamadım").
      flipBack(a, toks, i, 2);
    }

    if (boostLeft > 0) {
      if (a.pol[i] !== 0) {
        a.pol[i] = (a.pol[i] ?? 0) * boost;
        boostLeft = 0;
      } else boostLeft--;
    }
  }

  // "ne ... ne ..." (neither ... nor): an absence, not a question.
  for (let k = 1; k < nes.length; k++) {
    const first = nes[k - 1]!;
    if (toks[first]!.sentence === toks[nes[k]!]!.sentence) {
      a.pol[first] = -0.75;
      a.prob[first] = 0.75;
    }
  }
  // Waiting is a complaint when it is measured or ongoing ("20 dakika bekledik", "hâlâ bekliyorum").
  for (const i of waits) {
    const t = toks[i]!;
    if (timeSentences.includes(t.sentence) || stillClauses.includes(t.clause)) {
      a.pol[i] = -1;
      a.prob[i] = 1;
    }
  }
  for (const i of demands) {
    const t = toks[i]!;
    for (let k = i - 1; k >= Math.max(0, i - 3) && toks[k]!.clause === t.clause; k--) {
      if (TR_REDRESS.test(toks[k]!.f)) {
        a.pol[i] = -1;
        a.prob[i] = 1;
        break;
      }
    }
  }
  return finishClauses(a, toks, stillClauses, resolverClauses);
}

/** "sorunumu çözdü", "fixed every bug": the problem mentioned has been solved. */
/** Shared ending of both analyses: "still"/"hâlâ" with a problem in its clause makes it worse; then resolved problems cancel. */
function finishClauses(a: Analysis, toks: Token[], stillClauses: number[], resolverClauses: number[]): Analysis {
  for (let i = 0; i < toks.length; i++) {
    if (stillClauses.length > 0 && stillClauses.includes(toks[i]!.clause) && (a.prob[i] ?? 0) > 0) a.prob[i] = (a.prob[i] ?? 0) + 0.5;
  }
  cancelResolved(a, toks, resolverClauses);
  return a;
}

function cancelResolved(a: Analysis, toks: Token[], clauses: number[]): void {
  if (clauses.length === 0) return;
  for (let i = 0; i < toks.length; i++) {
    if (!clauses.includes(toks[i]!.clause)) continue;
    if ((a.prob[i] ?? 0) > 0) {
      a.prob[i] = 0;
      if ((a.pol[i] ?? 0) < 0) a.pol[i] = 0;
    }
  }
}

// ---------------------------------------------------------------------------
// English
// ---------------------------------------------------------------------------

const EN_NEGATORS = new Set([
  'not', 'no', 'never', 'nothing', 'nobody', 'none', 'neither', 'nor', 'without', 'hardly', 'zero', 'cannot', 'cant',
  'dont', 'doesnt', 'didnt', 'isnt', 'wasnt', 'arent', 'werent', 'wont', 'wouldnt', 'couldnt', 'shouldnt', 'havent',
  'hasnt', 'hadnt', 'aint',
]);
/** Words that do not use up a negation's scope: "not a single update", "never had a problem". */
const EN_SCOPE_TRANSPARENT = new Set([
  'a', 'an', 'the', 'any', 'single', 'even', 'been', 'be', 'really', 'very', 'so', 'at', 'all', 'that', 'this', 'my', 'your',
  'yet', 'ever', 'get', 'got', 'too', 'much', 'quite', 'exactly', 'that\'s', 'it', 'is', 'was', 'are', 'were',
]);
const EN_INTENSIFIERS = new Map<string, number>([
  ['very', 1.5], ['really', 1.4], ['so', 1.4], ['super', 1.5], ['extremely', 1.7], ['absolutely', 1.5], ['totally', 1.4],
  ['incredibly', 1.6], ['truly', 1.3], ['genuinely', 1.3], ['such', 1.3], ['too', 1.3], ['highly', 1.5], ['completely', 1.5],
  ['utterly', 1.6], ['seriously', 1.4], ['most', 1.2], ['pretty', 1.1], ['quite', 1.1], ['way', 1.3], ['insanely', 1.5],
  ['damn', 1.3], ['beyond', 1.3], ['hugely', 1.5], ['massively', 1.5],
]);
const EN_WH = new Set(['what', 'when', 'where', 'why', 'how', 'which', 'who', 'whom', 'whose', "what's", "where's", "when's", "how's", "who's", 'wat']);
const EN_AUX = new Set(['do', 'does', 'did', 'is', 'are', 'was', 'were', 'can', 'could', 'will', 'would', 'should', 'shall', 'may', 'might', 'have', 'has', 'am']);
const EN_SUBJECTS = new Set([
  'i', 'you', 'we', 'they', 'he', 'she', 'it', 'this', 'that', 'these', 'those', 'there', 'the', 'my', 'your', 'our', 'their',
  'his', 'her', 'its', 'u', 'ya', 'anyone', 'anybody', 'someone', 'somebody', "y'all", 'any', 'all', 'people', 'everyone',
]);
const EN_SENTENCE_OPENERS = new Set(['hi', 'hello', 'hey', 'ok', 'okay', 'so', 'also', 'and', 'quick', 'question', 'btw', 'hiya', 'morning', 'yo', 'um', 'sorry', 'excuse', 'me', 'please', 'team']);
const EN_SECOND_PERSON = new Set(['you', 'your', 'yours', "you're", "you've", "you'll", "you'd", "y'all", 'u', 'ur', 'ya']);
const EN_PURCHASE = new Set(['ordered', 'bought', 'purchased', 'paid', 'received', 'booked', 'subscribed']);
const EN_SERVICE_NOUNS = new Set([
  'reply', 'replies', 'response', 'responses', 'answer', 'update', 'updates', 'refund', 'help', 'support', 'signal', 'internet',
  'service', 'connection', 'notice', 'info', 'information', 'email', 'call', 'callback', 'contact', 'human', 'agent', 'tracking',
  'confirmation', 'explanation', 'apology', 'compensation', 'solution', 'word', 'news', 'one', 'way',
]);
const EN_HOLIDAYS = /^(?:holidays?|new|birthday|weekend|friday|monday|easter|diwali|eid|christmas|xmas|thanksgiving|hanukkah|anniversary|halloween|ramadan|valentine'?s?|mother's|father's|diwali|lunar|pride)$/;
const EN_NUMBER = /^(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|couple|few|several|many)$/;
/** What an upset customer demands: "I want a refund", "we need an explanation". */
const EN_REDRESS = /^(?:refund|explanation|answer|compensation|apology|response|solution|back|reimbursement)$/;
const EN_AUDIENCE = new Set(['everyone', 'everybody', 'hope', 'hoping']);
const EN_TIME_UNIT = /^(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?)$/;

const EN_LEXICON: [string, Kind, number, Partial<Entry>?][] = [
  // positive
  ['good', 'nom', 1], ['great', 'nom', 1.5], ['excellent', 'nom', 2], ['amazing', 'nom', 2], ['awesome', 'nom', 2],
  ['fantastic', 'nom', 2], ['wonderful', 'nom', 2], ['brilliant', 'nom', 2], ['superb', 'nom', 2], ['outstanding', 'nom', 2],
  ['incredible', 'nom', 2], ['perfect', 'nom', 2], ['best', 'nom', 2], ['better', 'nom', 1], ['love', 'verb', 2],
  ['lovely', 'nom', 1.5], ['enjoy', 'verb', 1.5], ['nice', 'nom', 1], ['beautiful', 'nom', 1.5], ['gorgeous', 'nom', 2],
  ['stunning', 'nom', 2], ['delicious', 'nom', 2], ['tasty', 'nom', 1.5], ['fresh', 'nom', 1], ['clean', 'nom', 1],
  ['smooth', 'nom', 1], ['easy', 'nom', 1], ['fast', 'nom', 1], ['quick', 'nom', 1], ['helpful', 'nom', 1.5],
  ['friendly', 'nom', 1.5], ['polite', 'nom', 1.5], ['kind', 'nom', 1], ['professional', 'nom', 1], ['reliable', 'nom', 1.5],
  ['impressive', 'nom', 1.5], ['impress', 'verb', 1.5], ['happy', 'nom', 1.5], ['glad', 'nom', 1], ['pleased', 'nom', 1.5],
  ['satisfied', 'nom', 1.5], ['recommend', 'verb', 1.5], ['appreciate', 'verb', 1.5], ['grateful', 'nom', 1.5],
  ['kudos', 'nom', 1.5], ['congrats', 'nom', 1.5], ['congratulations', 'nom', 1.5], ['bravo', 'nom', 1.5], ['shoutout', 'nom', 1],
  ['worth', 'nom', 1], ['favourite', 'nom', 1.5], ['favorite', 'nom', 1.5], ['fave', 'nom', 1.5], ['obsessed', 'nom', 1.5],
  ['trust', 'verb', 1], ['wow', 'nom', 1], ['yay', 'nom', 1.5], ['yummy', 'nom', 1.5], ['cool', 'nom', 1], ['fabulous', 'nom', 2],
  ['fab', 'nom', 1.5], ['legend', 'nom', 1.5], ['legendary', 'nom', 1.5], ['solid', 'nom', 1], ['thoughtful', 'nom', 1.5],
  ['useful', 'nom', 1.5], ['informative', 'nom', 1.5], ['insightful', 'nom', 1.5], ['excited', 'nom', 1.5], ['exciting', 'nom', 1.5],
  ['deserved', 'nom', 1], ['flawless', 'nom', 2], ['seamless', 'nom', 1.5], ['efficient', 'nom', 1.5], ['comfortable', 'nom', 1.5],
  ['cozy', 'nom', 1.5], ['cosy', 'nom', 1.5], ['gem', 'nom', 1.5], ['lifesaver', 'nom', 2], ['hero', 'nom', 1], ['adore', 'verb', 2],
  ['delight', 'nom', 1.5], ['delightful', 'nom', 1.5], ['charming', 'nom', 1.5], ['attentive', 'nom', 1.5], ['courteous', 'nom', 1.5],
  ['responsive', 'nom', 1], ['sweet', 'nom', 1], ['intuitive', 'nom', 1.5], ['pleasure', 'nom', 1], ['thank', 'nom', 1, { polite: true }],
  ['thanks', 'nom', 1, { polite: true }], ['thx', 'nom', 1, { polite: true }], ['ty', 'nom', 1, { polite: true }],
  ['please', 'nom', 0, { polite: true }], ['fixed', 'func', 0.5, { resolver: true }], ['sorted', 'func', 0.5, { resolver: true }],
  ['solved', 'func', 0.5, { resolver: true }], ['resolved', 'func', 0.5, { resolver: true }], ['handled', 'func', 0.25, { resolver: true }],
  // negative
  ['bad', 'nom', -1.5], ['terrible', 'nom', -2], ['awful', 'nom', -2], ['horrible', 'nom', -2], ['horrendous', 'nom', -2],
  ['worst', 'nom', -2.5], ['worse', 'nom', -1.5], ['poor', 'nom', -1.5], ['disappoint', 'verb', -2], ['disappointment', 'nom', -2],
  ['useless', 'nom', -2], ['rude', 'nom', -2], ['slow', 'nom', -1], ['broken', 'nom', -1.5, { problem: 1 }],
  ['broke', 'nom', -1.5, { problem: 1 }], ['crash', 'verb', -1.5, { problem: 1 }], ['bug', 'nom', -1, { problem: 1 }],
  ['buggy', 'nom', -1.5, { problem: 1 }], ['glitch', 'nom', -1, { problem: 1 }], ['issue', 'nom', -1, { problem: 1 }],
  ['problem', 'nom', -1, { problem: 1 }], ['error', 'nom', -1, { problem: 1 }], ['fail', 'verb', -1.5, { problem: 1 }],
  ['failure', 'nom', -1.5, { problem: 1 }], ['faulty', 'nom', -1.5, { problem: 1 }], ['damage', 'nom', -1.5, { problem: 1 }],
  ['defective', 'nom', -1.5, { problem: 1 }], ['missing', 'nom', -1, { problem: 1 }], ['lost', 'nom', -1, { problem: 1 }],
  ['wrong', 'nom', -1, { problem: 1 }], ['late', 'nom', -1, { problem: 0.5 }], ['delay', 'verb', -1, { problem: 1 }],
  ['cancel', 'verb', -0.5, { problem: 0.5 }], ['cancellation', 'nom', -0.5, { problem: 0.5 }], ['scam', 'nom', -2, { problem: 1 }],
  ['fraud', 'nom', -2, { problem: 1 }], ['ridiculous', 'nom', -2, { problem: 1 }], ['unacceptable', 'nom', -2, { problem: 1 }],
  ['joke', 'nom', -1], ['disgrace', 'nom', -2], ['disgraceful', 'nom', -2], ['disgusting', 'nom', -2], ['embarrassing', 'nom', -1.5],
  ['annoy', 'verb', -1.5], ['annoying', 'nom', -1.5], ['angry', 'nom', -1.5], ['furious', 'nom', -2], ['frustrate', 'verb', -1.5],
  ['frustrating', 'nom', -1.5], ['hate', 'verb', -2], ['suck', 'verb', -2], ['meh', 'nom', -1], ['mediocre', 'nom', -1.5],
  ['overpriced', 'nom', -1.5], ['pricey', 'nom', -0.5], ['expensive', 'nom', -1], ['burnt', 'nom', -1.5], ['stale', 'nom', -1.5],
  ['dirty', 'nom', -1.5], ['sticky', 'nom', -1], ['filthy', 'nom', -2], ['noisy', 'nom', -1], ['loud', 'nom', -0.5],
  ['crushed', 'nom', -1, { problem: 1 }], ['dented', 'nom', -1, { problem: 1 }], ['torn', 'nom', -1, { problem: 1 }],
  ['ripped', 'nom', -1, { problem: 1 }], ['scratched', 'nom', -1, { problem: 1 }], ['cracked', 'nom', -1, { problem: 1 }],
  ['soaked', 'nom', -1, { problem: 1 }], ['leak', 'verb', -1, { problem: 1 }], ['stained', 'nom', -1, { problem: 1 }],
  ['smashed', 'nom', -1, { problem: 1 }], ['sad', 'nom', -1.5], ['unfortunately', 'nom', -1], ['unhappy', 'nom', -2],
  ['outage', 'nom', -1.5, { problem: 1 }], ['downtime', 'nom', -1, { problem: 1 }], ['ignore', 'verb', -1.5, { problem: 1 }],
  ['unhelpful', 'nom', -2, { problem: 1 }], ['unresponsive', 'nom', -1.5, { problem: 1 }], ['nightmare', 'nom', -2],
  ['pathetic', 'nom', -2], ['shocking', 'nom', -1.5], ['appalling', 'nom', -2], ['avoid', 'verb', -1.5], ['waste', 'nom', -1.5, { problem: 1 }],
  ['stuck', 'nom', -1], ['decline', 'verb', -1, { problem: 1 }], ['overcharge', 'verb', -1.5, { problem: 1 }],
  ['laggy', 'nom', -1, { problem: 1 }], ['fuming', 'nom', -2], ['livid', 'nom', -2], ['gutted', 'nom', -1.5], ['upset', 'nom', -1.5],
  ['mess', 'nom', -1.5], ['chaos', 'nom', -1.5], ['incompetent', 'nom', -2], ['impossible', 'nom', -1, { problem: 0.5 }],
  ['confusing', 'nom', -1], ['uncomfortable', 'nom', -1.5], ['cramped', 'nom', -1], ['bland', 'nom', -1], ['tasteless', 'nom', -1.5],
  ['soggy', 'nom', -1], ['undercooked', 'nom', -1.5], ['unusable', 'nom', -2, { problem: 1 }], ['complaint', 'nom', -1, { problem: 1 }],
  ['complain', 'verb', -1, { problem: 1 }], ['refuse', 'verb', -1.5, { problem: 1 }], ['sick', 'nom', -1.5], ['worried', 'nom', -1], ['disappointed', 'nom', -2], ['disappointing', 'nom', -2],
  // waiting: a complaint when measured or ongoing
  ['wait', 'wait', 0], ['pending', 'wait', -0.5],
  ['want', 'demand', 0], ['demand', 'demand', 0], ['expect', 'demand', 0], ['need', 'demand', 0],
  // functional verbs: negated they report a problem ("isn't working", "hasn't arrived")
  ...'match fit work load open arrive receive deliver update respond reply answer connect ship refund fix help show sync start log come call process send accept let recognise recognize'
    .split(' ')
    .map((w): [string, Kind, number, Partial<Entry>] => [w, 'func', 0, { domain: w === 'refund' || w === 'update', problem: w === 'refund' ? 0.5 : 0 }]),
  // service vocabulary
  ...(
    'order delivery package parcel shipping shipment tracking account app website site checkout cart service support staff ' +
    'store shop branch flight luggage baggage booking ticket seat crew gate card bank transfer payment bill invoice subscription ' +
    'internet wifi connection signal network coffee latte food table product item quality price portion version customer courier ' +
    'login password agent chat manager waiter barista menu meal drink phone receipt airline plan fee charge purchase restaurant ' +
    'cafe battery screen device router bot driver engineer technician centre center'
  )
    .split(' ')
    .map((w): [string, Kind, number, Partial<Entry>] => [w, 'nom', 0, { domain: true }]),
];
const EN_BY_WORD = new Map<string, Entry>();
for (const [w, kind, pol, extra] of EN_LEXICON) if (!EN_BY_WORD.has(w)) EN_BY_WORD.set(w, { kind, pol, problem: 0, ...extra });
/** Words that look inflected but are not ("later" is not "more late", "latest" means newest). */
const EN_NO_STEM = new Set(['later', 'latest', 'lately', 'worker', 'opener', 'caller', 'sender', 'shipper', 'goodness', 'kinda', 'kindly', 'helper', 'loader']);
/** Light English morphology: plural/3sg, past, gerund, comparative/superlative, adverb, with e-restoration and un-doubling. */
const EN_SUFFIXES: [string, string][] = [
  ['iest', 'y'], ['ier', 'y'], ['ily', 'y'], ['ied', 'y'], ['ies', 'y'], ['est', ''], ['est', 'e'], ['er', ''], ['er', 'e'],
  ['ly', ''], ['ing', ''], ['ing', 'e'], ['ed', ''], ['ed', 'e'], ['es', ''], ['s', ''], ['d', ''],
];

/** Suffix rules grouped by the word's last letter, so an unknown word tries two or three rules, not all. */
const EN_SUFFIXES_BY_LAST = new Map<string, [string, string][]>();
for (const rule of EN_SUFFIXES) {
  const last = rule[0].slice(-1);
  EN_SUFFIXES_BY_LAST.set(last, [...(EN_SUFFIXES_BY_LAST.get(last) ?? []), rule]);
}

function lookupEn(w: string): Entry | undefined {
  const direct = EN_BY_WORD.get(w);
  if (direct !== undefined) return direct;
  if (w.length < 4) return undefined;
  const rules = EN_SUFFIXES_BY_LAST.get(w[w.length - 1] ?? '');
  if (rules === undefined || EN_NO_STEM.has(w)) return undefined;
  for (const [suf, rep] of rules) {
    if (w.length <= suf.length + 2 || !w.endsWith(suf)) continue;
    const base = w.slice(0, -suf.length);
    const e = EN_BY_WORD.get(base + rep);
    if (e !== undefined) return e;
    // "shipped" → "shipp" → "ship"
    if (rep === '' && base.length >= 3 && base[base.length - 1] === base[base.length - 2]) {
      const e2 = EN_BY_WORD.get(base.slice(0, -1));
      if (e2 !== undefined) return e2;
    }
  }
  return undefined;
}

function isNegator(w: string): boolean {
  return EN_NEGATORS.has(w) || w.endsWith("n't");
}

/** Fixed English expressions (lowercased, one regex per word). */
const EN_PHRASES: PhraseIndex = indexPhrases([
  { re: [/^(?:can't|cant|cannot|couldn't)$/, /^wait$/], apply: set(1.5) },
  { re: [/^never$/, /^again$/], apply: set(-2, { problem: 1 }) },
  { re: [/^charged$/, /^(?:twice|double)$/], apply: set(-1.5, { problem: 1 }) },
  { re: [/^double$/, /^charged$/], apply: set(-1.5, { problem: 1 }) },
  { re: [/^still$/, /^waiting$/], apply: set(-1, { problem: 1 }) },
  { re: [/^on$/, /^hold$/], apply: set(-1, { problem: 1 }) },
  { re: [/^well$/, /^(?:done|deserved)$/], apply: set(1.5) },
  { re: [/^thank$/, /^(?:you|u)$/], apply: set(1, { polite: true }) },
  { re: [/^(?:you|guys|y'all)$/, /^rock$/], apply: set(1.5) },
  { re: [/^good$/, /^luck$/], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^happy$/, EN_HOLIDAYS], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^merry$/], apply: set(1, { wish: true, evalTok: false }) },
  { re: [/^wishing$/], apply: set(1, { wish: true, evalTok: false }) },
  // "Have a …" opening a sentence is a wish formula: what follows is not an appraisal.
  { re: [/^have$/, /^a$/], apply: (a, i) => { a.wish = true; a.noEvalUntil = i + 3; }, initial: true },
  { re: [/^on$/, /^time$/], apply: set(0.5) },
  { re: [/^spot$/, /^on$/], apply: set(1.5) },
  { re: [/^made$/, /^(?:my|our)$/, /^(?:day|week|morning)$/], apply: set(2) },
  { re: [/^waste$/, /^of$/], apply: set(-1.5, { problem: 1 }) },
  { re: [/^let$/, /^(?:me|us)$/, /^down$/], apply: set(-1.5) },
  { re: [/^fed$/, /^up$/], apply: set(-1.5, { problem: 0.5 }) },
  { re: [/^kind$/, /^of$/], apply: set(0) },
  { re: [/^(?:is|are|was|were|been|went|goes|'s|it's|keeps)$/, /^down$/], apply: set(-1, { problem: 1 }) },
]);

function analyseEn(toks: Token[]): Analysis {
  const a = newAnalysis(toks.length);
  let boost = 1;
  let boostLeft = 0;
  let negLeft = 0;
  let negClause = -1;
  const waits: number[] = [];
  const resolverClauses: number[] = [];
  const stillClauses: number[] = [];
  const timeSentences: number[] = [];
  const demands: number[] = [];
  const ifSentences: number[] = [];
  const modalSentences: number[] = [];
  let lastSentence = -1;
  let firstInSentence = true;

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const w = t.w;
    const next = toks[i + 1];
    if (t.sentence !== lastSentence) {
      lastSentence = t.sentence;
      firstInSentence = true;
    }
    if (negClause !== t.clause) negLeft = 0;

    // Question by form: a wh-word or an inverted auxiliary opening a sentence.
    if (firstInSentence) {
      if (EN_SENTENCE_OPENERS.has(w) && next !== undefined && next.sentence === t.sentence) {
        // skip greetings: "Hi, is the deal valid ..."
      } else {
        firstInSentence = false;
        const nw = next?.sentence === t.sentence ? next.w : '';
        const exclamative = (w === 'what' && (nw === 'a' || nw === 'an')) || (w === 'how' && lookupEn(nw) !== undefined && (lookupEn(nw)?.pol ?? 0) !== 0);
        if (EN_WH.has(w) && !exclamative) a.question = true;
        if ((EN_AUX.has(w) || (w.endsWith("n't") && EN_AUX.has(w.slice(0, -3)))) && EN_SUBJECTS.has(nw)) a.question = true;
      }
    }
    if (w === 'why' || w === "why's") a.why = true;
    if (w === 'if') ifSentences.push(t.sentence);
    else if (w === 'would' || w === 'could' || w === "i'd" || w === "it'd" || w === "that'd") modalSentences.push(t.sentence);
    if (w === 'wondering' || (w === 'anyone' && next?.w === 'know')) a.question = true;
    if (EN_SECOND_PERSON.has(w) || EN_PURCHASE.has(w) || w === 'please') a.directed = true;
    if (EN_AUDIENCE.has(w)) a.wish = true;

    // "5 stars" / "1 star"
    if (next !== undefined && /^stars?$/.test(next.w)) {
      const n = Number(/^\d$/.test(w) ? w : ['zero', 'one', 'two', 'three', 'four', 'five'].indexOf(w));
      if (n >= 4) {
        set(2)(a, i);
        i++;
        continue;
      }
      if (n >= 0 && n <= 2 && w !== 'zero') {
        set(-2, { problem: 0.5 })(a, i);
        i++;
        continue;
      }
    }

    const phrase = matchPhrase(EN_PHRASES, toks, i);
    if (phrase !== undefined) {
      phrase.apply(a, i);
      if (negLeft > 0 && (a.pol[i] ?? 0) !== 0 && w !== 'never') {
        a.pol[i] = flipValue(a.pol[i] ?? 0);
        a.prob[i] = 0;
        a.evalTok[i] = (a.pol[i] ?? 0) > 0 ? 1 : 0;
        negLeft = 0;
      }
      if (boostLeft > 0 && (a.pol[i] ?? 0) !== 0) {
        a.pol[i] = (a.pol[i] ?? 0) * boost;
        boostLeft = 0;
      }
      i += phrase.re.length - 1;
      continue;
    }

    if (w === 'no' && next?.w === 'one') i++; // "no one" = "nobody"
    if (isNegator(w)) {
      if (next?.w === 'only' || next?.w === 'just') continue; // "not only ... but also"
      // "can't recommend it enough", "couldn't be happier": idioms of emphasis, not negation.
      let idiom = false;
      if (/^(?:can't|cant|cannot|couldn't|couldnt)$/.test(w)) {
        for (let k = i + 1; k < toks.length && toks[k]!.clause === t.clause; k++) {
          if (/^(?:enough|happier|better|more)$/.test(toks[k]!.w)) idiom = true;
        }
      }
      if (!idiom) {
        negLeft = 2;
        negClause = t.clause;
      }
      continue;
    }
    if (w === 'still') {
      stillClauses.push(t.clause);
      continue;
    }
    const intens = EN_INTENSIFIERS.get(w);
    if (intens !== undefined && next !== undefined && next.clause === t.clause && lookupEn(next.w) !== undefined) {
      boost = intens;
      boostLeft = 2;
      continue;
    }
    if (EN_TIME_UNIT.test(w) && i > 0 && EN_NUMBER.test(toks[i - 1]!.w)) timeSentences.push(t.sentence);

    let e = lookupEn(w);
    // "like" is a verb only after a subject, an adverb or an auxiliary ("I like", "don't like"), not "looks like".
    if (w === 'like' || w === 'likes' || w === 'liked') {
      const p = toks[i - 1]?.w ?? '';
      const verbal = /^(?:i|we|they|you|really|totally|absolutely|definitely|do|does|did|also|just|still|always)$/.test(p) || isNegator(p);
      e = verbal && !/^(?:would|'d)$/.test(toks[i - 2]?.w ?? '') ? { kind: 'verb', pol: 1, problem: 0 } : undefined;
    }
    if (w === 'super' && (next === undefined || next.clause !== t.clause || lookupEn(next.w) === undefined)) e = { kind: 'nom', pol: 1.5, problem: 0 };

    if (e !== undefined) {
      if (e.domain) a.directed = true;
      if (e.kind === 'wait') {
        waits.push(i);
        a.pol[i] = e.pol;
      } else if (e.kind === 'demand') {
        if (negLeft === 0) demands.push(i);
      } else {
        a.pol[i] = e.pol;
        a.prob[i] = e.problem;
        a.polite[i] = e.polite === true ? 1 : 0;
        if (e.resolver) resolverClauses.push(t.clause);
      }
      if (negLeft > 0) {
        if (e.kind === 'func' && !e.resolver) {
          a.pol[i] = -1;
          a.prob[i] = 1;
        } else if (e.pol !== 0) {
          // "don't like", "not happy": dissatisfaction; "never had a problem", "not bad": the opposite.
          const wasPositive = e.pol > 0;
          a.pol[i] = flipValue(e.pol);
          a.prob[i] = wasPositive && e.kind === 'verb' ? 1 : 0;
        } else if (EN_SERVICE_NOUNS.has(w)) {
          a.pol[i] = -1;
          a.prob[i] = 1;
        }
        if (a.pol[i] !== 0 || e.domain) negLeft = 0;
      }
      if ((a.pol[i] ?? 0) > 0 && i > a.noEvalUntil) a.evalTok[i] = 1;
    } else if (negLeft > 0 && EN_SERVICE_NOUNS.has(w)) {
      a.pol[i] = -1;
      a.prob[i] = 1;
      negLeft = 0;
    }
    if (negLeft > 0 && (a.pol[i] ?? 0) === 0 && !EN_SCOPE_TRANSPARENT.has(w)) negLeft--;

    if (boostLeft > 0) {
      if (a.pol[i] !== 0) {
        a.pol[i] = (a.pol[i] ?? 0) * boost;
        boostLeft = 0;
      } else boostLeft--;
    }
  }

  for (const i of waits) {
    const t = toks[i]!;
    if (timeSentences.includes(t.sentence) || stillClauses.includes(t.clause)) {
      a.pol[i] = -1;
      a.prob[i] = 1;
    }
  }
  // Counterfactual sentences ("it would be great if you opened ...") express a wish, not an appraisal.
  for (let s0 = 0; s0 < ifSentences.length; s0++) {
    const sentence = ifSentences[s0]!;
    if (!modalSentences.includes(sentence)) continue;
    for (let i = 0; i < toks.length; i++) {
      if (toks[i]!.sentence === sentence && (a.pol[i] ?? 0) > 0) {
        a.pol[i] = 0;
        a.evalTok[i] = 0;
      }
    }
  }
  for (const i of demands) {
    const t = toks[i]!;
    for (let k = i + 1; k <= i + 4 && k < toks.length && toks[k]!.clause === t.clause; k++) {
      if (EN_REDRESS.test(toks[k]!.w)) {
        a.pol[i] = -1;
        a.prob[i] = 1;
        break;
      }
    }
  }
  return finishClauses(a, toks, stillClauses, resolverClauses);
}

// ---------------------------------------------------------------------------
// Decision
// ---------------------------------------------------------------------------

/** Contrast weighting (as in VADER): before "but" counts half, after it one and a half. */
const SIDE_WEIGHT = [0.5, 1.5];

function decide(a: Analysis, toks: Token[], emoji: number, questionMark: boolean, language: CommentLanguage): Classification {
  // A bare "?" after "gidelim mi" (a proposal to a friend) does not make it a question to the brand.
  const question = a.question || (questionMark && !a.proposal);
  let problem = 0;
  let evalPos = 0;
  let score = 0;
  for (let i = 0; i < a.n; i++) problem += a.prob[i] ?? 0;
  const politeIgnored = question || problem > 0;
  for (let i = 0; i < a.n; i++) {
    const side = toks[i]?.side ?? -1;
    const v = (a.pol[i] ?? 0) * (side < 0 ? 1 : (SIDE_WEIGHT[side] ?? 1));
    if (a.polite[i] === 1 && politeIgnored) continue;
    score += v;
    if (v > 0 && a.evalTok[i] === 1) evalPos += v;
  }
  if (a.why && question) {
    // "Why does it take 45 minutes...?", "Neden hâlâ gelmedi?"
    score -= 0.75;
    problem += 0.75;
  }
  score += emoji;
  if (emoji > 0 && !a.wish) evalPos += emoji;

  const sentiment: Sentiment = score >= POSITIVE_AT ? 'positive' : score <= NEGATIVE_AT ? 'negative' : 'neutral';
  let intent: Intent;
  if (sentiment === 'negative' && (a.directed || question || problem > 0)) intent = 'complaint';
  else if (question) intent = 'question';
  else if (sentiment === 'positive' && evalPos >= POSITIVE_AT) intent = 'praise';
  else intent = 'other';
  return { sentiment, intent, language };
}

/**
 * Classifies one comment. `hint.language`, when given, overrides detection.
 * Never throws: anything unexpected degrades to neutral / other.
 */
export function classifyComment(text: string, hint?: { language?: CommentLanguage }): Classification {
  let hinted: CommentLanguage | undefined;
  try {
    const l = hint?.language;
    hinted = l === 'tr' || l === 'en' ? l : undefined;
  } catch {
    hinted = undefined;
  }
  try {
    let raw = typeof text === 'string' ? text : String(text ?? '');
    if (raw.length > MAX_CHARS) raw = raw.slice(0, MAX_CHARS);
    const nonAscii = NON_ASCII.test(raw);
    const emoji = emojiScore(raw, nonAscii);
    const cleaned = clean(raw, nonAscii);
    const { raw: list, questionMark } = tokenize(cleaned);
    const language = hinted ?? detectLanguage(list);
    if (language === 'tr') finishTurkish(list);
    const analysis = language === 'tr' ? analyseTr(list) : analyseEn(list);
    return decide(analysis, list, emoji, questionMark, language);
  } catch {
    return { sentiment: 'neutral', intent: 'other', language: hinted ?? 'en' };
  }
}
