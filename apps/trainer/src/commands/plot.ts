import { plotRuns, type PlotResult } from '../training/plot-runs.js';
import type { CommandIO } from './command-io.js';

/**
 * `mlm plot <run...> [-o dir]`: SVG curves (train loss, learning rate, validation metrics) of one or more
 * runs and one self-contained HTML page comparing them; prints the paths.
 */
export async function plotCommand(options: { runs: string[]; outDir?: string | undefined; io: CommandIO }): Promise<PlotResult> {
  const result = await plotRuns(options.runs, options.outDir);
  for (const file of result.svgFiles) options.io.out(file);
  options.io.out(result.htmlFile);
  return result;
}
