// Records in and out per second over the last minutes, drawn by uPlot (about 50 KB, canvas); resized with
// its container.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { rate } from '../format.js';

/** "14:05:09" for a tick at that time (seconds since the epoch). */
const clock = (seconds: number) => new Date(seconds * 1000).toTimeString().slice(0, 8);

export interface RateSeries {
  label: string;
  color: string;
}

const HEIGHT = 220;

export function RateChart({ columns, series }: { columns: Array<Array<number | null>>; series: RateSeries[] }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = host.current!;
    const options: uPlot.Options = {
      width: element.clientWidth,
      height: HEIGHT,
      // The card's header shows the current values; a second legend under the chart would repeat them.
      legend: { show: false },
      cursor: { y: false, points: { size: 7 } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.15)] } },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { show: false }, values: (_u, values) => values.map(clock) },
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { show: false }, size: 56, values: (_u, values) => values.map((value) => rate(value)) },
      ],
      series: [
        {},
        ...series.map(({ label, color }) => ({
          label,
          stroke: color,
          width: 2,
          fill: `${color}1a`,
          points: { show: false },
        })),
      ],
    };
    chart.current = new uPlot(options, columns as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: element.clientWidth, height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setData(columns as uPlot.AlignedData);
  }, [columns]);

  return <div class="chart" ref={host} data-testid="rate-chart" data-points={columns[0]?.length ?? 0} />;
}
