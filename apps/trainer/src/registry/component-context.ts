import type { TaskInfo } from '@mlm/components';
import type { Task } from '../tasks/task.js';
import type { RunFolder } from '../training/run-folder.js';
import type { MetricsLogger } from '../training/metrics-loggers.js';
import type { TrainingCallback } from '../training/training-callback.js';

// What the trainer adds to the component layer: its own kinds (tasks, metrics loggers, training
// callbacks) and the
// resources it can hand components (the run's task, its run folder).
declare module '@mlm/components' {
  interface ComponentKinds {
    task: Task;
    logger: MetricsLogger;
    /** A training-loop callback (see training/training-callback.ts), listed under `callbacks:` in a config. */
    callback: TrainingCallback;
  }
  interface ComponentResources {
    /** The run's task (data splits included). */
    task: Task;
    /** The run folder (loggers write there). */
    runFolder: RunFolder;
  }
}

export type { TaskInfo };

export function taskInfoOf(task: Pick<Task, 'name' | 'kind' | 'blockSize' | 'inputBlockSize'>): TaskInfo {
  return { name: task.name, kind: task.kind, blockSize: task.blockSize, ...(task.inputBlockSize !== undefined ? { inputBlockSize: task.inputBlockSize } : {}) };
}
