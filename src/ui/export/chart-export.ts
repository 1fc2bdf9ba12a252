/**
 * Chart export ("Export: each chart as SVG and PNG").
 *
 * SVG: a deep clone of the chart's root `<svg data-chart="…">` whose presentation comes from the
 * page's stylesheet (classes, CSS custom properties for the light/dark themes, `currentColor`).
 * A standalone file has none of that, so every element gets the *computed* value of the painting
 * and text properties written inline (CSSOM `getComputedStyle` resolves var() and currentColor to
 * concrete colours). To keep files small, an inherited property is written only where it differs
 * from the parent's computed value (inheritance reproduces the rest), and a non-inherited one
 * only where it differs from its initial value (CSS Cascade 4 §7 "Inheritance"; the list of which
 * SVG properties inherit is SVG 2 Appendix "Property Index"). A background rect in the card's
 * colour is added so dark-theme text stays readable on any viewer. Dense marks drawn on a
 * <canvas> under the SVG (DESIGN.md "canvas for dense marks") are embedded as <image> elements
 * with PNG data URLs at their on-screen position. Elements marked `data-export="ignore"`
 * (tooltips, hover guides) are left out.
 *
 * PNG: the same canvas layers are drawn first onto an output canvas at `scale`× CSS pixels (2 by
 * default, crisp on HiDPI screens and slides), then the SVG (without the canvas images, which are
 * already there) decoded as an image on top. Everything stays same-origin (blob: URLs), so the
 * canvas is not tainted and `toBlob` works (HTML §4.12.5.1.9 "Security with canvas elements").
 *
 * A chart card may hold several root SVGs (the outliers card draws `outliers` and
 * `outliers-heatmap`): they are exported together, each at its on-screen offset inside one outer
 * SVG / PNG, so the file looks like the card.
 *
 * No string is parsed as markup anywhere: the clone is built with DOM APIs and written with
 * XMLSerializer, so chart labels that come from shared links cannot inject elements.
 */

import { xmlText } from '../../core/encode';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/** Properties that inherit in SVG: written where they differ from the parent's computed value. */
const INHERITED = [
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'font-variant-numeric',
  'letter-spacing',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'shape-rendering',
  'paint-order',
  'color',
] as const;

/** Non-inherited properties and their initial values: written only when not initial. */
const NON_INHERITED: Readonly<Record<string, string>> = {
  opacity: '1',
  display: 'inline',
  'alignment-baseline': 'auto',
  'mix-blend-mode': 'normal',
  'vector-effect': 'none',
};

export interface SvgExportOptions {
  /** Background fill; defaults to the nearest ancestor's non-transparent background colour. */
  readonly background?: string;
  /** Embed canvas layers under the SVG as <image> elements (default true). */
  readonly includeCanvas?: boolean;
}

function isTransparent(color: string): boolean {
  return color === 'transparent' || /^rgba\(.*,\s*0\)$/.test(color);
}

/** The colour a chart is seen on: the first opaque background among its ancestors. */
export function effectiveBackground(el: Element): string {
  for (let node: Element | null = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && !isTransparent(bg)) return bg;
  }
  return '#ffffff';
}

function inlineStyles(source: Element, target: Element, parentComputed: CSSStyleDeclaration | null): void {
  const computed = getComputedStyle(source);
  const style = (target as SVGElement).style;
  for (const prop of INHERITED) {
    const value = computed.getPropertyValue(prop);
    if (!value) continue;
    if (parentComputed && parentComputed.getPropertyValue(prop) === value) continue;
    style.setProperty(prop, value);
  }
  for (const [prop, initial] of Object.entries(NON_INHERITED)) {
    const value = computed.getPropertyValue(prop);
    if (value && value !== initial) style.setProperty(prop, value);
  }
  // Walk element children pairwise; the clone has the same structure until we prune it below.
  const sourceKids = source.children;
  const targetKids = target.children;
  for (let i = 0; i < sourceKids.length; i++) inlineStyles(sourceKids[i], targetKids[i], computed);
}

function pruneIgnored(root: Element): void {
  for (const el of Array.from(root.querySelectorAll('[data-export="ignore"]'))) el.remove();
}

/** Canvases painted under (or over) the chart: siblings/cousins inside the chart's container
 *  whose on-screen box intersects the SVG's. */
export function canvasLayers(svg: SVGSVGElement): HTMLCanvasElement[] {
  const container = svg.closest('[data-chart-card]') ?? svg.parentElement;
  if (!container) return [];
  const box = svg.getBoundingClientRect();
  return Array.from(container.querySelectorAll('canvas')).filter((c) => {
    const r = c.getBoundingClientRect();
    return (
      r.width > 0 &&
      r.height > 0 &&
      r.right > box.left &&
      r.left < box.right &&
      r.bottom > box.top &&
      r.top < box.bottom
    );
  });
}

function sizeOf(svg: SVGSVGElement): { width: number; height: number } {
  const r = svg.getBoundingClientRect();
  return { width: Math.max(1, Math.round(r.width)), height: Math.max(1, Math.round(r.height)) };
}

/** A standalone clone of the chart's SVG, styles inlined, sized in CSS pixels. */
export function standaloneSvg(svg: SVGSVGElement, options: SvgExportOptions = {}): SVGSVGElement {
  const { width, height } = sizeOf(svg);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  // No parent context for the root: every inherited property is pinned there, so the file does
  // not depend on the page's fonts and colours.
  inlineStyles(svg, clone, null);
  pruneIgnored(clone);
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('xmlns:xlink', XLINK_NS);
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  if (!clone.hasAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // Layout-dependent sizing from the page would fight the explicit size above.
  clone.style.removeProperty('width');
  clone.style.removeProperty('height');
  clone.style.removeProperty('max-width');

  const viewBox = clone.viewBox.baseVal;
  const sx = viewBox && viewBox.width > 0 ? viewBox.width / width : 1;
  const sy = viewBox && viewBox.height > 0 ? viewBox.height / height : 1;
  const ox = viewBox ? viewBox.x : 0;
  const oy = viewBox ? viewBox.y : 0;

  const layers = options.includeCanvas === false ? [] : canvasLayers(svg);
  const box = svg.getBoundingClientRect();
  const under = document.createElementNS(SVG_NS, 'g');
  under.setAttribute('data-layer', 'canvas');
  for (const canvas of layers) {
    const r = canvas.getBoundingClientRect();
    const image = document.createElementNS(SVG_NS, 'image');
    image.setAttribute('x', String(ox + (r.left - box.left) * sx));
    image.setAttribute('y', String(oy + (r.top - box.top) * sy));
    image.setAttribute('width', String(r.width * sx));
    image.setAttribute('height', String(r.height * sy));
    image.setAttribute('preserveAspectRatio', 'none');
    image.setAttribute('href', canvas.toDataURL('image/png'));
    under.append(image);
  }
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('x', String(ox));
  background.setAttribute('y', String(oy));
  background.setAttribute('width', String(width * sx));
  background.setAttribute('height', String(height * sy));
  background.setAttribute('fill', options.background ?? effectiveBackground(svg));
  background.setAttribute('data-layer', 'background');
  clone.prepend(background, under);
  return clone;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Union of the SVGs' on-screen boxes, rounded to whole CSS pixels. */
function unionBox(svgs: readonly SVGSVGElement[]): Box {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const svg of svgs) {
    const r = svg.getBoundingClientRect();
    left = Math.min(left, r.left);
    top = Math.min(top, r.top);
    right = Math.max(right, r.right);
    bottom = Math.max(bottom, r.bottom);
  }
  return {
    left,
    top,
    width: Math.max(1, Math.round(right - left)),
    height: Math.max(1, Math.round(bottom - top)),
  };
}

/** One SVG element for one or several chart SVGs (several: nested at their on-screen offsets). */
export function composeSvgs(svgs: readonly SVGSVGElement[], options: SvgExportOptions = {}): SVGSVGElement {
  if (svgs.length === 0) throw new Error('chart export: no chart SVG to export');
  if (svgs.length === 1) return standaloneSvg(svgs[0], options);
  const box = unionBox(svgs);
  const outer = document.createElementNS(SVG_NS, 'svg');
  outer.setAttribute('xmlns', SVG_NS);
  outer.setAttribute('xmlns:xlink', XLINK_NS);
  outer.setAttribute('width', String(box.width));
  outer.setAttribute('height', String(box.height));
  outer.setAttribute('viewBox', `0 0 ${box.width} ${box.height}`);
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(box.width));
  background.setAttribute('height', String(box.height));
  background.setAttribute('fill', options.background ?? effectiveBackground(svgs[0]));
  background.setAttribute('data-layer', 'background');
  outer.append(background);
  for (const svg of svgs) {
    const r = svg.getBoundingClientRect();
    const inner = standaloneSvg(svg, { ...options, background: 'none' });
    inner.setAttribute('x', String(r.left - box.left));
    inner.setAttribute('y', String(r.top - box.top));
    outer.append(inner);
  }
  return outer;
}

/** The parts of a DOM tree that XMLSerializer copies verbatim (text and attribute values). */
export interface XmlTreeNode {
  nodeType: number;
  nodeValue: string | null;
  readonly childNodes: ArrayLike<XmlTreeNode>;
  readonly attributes?: ArrayLike<{ value: string }> | null;
}

/**
 * Text and attribute values through xmlText (src/core/encode.ts): XMLSerializer escapes markup
 * characters but copies C0 controls and lone surrogates as they are, which makes the file
 * ill-formed XML (XML 1.0 §2.2) and unreadable by other tools. Labels come from shared links.
 */
export function encodeXmlTree<T extends XmlTreeNode>(root: T): T {
  const walk = (node: XmlTreeNode) => {
    if (node.nodeType === 3 || node.nodeType === 4) node.nodeValue = xmlText(node.nodeValue ?? '');
    const attrs = node.attributes;
    if (attrs) for (let i = 0; i < attrs.length; i++) attrs[i].value = xmlText(attrs[i].value);
    for (let i = 0; i < node.childNodes.length; i++) walk(node.childNodes[i]);
  };
  walk(root);
  return root;
}

/** The chart(s) as an SVG document (UTF-8 text with an XML declaration). */
export function chartToSvgString(
  svgs: SVGSVGElement | readonly SVGSVGElement[],
  options: SvgExportOptions = {},
): string {
  const list = Array.isArray(svgs) ? (svgs as readonly SVGSVGElement[]) : [svgs as SVGSVGElement];
  const text = new XMLSerializer().serializeToString(encodeXmlTree(composeSvgs(list, options)));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${text}\n`;
}

async function loadImage(url: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  await img.decode();
  return img;
}

/** The chart(s) as a PNG: per SVG its canvas layers, then the SVG, at `scale`× CSS pixels. */
export async function chartToPngBlob(
  svgs: SVGSVGElement | readonly SVGSVGElement[],
  scale = 2,
): Promise<Blob> {
  const list = Array.isArray(svgs) ? (svgs as readonly SVGSVGElement[]) : [svgs as SVGSVGElement];
  if (list.length === 0) throw new Error('chart export: no chart SVG to export');
  const box = unionBox(list);
  const out = document.createElement('canvas');
  out.width = Math.round(box.width * scale);
  out.height = Math.round(box.height * scale);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('PNG export: 2-D canvas is unavailable');
  ctx.fillStyle = effectiveBackground(list[0]);
  ctx.fillRect(0, 0, out.width, out.height);
  for (const svg of list) {
    const r = svg.getBoundingClientRect();
    const dx = (r.left - box.left) * scale;
    const dy = (r.top - box.top) * scale;
    for (const canvas of canvasLayers(svg)) {
      const c = canvas.getBoundingClientRect();
      ctx.drawImage(
        canvas,
        dx + (c.left - r.left) * scale,
        dy + (c.top - r.top) * scale,
        c.width * scale,
        c.height * scale,
      );
    }
    // The background is already painted; a transparent one keeps the canvas layers visible.
    const text = chartToSvgString(svg, { includeCanvas: false, background: 'none' });
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    try {
      const img = await loadImage(url);
      ctx.drawImage(img, dx, dy, r.width * scale, r.height * scale);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  return new Promise<Blob>((resolve, reject) => {
    out.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('PNG export: the canvas produced no image'))),
      'image/png',
    );
  });
}

/** The root SVG of a chart on the page (`<svg data-chart="rd">`), if rendered. */
export function findChartSvg(chartId: string, within: ParentNode = document): SVGSVGElement | null {
  const el = within.querySelector(`svg[data-chart="${CSS.escape(chartId)}"]`);
  return el instanceof SVGSVGElement ? el : null;
}

/** A chart's root SVG and its companions (`<id>-…`, e.g. outliers-heatmap), in document order. */
export function findChartSvgs(chartId: string, within: ParentNode = document): SVGSVGElement[] {
  const id = CSS.escape(chartId);
  const prefix = CSS.escape(`${chartId}-`);
  return Array.from(within.querySelectorAll(`svg[data-chart="${id}"], svg[data-chart^="${prefix}"]`)).filter(
    (el): el is SVGSVGElement => el instanceof SVGSVGElement,
  );
}
