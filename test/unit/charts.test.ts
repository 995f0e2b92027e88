import { describe, expect, it } from 'vitest';
import { barLayout, lineLayout, niceMax, plotArea, ticks, yScale } from '../../src/components/charts/chart';

describe('chart layout', () => {
  it('rounds the axis up to a nice number; 1 when everything is zero or there is nothing', () => {
    expect(niceMax([])).toEqual({ max: 1, step: 1 });
    expect(niceMax([0, 0])).toEqual({ max: 1, step: 1 });
    expect(niceMax([7])).toEqual({ max: 8, step: 2 });
    expect(niceMax([10])).toEqual({ max: 10, step: 5 });
    expect(niceMax([93])).toEqual({ max: 100, step: 50 });
    expect(niceMax([3])).toEqual({ max: 3, step: 1 });
    expect(niceMax([0.6])).toEqual({ max: 0.6, step: 0.2 });
  });

  it('maps 0 to the bottom and the maximum to the top, clamping outside values', () => {
    const plot = plotArea(400, 200);
    const y = yScale(plot, 10);
    expect(y(0)).toBe(plot.bottom);
    expect(y(10)).toBe(plot.top);
    expect(y(5)).toBe((plot.bottom + plot.top) / 2);
    expect(y(-3)).toBe(plot.bottom);
    expect(y(20)).toBe(plot.top);
    expect(ticks(plot, 10, 5, String).map((t) => t.label)).toEqual(['0', '5', '10']);
  });

  it('bars: heights in proportion, no bars for no data, zero-height bar for a zero', () => {
    expect(barLayout([], { width: 400, height: 200 })).toMatchObject({ bars: [], empty: true });
    const one = barLayout([{ label: 'K1', value: 0 }], { width: 400, height: 200 });
    expect(one.bars[0]).toMatchObject({ height: 0 });
    expect(one.empty).toBe(false);
    const layout = barLayout(
      [{ label: 'A', value: 4, reference: 10 }, { label: 'B', value: 10, reference: 10 }, { label: 'C', value: null }],
      { width: 400, height: 200 },
    );
    const [a, b, c] = layout.bars;
    const span = layout.plot.bottom - layout.plot.top;
    expect(b?.height).toBe(span);
    expect(a?.height).toBeCloseTo(span * 0.4, 0);
    expect(a?.referenceY).toBe(layout.plot.top);
    expect(c?.height).toBe(0);
    expect((a?.x ?? 0) < (b?.x ?? 0)).toBe(true);
  });

  it('lines: one point draws a marker without a line; a gap splits the line', () => {
    const options = { width: 400, height: 200, max: 1, step: 0.25, format: (v: number) => `${v * 100} %` };
    const single = lineLayout(['jan'], [{ name: 'A', values: [0.5] }], options);
    expect(single.series[0]?.points).toHaveLength(1);
    expect(single.series[0]?.path.startsWith('M')).toBe(true);
    expect(single.series[0]?.path.includes('L')).toBe(false);
    const gap = lineLayout(['jan', 'feb', 'mar'], [{ name: 'A', values: [1, null, 0] }], options);
    expect(gap.series[0]?.path.match(/M/g)).toHaveLength(2);
    expect(gap.ticks.map((t) => t.label)).toEqual(['0 %', '25 %', '50 %', '75 %', '100 %']);
    expect(lineLayout([], [], options).empty).toBe(true);
  });
});
