// Pure layout for the server-rendered SVG charts: scales, ticks and shapes in SVG user units.
// The .astro components only draw what these functions return.

export interface Tick {
  value: number;
  /** Position along the value axis (SVG y). */
  y: number;
  label: string;
}

export interface Plot {
  width: number;
  height: number;
  /** The plotting area inside the margins. */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function plotArea(width: number, height: number, margin = { left: 48, top: 12, right: 12, bottom: 40 }): Plot {
  return { width, height, left: margin.left, top: margin.top, right: width - margin.right, bottom: height - margin.bottom };
}

/** A step of 1, 2 or 5 × 10^n that splits 0..max into about `count` parts. */
export function niceStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return step;
}

/** The top of the value axis: a round number at or above every value (1 when there is nothing to show). */
export function niceMax(values: number[], count = 4): { max: number; step: number } {
  const top = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  if (top === 0) return { max: 1, step: 1 };
  const step = Math.max(niceStep(top, count), Number.isInteger(top) && values.every(Number.isInteger) ? 1 : 0);
  // The small allowance keeps 0.6 / 0.2 = 3.0000000000000004 from rounding up to a fourth step.
  return { max: Math.round(Math.ceil(top / step - 1e-9) * step * 1e9) / 1e9, step };
}

/** Maps a value 0..max to an SVG y inside the plot (0 at the bottom). */
export function yScale(plot: Plot, max: number): (value: number) => number {
  const span = plot.bottom - plot.top;
  return (value) => plot.bottom - (Math.min(Math.max(value, 0), max) / max) * span;
}

export function ticks(plot: Plot, max: number, step: number, format: (v: number) => string): Tick[] {
  const y = yScale(plot, max);
  const out: Tick[] = [];
  for (let v = 0; v <= max + step / 1000; v += step) {
    const value = Math.round(v * 1e6) / 1e6;
    out.push({ value, y: round(y(value)), label: format(value) });
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface BarInput {
  label: string;
  value: number | null;
  /** A line drawn across the bar, e.g. the capacity. */
  reference?: number | null;
  /** Text above the slot instead of the value, e.g. "under 5" for a count too small to show (no bar is drawn). */
  text?: string;
}

export interface Bar {
  label: string;
  value: number | null;
  text: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Centre of the bar, for the category label. */
  cx: number;
  referenceY: number | null;
}

export interface BarLayout {
  plot: Plot;
  ticks: Tick[];
  bars: Bar[];
  empty: boolean;
}

/** Bars of equal width side by side; a null value leaves an empty slot. */
export function barLayout(items: BarInput[], options: { width: number; height: number; format?: (v: number) => string }): BarLayout {
  const plot = plotArea(options.width, options.height);
  const values = items.flatMap((i) => [i.value ?? 0, i.reference ?? 0]);
  const { max, step } = niceMax(values);
  const y = yScale(plot, max);
  const slot = items.length === 0 ? 0 : (plot.right - plot.left) / items.length;
  const barWidth = Math.min(slot * 0.7, 80);
  const bars = items.map((item, i) => {
    const cx = plot.left + slot * i + slot / 2;
    const top = item.value === null ? plot.bottom : y(item.value);
    return {
      label: item.label,
      value: item.value,
      text: item.text ?? null,
      x: round(cx - barWidth / 2),
      y: round(top),
      width: round(barWidth),
      height: round(plot.bottom - top),
      cx: round(cx),
      referenceY: item.reference === undefined || item.reference === null ? null : round(y(item.reference)),
    };
  });
  return {
    plot,
    ticks: ticks(plot, max, step, options.format ?? ((v) => String(v))),
    bars,
    empty: items.every((i) => i.value === null && i.text === undefined),
  };
}

export interface LineSeriesInput {
  name: string;
  values: (number | null)[];
}

export interface LinePoint {
  x: number;
  y: number;
  value: number;
}

export interface LineSeries {
  name: string;
  /** SVG path through the points; a gap (null) starts a new piece. */
  path: string;
  points: LinePoint[];
  /** Which marker shape and dash pattern to draw, so series differ without colour. */
  style: number;
}

export interface LineLayout {
  plot: Plot;
  ticks: Tick[];
  categories: { label: string; x: number }[];
  series: LineSeries[];
  empty: boolean;
}

/** Lines over fixed categories (e.g. months) on a 0..max scale. */
export function lineLayout(
  categories: string[],
  series: LineSeriesInput[],
  options: { width: number; height: number; max: number; step: number; format: (v: number) => string },
): LineLayout {
  const plot = plotArea(options.width, options.height);
  const y = yScale(plot, options.max);
  const slot = categories.length === 0 ? 0 : (plot.right - plot.left) / categories.length;
  const xAt = (i: number): number => round(plot.left + slot * i + slot / 2);
  const laid = series.map((s, index) => {
    const points: LinePoint[] = [];
    let path = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const point = { x: xAt(i), y: round(y(v)), value: v };
      points.push(point);
      path += `${pen ? 'L' : 'M'}${point.x} ${point.y} `;
      pen = true;
    });
    return { name: s.name, path: path.trim(), points, style: index };
  });
  return {
    plot,
    ticks: ticks(plot, options.max, options.step, options.format),
    categories: categories.map((label, i) => ({ label, x: xAt(i) })),
    series: laid,
    empty: laid.every((s) => s.points.length === 0),
  };
}

/** Dash patterns and marker shapes, one per series, repeating after six. */
export const SERIES_DASHES = ['', '6 4', '2 3', '10 4 2 4', '1 5', '12 6'] as const;
export const SERIES_MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'circle-open'] as const;

export function seriesDash(style: number): string {
  return SERIES_DASHES[style % SERIES_DASHES.length] ?? '';
}

export function seriesMarker(style: number): (typeof SERIES_MARKERS)[number] {
  return SERIES_MARKERS[style % SERIES_MARKERS.length] ?? 'circle';
}
