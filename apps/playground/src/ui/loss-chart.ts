import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The live training-loss chart (uPlot): step on x, loss on y. */
export class LossChart {
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private readonly plot: uPlot;

  constructor(container: HTMLElement) {
    container.replaceChildren();
    this.plot = new uPlot(
      {
        title: 'training loss (cross-entropy on masked cells)',
        width: Math.max(320, Math.min(720, container.clientWidth || 640)),
        height: 300,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'loss' }],
        series: [{ label: 'step' }, { label: 'loss', stroke: '#d9480f', width: 2 }],
      },
      [this.steps, this.losses],
      container,
    );
  }

  push(step: number, loss: number): void {
    this.steps.push(step);
    this.losses.push(loss);
    this.plot.setData([this.steps, this.losses]);
  }

  destroy(): void {
    this.plot.destroy();
  }
}
