import { createHash } from 'node:crypto';
import type { Platform } from './primitives.ts';

/** Stands in for a post id when the id is not known yet (validation before creation); same length as a real one. */
export const PLACEHOLDER_POST_ID = '00000000-0000-0000-0000-000000000000';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'’”]/giu;

/**
 * Adds UTM parameters to every http(s) link in a post's text, so clicks and
 * conversions can be traced to the platform, campaign and post. Parameters the
 * author already set are kept as written.
 */
export function tagLinks(text: string, tags: { platform: Platform; campaign?: string | undefined; postId: string }): string {
  return text.replace(URL_IN_TEXT, (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return raw;
    }
    const add: [string, string][] = [
      ['utm_source', tags.platform],
      ['utm_medium', 'social'],
      ['utm_campaign', tags.campaign ?? 'paylas'],
      ['utm_content', tags.postId],
    ];
    for (const [k, v] of add) if (!url.searchParams.has(k)) url.searchParams.append(k, v);
    return url.toString();
  });
}

/** A short link's code: the same for the same link of the same post target on every attempt. */
export function shortCode(postId: string, accountId: string, url: string): string {
  return createHash('sha256').update(`${postId}\u0000${accountId}\u0000${url}`).digest('base64url').replace(/[-_]/g, '').slice(0, 10);
}

/** Replaces every http(s) link in `text` with `<base>/r/<code>`; returns the new text and the links to store. */
export function shortenLinks(text: string, base: string, codeOf: (url: string) => string): { text: string; links: { code: string; url: string }[] } {
  const links: { code: string; url: string }[] = [];
  const root = base.replace(/\/+$/, '');
  const out = text.replace(URL_IN_TEXT, (url) => {
    const code = codeOf(url);
    links.push({ code, url });
    return `${root}/r/${code}`;
  });
  return { text: out, links };
}
