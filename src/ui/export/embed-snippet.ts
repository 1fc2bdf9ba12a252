/**
 * Embed links and the iframe snippet ("`?embed=<chart>` plus the config renders one chart
 * with minimal chrome, sized to its iframe; an "Embed" button gives the iframe snippet").
 *
 * The snippet is built as text for the user to paste into course material, so every attribute
 * value is escaped per HTML Living Standard §13.1.2.3 (attribute values in double quotes must not
 * contain `"`; `&` is escaped so character references cannot form) and `<`, `>` too for safety in
 * contexts that re-parse the snippet. The chart id is validated against a pattern, so a query
 * string cannot smuggle markup through it either.
 */

import { htmlAttr } from '../../core/encode';

export const EMBED_PARAM = 'embed';
const CHART_ID = /^[a-z][a-z0-9-]{0,31}$/;

export function isChartIdShaped(id: string): boolean {
  return CHART_ID.test(id);
}

/** The chart id requested by `?embed=<id>` in a query string, or null when not in embed mode. */
export function embedChartFromSearch(search: string): string | null {
  const value = new URLSearchParams(search).get(EMBED_PARAM);
  return value === null ? null : value.trim();
}

/** `<origin><path>?embed=<chart>#c=…`; keeps other query params of the page (none today). */
export function embedUrl(pageUrl: string, chartId: string, permalinkHash: string): string {
  const url = new URL(pageUrl);
  url.searchParams.set(EMBED_PARAM, chartId);
  url.hash = permalinkHash.startsWith('#') ? permalinkHash.slice(1) : permalinkHash;
  return url.toString();
}

/** HTML attribute encoder (src/core/encode.ts); the snippet's only encoder. */
export const escapeAttribute = htmlAttr;

export interface IframeSnippetOptions {
  readonly url: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
}

/** A responsive-friendly iframe: fixed height, width capped to the container (max-width). */
export function iframeSnippet({ url, title, width, height }: IframeSnippetOptions): string {
  const w = Math.round(width);
  const h = Math.round(height);
  return (
    `<iframe src="${escapeAttribute(url)}" title="${escapeAttribute(title)}" ` +
    `width="${w}" height="${h}" style="border:0;max-width:100%" loading="lazy"></iframe>`
  );
}
