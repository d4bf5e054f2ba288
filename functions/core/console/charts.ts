/**
 * The geometry of the console's server-rendered SVG charts: numbers only (templates draw them, and
 * escape the labels). Widths are in SVG user units; the SVG scales to its container.
 */
export interface Bar {
  label: string;
  value: number;
  /** Top of the bar's row, its length and the row's height. */
  y: number;
  width: number;
  height: number;
  /** Where the label's and the value's text sit. */
  textY: number;
  valueX: number;
}

export interface BarChart {
  width: number;
  height: number;
  /** Where bars start (left of it: nothing; labels go above each bar). */
  x: number;
  bars: Bar[];
}

const ROW = 34;
const BAR = 14;

/** Horizontal bars, longest value the full width; a label above each bar (stories have long names). */
export function barChart(items: readonly { label: string; value: number }[], width = 600): BarChart {
  const max = Math.max(1, ...items.map((item) => item.value));
  const usable = width - 60;
  return {
    width,
    height: Math.max(ROW, items.length * ROW),
    x: 0,
    bars: items.map((item, i) => {
      const length = Math.round((item.value / max) * usable);
      return {
        label: item.label,
        value: item.value,
        y: i * ROW + 16,
        width: Math.max(item.value > 0 ? 2 : 0, length),
        height: BAR,
        textY: i * ROW + 12,
        valueX: length + 6,
      };
    }),
  };
}

export interface Series {
  name: string;
  /** `x,y x,y …` for a `<polyline points>`. */
  points: string;
  total: number;
}

export interface HourChart {
  width: number;
  height: number;
  /** The plot area. */
  left: number;
  top: number;
  plotWidth: number;
  plotHeight: number;
  /** The x axis's y. */
  bottom: number;
  yMax: number;
  series: Series[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

/** Cumulative first opens and first clicks per hour since sending (0 … hours-1), as lines. */
export function hourChart(
  lines: readonly { name: string; perHour: readonly number[] }[],
  options: { width?: number; height?: number; hours?: number } = {},
): HourChart {
  const width = options.width ?? 600;
  const height = options.height ?? 220;
  const hours = options.hours ?? 72;
  const left = 40;
  const top = 10;
  const plotWidth = width - left - 10;
  const plotHeight = height - top - 30;
  const cumulative = lines.map((line) => {
    let sum = 0;
    return Array.from({ length: hours }, (_, h) => {
      sum += line.perHour[h] ?? 0;
      return sum;
    });
  });
  const yMax = Math.max(1, ...cumulative.map((values) => values[hours - 1] ?? 0));
  const x = (h: number) => Math.round((left + ((h + 1) / hours) * plotWidth) * 10) / 10;
  const y = (v: number) => Math.round((top + plotHeight - (v / yMax) * plotHeight) * 10) / 10;
  return {
    width,
    height,
    left,
    top,
    plotWidth,
    plotHeight,
    bottom: top + plotHeight,
    yMax,
    series: lines.map((line, i) => {
      const values = cumulative[i] ?? [];
      const points = [`${left},${y(0)}`, ...values.map((v, h) => `${x(h)},${y(v)}`)].join(' ');
      return { name: line.name, points, total: values[hours - 1] ?? 0 };
    }),
    xTicks: [0, 12, 24, 36, 48, 60, 72]
      .filter((h) => h <= hours)
      .map((h) => ({ x: Math.round(left + (h / hours) * plotWidth), label: `${h} h` })),
    yTicks: [0, yMax].map((v) => ({ y: y(v), label: String(v) })),
  };
}
