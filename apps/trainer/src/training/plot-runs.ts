import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { runFolderPaths } from './run-folder.js';

/**
 * Curves of one or more runs, rendered with Vega-Lite (compiled to Vega and rendered to SVG headless,
 * no browser or canvas): one SVG per metric (train/loss, train/lr, and every validation metric), each
 * with one line per run, and one self-contained HTML page (the SVGs inline, no scripts) comparing the
 * runs, with each metric's last value per run.
 */
export interface PlotResult {
  directory: string;
  svgFiles: string[];
  htmlFile: string;
  metrics: string[];
}

interface Point {
  run: string;
  step: number;
  value: number;
}

/** The metrics plotted, in this order, when present: training loss and learning rate, then validation metrics. */
function plottedMetrics(all: Set<string>): string[] {
  const first = ['train/loss', 'train/lr'].filter((name) => all.has(name));
  const validation = [...all].filter((name) => name.startsWith('val/') || name.startsWith('test/')).sort();
  return [...first, ...validation];
}

function readMetrics(runDirectory: string, label: string): Map<string, Point[]> {
  const file = runFolderPaths(runDirectory).metricsJsonl;
  if (!existsSync(file)) throw new Error(`${runDirectory} has no metrics.jsonl (is it a run folder?)`);
  const byMetric = new Map<string, Point[]>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim().length === 0) return;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`${file}:${index + 1}: invalid JSON (${(error as Error).message})`);
      }
      const step = record.step;
      if (typeof step !== 'number') return;
      for (const [name, value] of Object.entries(record)) {
        if (name === 'step' || name === 'epoch' || name === 'time' || typeof value !== 'number' || !Number.isFinite(value)) continue;
        const points = byMetric.get(name) ?? [];
        points.push({ run: label, step, value });
        byMetric.set(name, points);
      }
    });
  return byMetric;
}

/** Unique, readable labels for runs (their folder names, disambiguated by parents when needed). */
function runLabels(runs: string[]): string[] {
  const absolute = runs.map((run) => path.resolve(run));
  const labels = absolute.map((run) => path.basename(run));
  if (new Set(labels).size === labels.length) return labels;
  return absolute.map((run) => path.relative(process.cwd(), run) || path.basename(run));
}

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function fileNameOf(metric: string): string {
  return metric.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character] as string);
}

/** Writes the plots of `runs` into `outDir` (default: `<run>/plots` for one run, `./plots` for several). */
export async function plotRuns(runs: string[], outDir?: string): Promise<PlotResult> {
  if (runs.length === 0) throw new Error('plot: give at least one run folder');
  const labels = runLabels(runs);
  const directory = path.resolve(outDir ?? (runs.length === 1 ? path.join(runs[0] as string, 'plots') : 'plots'));
  const data = new Map<string, Point[]>();
  runs.forEach((run, index) => {
    for (const [metric, points] of readMetrics(run, labels[index] as string)) data.set(metric, [...(data.get(metric) ?? []), ...points]);
  });
  const metrics = plottedMetrics(new Set(data.keys()));
  if (metrics.length === 0) throw new Error(`plot: no train/loss, train/lr or validation metrics in ${runs.join(', ')}`);
  mkdirSync(directory, { recursive: true });
  const svgFiles: string[] = [];
  const sections: string[] = [];
  for (const metric of metrics) {
    const points = data.get(metric)!;
    const spec: TopLevelSpec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: metric,
      width: 480,
      height: 260,
      background: 'white',
      data: { values: points },
      mark: { type: 'line', point: points.length <= 60 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run' },
      },
    };
    const svg = await renderSvg(spec);
    const file = path.join(directory, `${fileNameOf(metric)}.svg`);
    writeFileSync(file, svg);
    svgFiles.push(file);
    const last = labels
      .map((label) => {
        const mine = points.filter((point) => point.run === label);
        const final = mine[mine.length - 1];
        return final ? `<tr><td>${escapeHtml(label)}</td><td>${final.step}</td><td>${Number(final.value.toPrecision(6))}</td></tr>` : '';
      })
      .join('');
    sections.push(`<section><h2>${escapeHtml(metric)}</h2>${svg}<table><tr><th>run</th><th>last step</th><th>value</th></tr>${last}</table></section>`);
  }
  const htmlFile = path.join(directory, 'index.html');
  writeFileSync(
    htmlFile,
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>mlm runs: ${escapeHtml(labels.join(', '))}</title>` +
      '<style>body{font-family:sans-serif;margin:2em}section{display:inline-block;vertical-align:top;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>' +
      `</head><body><h1>mlm runs</h1><p>${labels.map((label, index) => `${escapeHtml(label)}: ${escapeHtml(path.resolve(runs[index] as string))}`).join('<br>')}</p>${sections.join('\n')}</body></html>\n`,
  );
  return { directory, svgFiles, htmlFile, metrics };
}
