import type { FieldIssue } from './errors.ts';
import type { Media } from './post.ts';
import type { Platform } from './primitives.ts';

/**
 * What each platform accepts in one post, checked when a post is created or
 * edited so a bad post is refused at once rather than failing at publish time.
 * Figures from each platform's documentation (see the platform reference).
 */
interface PlatformRules {
  label: string;
  maxLength: number;
  /** How the platform counts `maxLength`. */
  count: (text: string) => number;
  countLabel: string;
  maxBytes?: number;
  maxImages: number;
  maxVideos: number;
  /** Images and a video in the same post. */
  mixMedia: boolean;
  requiresMedia: boolean;
  maxHashtags?: number;
  maxMentions?: number;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/giu;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const countGraphemes = (text: string) => [...graphemes.segment(text)].length;
const countCodePoints = (text: string) => [...text].length;

/** Every URL counts as `urlLength`, the rest by `weigh`. */
function withUrlsAs(urlLength: number, weigh: (text: string) => number) {
  return (text: string) => {
    const urls = text.match(URL_PATTERN) ?? [];
    return weigh(text.replace(URL_PATTERN, '')) + urls.length * urlLength;
  };
}

/** X's weighted length (twitter-text v3): weight 1 in the listed ranges, 2 elsewhere; emoji sequences 2. */
const X_LIGHT: [number, number][] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];
const EMOJI = /\p{Extended_Pictographic}/u;
function xWeight(text: string): number {
  let weight = 0;
  for (const { segment } of graphemes.segment(text.normalize('NFC'))) {
    if (EMOJI.test(segment)) {
      weight += 2;
      continue;
    }
    for (const ch of segment) {
      const cp = ch.codePointAt(0)!;
      weight += X_LIGHT.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2;
    }
  }
  return weight;
}

export const PLATFORM_RULES: Readonly<Record<Platform, PlatformRules>> = {
  x: { label: 'X', maxLength: 280, count: withUrlsAs(23, xWeight), countLabel: 'weighted characters (URLs count 23)', maxImages: 4, maxVideos: 0, mixMedia: false, requiresMedia: false },
  linkedin: { label: 'LinkedIn', maxLength: 3000, count: countCodePoints, countLabel: 'characters', maxImages: 20, maxVideos: 0, mixMedia: false, requiresMedia: false },
  facebook: { label: 'Facebook', maxLength: 63_206, count: countCodePoints, countLabel: 'characters', maxImages: 1, maxVideos: 0, mixMedia: false, requiresMedia: false },
  instagram: {
    label: 'Instagram',
    maxLength: 2200,
    count: countCodePoints,
    countLabel: 'characters',
    // One image per post for now (carousels and video are not published yet).
    maxImages: 1,
    maxVideos: 0,
    mixMedia: false,
    requiresMedia: true,
    maxHashtags: 30,
    maxMentions: 20,
  },
  bluesky: { label: 'Bluesky', maxLength: 300, count: countGraphemes, countLabel: 'graphemes', maxBytes: 3000, maxImages: 4, maxVideos: 0, mixMedia: false, requiresMedia: false },
  mastodon: { label: 'Mastodon', maxLength: 500, count: withUrlsAs(23, countCodePoints), countLabel: 'characters (URLs count 23)', maxImages: 4, maxVideos: 1, mixMedia: false, requiresMedia: false },
  sandbox: { label: 'Sandbox', maxLength: 5000, count: countCodePoints, countLabel: 'characters', maxImages: 4, maxVideos: 1, mixMedia: false, requiresMedia: false },
};

/** Problems with one target's text and media on its platform; `path` prefixes each field. */
export function checkTargetContent(platform: Platform, text: string, media: readonly Media[], path: string): FieldIssue[] {
  const rules = PLATFORM_RULES[platform];
  const issues: FieldIssue[] = [];
  const length = rules.count(text);
  if (text.trim() === '' && media.length === 0) issues.push({ path: `${path}.text`, message: 'is empty and there is no media' });
  if (length > rules.maxLength) {
    issues.push({ path: `${path}.text`, message: `is ${length} ${rules.countLabel}; ${rules.label} allows ${rules.maxLength}` });
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (rules.maxBytes !== undefined && bytes > rules.maxBytes) {
    issues.push({ path: `${path}.text`, message: `is ${bytes} bytes; ${rules.label} allows ${rules.maxBytes}` });
  }
  const hashtags = text.match(/(^|\s)#[\p{L}\p{N}_]+/gu)?.length ?? 0;
  if (rules.maxHashtags !== undefined && hashtags > rules.maxHashtags) {
    issues.push({ path: `${path}.text`, message: `has ${hashtags} hashtags; ${rules.label} allows ${rules.maxHashtags}` });
  }
  const mentions = text.match(/(^|\s)@[\p{L}\p{N}_.]+/gu)?.length ?? 0;
  if (rules.maxMentions !== undefined && mentions > rules.maxMentions) {
    issues.push({ path: `${path}.text`, message: `has ${mentions} @-mentions; ${rules.label} allows ${rules.maxMentions}` });
  }
  const images = media.filter((m) => m.kind === 'image').length;
  const videos = media.length - images;
  if (rules.requiresMedia && media.length === 0) issues.push({ path: `${path}.media`, message: `${rules.label} posts need at least one image or video` });
  if (images > rules.maxImages) issues.push({ path: `${path}.media`, message: `has ${images} images; ${rules.label} allows ${rules.maxImages}` });
  if (videos > rules.maxVideos) issues.push({ path: `${path}.media`, message: `has ${videos} videos; ${rules.label} allows ${rules.maxVideos}` });
  if (!rules.mixMedia && images > 0 && videos > 0) issues.push({ path: `${path}.media`, message: `${rules.label} does not mix images and video in one post` });
  return issues;
}
