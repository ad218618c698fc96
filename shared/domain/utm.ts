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
